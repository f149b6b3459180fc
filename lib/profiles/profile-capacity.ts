import 'server-only';
import { and, asc, eq, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '@/db';
import { serverProfiles } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { listed } from './destination';

/** A profile at or near its cap: 90% of its places or more are taken. The overview counts them, the list filters on it. */
export const nearCapCondition: SQL = and(isNotNull(serverProfiles.mailboxCap), sql`${serverProfiles.mailboxCount} * 10 >= ${serverProfiles.mailboxCap} * 9`)!;

/** A profile's places as the cap check reads them. */
export type ProfilePlaces = { name: string; count: number; cap: number | null };

async function profilesWithRoom(executor: Executor, exceptId: string): Promise<ProfilePlaces[]> {
  return executor
    .select({ name: serverProfiles.name, count: serverProfiles.mailboxCount, cap: serverProfiles.mailboxCap })
    .from(serverProfiles)
    .where(
      and(
        ne(serverProfiles.id, exceptId),
        or(isNull(serverProfiles.mailboxCap), lt(serverProfiles.mailboxCount, serverProfiles.mailboxCap)),
      ),
    )
    .orderBy(asc(serverProfiles.name))
    .limit(5);
}

/**
 * The refusal of `places` more mailboxes on a full profile, naming the (at most five, by name) other
 * profiles with room. The CSV import builds the same refusal from the profiles it holds in memory.
 */
export function profileFullError({ profile, places, others }: { profile: ProfilePlaces; places: number; others: ProfilePlaces[] }): AppError {
  const room = others.map((row) =>
    row.cap === null ? phrase('problems.profiles.room.noCap', { name: row.name }) : phrase('problems.profiles.room.free', { name: row.name, free: row.cap - row.count }),
  );
  const free = Math.max(0, (profile.cap ?? 0) - profile.count);
  const values = { name: profile.name, cap: profile.cap ?? 0, places, free };
  return new AppError(
    'PROFILE_FULL',
    room.length > 0 ? phrase('problems.profiles.fullOthersHaveRoom', { ...values, others: listed(room) }) : phrase('problems.profiles.full', values),
    { fields: { profileId: [phrase('problems.profiles.full.field', { name: profile.name, count: profile.count, cap: profile.cap ?? 0 })] } },
  );
}

/**
 * Takes one place in a profile, inside the caller's transaction. The conditional UPDATE locks the
 * profile row, so concurrent attachments queue on it and the cap can never be overshot.
 */
export async function takeProfilePlace(executor: Executor, profileId: string, places = 1): Promise<void> {
  const [taken] = await executor
    .update(serverProfiles)
    .set({ mailboxCount: sql`${serverProfiles.mailboxCount} + ${places}` })
    .where(
      and(
        eq(serverProfiles.id, profileId),
        or(isNull(serverProfiles.mailboxCap), sql`${serverProfiles.mailboxCount} + ${places} <= ${serverProfiles.mailboxCap}`),
      ),
    )
    .returning({ id: serverProfiles.id });
  if (taken) return;

  const [profile] = await executor
    .select({ name: serverProfiles.name, cap: serverProfiles.mailboxCap, count: serverProfiles.mailboxCount })
    .from(serverProfiles)
    .where(eq(serverProfiles.id, profileId));
  if (!profile) throw notFound('serverProfile');
  throw profileFullError({ profile, places, others: await profilesWithRoom(executor, profileId) });
}

export async function releaseProfilePlace(executor: Executor, profileId: string, places = 1): Promise<void> {
  await executor
    .update(serverProfiles)
    .set({ mailboxCount: sql`greatest(${serverProfiles.mailboxCount} - ${places}, 0)` })
    .where(eq(serverProfiles.id, profileId));
}
