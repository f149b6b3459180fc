import 'server-only';
import { and, eq, exists, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { db, type Executor } from '@/db';
import { mailboxes, serverProfiles, users } from '@/db/schema';
import { AppError, invalidInput } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';

const service = alias(users, 'service_account');

/**
 * The mailboxes a service account reaches: every one, or only those of its profiles. Its list is
 * read from its own row inside the statement, so a change applies to its very next call, and a row
 * that is gone reaches nothing. Neither part refers to the mailbox row, so each is computed once
 * per statement rather than once per mailbox.
 */
export function serviceMailboxScope(serviceId: string): SQL {
  const ownRow = eq(service.id, serviceId);
  return or(
    exists(db.select({ one: sql`1` }).from(service).where(and(ownRow, isNull(service.profileIds)))),
    inArray(mailboxes.profileId, db.select({ profileId: sql`unnest(${service.profileIds})` }).from(service).where(ownRow)),
  )!;
}

/**
 * The names of the profiles a service account is limited to, for its audit trail: `all` when it is
 * not limited. Ids that name no profile are refused, naming the field, unless `storedList` says the
 * list is one already stored, whose deleted profiles are simply left out.
 */
export async function profileNamesFor(executor: Executor, profileIds: string[] | null, { storedList = false } = {}): Promise<string[] | 'all'> {
  if (profileIds === null) return 'all';
  const found = await executor.select({ id: serverProfiles.id, name: serverProfiles.name }).from(serverProfiles).where(inArray(serverProfiles.id, profileIds));
  const unknown = profileIds.filter((id) => !found.some((row) => row.id === id));
  if (unknown.length > 0 && !storedList) throw invalidInput({ profileIds: [phrase('problems.services.fields.unknownProfiles', { ids: unknown.join(', ') })] });
  return found.map((row) => row.name).sort();
}

/** Profile names as the command line takes them, as ids; an unknown name is not found. */
export async function profileIdsByName(names: string[]): Promise<string[]> {
  const found = await db.select({ id: serverProfiles.id, name: serverProfiles.name }).from(serverProfiles).where(inArray(serverProfiles.name, names));
  const unknown = names.filter((name) => !found.some((row) => row.name === name));
  if (unknown.length > 0) throw new AppError('NOT_FOUND', phrase('problems.services.unknownProfileNames', { names: unknown.join(', ') }));
  return found.map((row) => row.id);
}
