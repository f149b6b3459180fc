import 'server-only';
import { and, asc, eq, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '@/db';
import { serverProfiles } from '@/db/schema';
import { AppError, notFound } from '@/lib/errors';

/** A profile at or near its cap: 90% of its places or more are taken. The overview counts them, the list filters on it. */
export const nearCapCondition: SQL = and(isNotNull(serverProfiles.mailboxCap), sql`${serverProfiles.mailboxCount} * 10 >= ${serverProfiles.mailboxCap} * 9`)!;

async function profilesWithRoom(executor: Executor, exceptId: string): Promise<string[]> {
  const rows = await executor
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
  return rows.map((row) => (row.cap === null ? `${row.name} (no cap)` : `${row.name} (${row.cap - row.count} free)`));
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
  if (!profile) throw notFound('The server profile');
  const others = await profilesWithRoom(executor, profileId);
  const free = Math.max(0, (profile.cap ?? 0) - profile.count);
  throw new AppError(
    'PROFILE_FULL',
    `The profile “${profile.name}” serves at most ${profile.cap} mailbox${profile.cap === 1 ? '' : 'es'}` +
      (places > 1 ? ` and has ${free} place${free === 1 ? '' : 's'} left for ${places}. ` : ' and is full. ') +
      (others.length > 0
        ? `Profiles with room: ${others.join(', ')}.`
        : 'No other profile has room: create another profile to serve more mailboxes.'),
    { fields: { profileId: [`“${profile.name}” is full (${profile.count} of ${profile.cap}).`] } },
  );
}

export async function releaseProfilePlace(executor: Executor, profileId: string, places = 1): Promise<void> {
  await executor
    .update(serverProfiles)
    .set({ mailboxCount: sql`greatest(${serverProfiles.mailboxCount} - ${places}, 0)` })
    .where(eq(serverProfiles.id, profileId));
}
