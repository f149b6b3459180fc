import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '@/db';
import { mailboxImportBatches, mailboxes, serverProfiles } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { recordAuditEvents } from '@/lib/audit/record-audit-event';
import { AppError } from '@/lib/errors';
import { phrase, type Text } from '@/lib/i18n/text';
import { releaseProfilePlace, takeProfilePlace } from '@/lib/profiles/profile-capacity';
import type { ImportRowResult, PlannedMailbox, PlannedRow } from './import-plan';
import { problemTexts } from './status';

/** Rows by the profile they go to, in file order (Node 20 has no Map.groupBy). */
function byProfile<T extends { mailbox: PlannedMailbox }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.mailbox.profileId, [...(groups.get(row.mailbox.profileId) ?? []), row]);
  return groups;
}

/** What `execute` answers, as rows: postgres-js gives an array, PGlite an object holding them. */
function rowsOf<Row>(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
}

async function refusalOf(attempt: () => Promise<void>): Promise<Text | null> {
  try {
    await attempt();
    return null;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return problemTexts(error).message;
  }
}

/**
 * Takes up to `wanted` places in a profile, as many as its cap leaves: the plan counted them, but
 * another change may have taken some since. What is refused then carries the profile's own refusal.
 */
async function takePlaces(executor: Executor, profileId: string, wanted: number): Promise<{ granted: number; refusal: Text | null }> {
  const refusal = await refusalOf(() => takeProfilePlace(executor, profileId, wanted));
  if (!refusal) return { granted: wanted, refusal: null };
  // Locked from here to the end of the transaction: what is free now stays free for this batch.
  const [profile] = await executor
    .select({ cap: serverProfiles.mailboxCap, count: serverProfiles.mailboxCount })
    .from(serverProfiles)
    .where(eq(serverProfiles.id, profileId))
    .for('update');
  if (!profile) return { granted: 0, refusal };
  const free = profile.cap === null ? wanted : Math.min(wanted, Math.max(0, profile.cap - profile.count));
  if (free > 0) await takeProfilePlace(executor, profileId, free);
  if (free === wanted) return { granted: wanted, refusal: null };
  return { granted: free, refusal: (await refusalOf(() => takeProfilePlace(executor, profileId, 1))) ?? refusal };
}

/** Creates the batch's planned mailboxes with one insert and one audit insert; answers every row's final result. */
async function createPlannedMailboxes(executor: Executor, actor: AuditActor, batch: PlannedRow[]): Promise<ImportRowResult[]> {
  const results = new Map(batch.map((planned) => [planned.result.line, planned.result]));
  const toCreate = batch.filter((planned): planned is PlannedRow & { mailbox: PlannedMailbox } => planned.mailbox !== null);
  const admitted: typeof toCreate = [];
  for (const [profileId, rows] of byProfile(toCreate)) {
    const { granted, refusal } = await takePlaces(executor, profileId, rows.length);
    admitted.push(...rows.slice(0, granted));
    for (const { result } of rows.slice(granted)) results.set(result.line, { ...result, outcome: 'refused', reason: refusal });
  }
  if (admitted.length > 0) {
    // An address created since the plan was made is skipped, as the plan would have said.
    const rows = admitted.map(({ mailbox }) => ({ address: mailbox.address, owner_id: mailbox.ownerId, profile_id: mailbox.profileId }));
    // One JSON value rather than a VALUES list of three parameters a row: cheaper to send and to plan (see recordAuditEvents).
    const created = rowsOf<{ id: string; address: string }>(
      await executor.execute(sql`
        insert into ${mailboxes} (address, owner_id, profile_id)
        select address, owner_id, profile_id from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as mailbox(address text, owner_id uuid, profile_id uuid)
        on conflict (address) do nothing
        returning id, address
      `),
    );
    const idByAddress = new Map(created.map((row) => [row.address, row.id]));
    const taken = admitted.filter(({ mailbox }) => !idByAddress.has(mailbox.address));
    for (const { result } of taken) results.set(result.line, { ...result, outcome: 'skipped', reason: phrase('mailbox.fields.addressTaken') });
    for (const [profileId, rows] of byProfile(taken)) await releaseProfilePlace(executor, profileId, rows.length);
    await recordAuditEvents(
      executor,
      admitted.flatMap(({ mailbox }) => {
        const id = idByAddress.get(mailbox.address);
        if (!id) return [];
        return [
          {
            actor,
            action: 'mailbox.create',
            target: { type: 'mailbox', id },
            mailboxId: id,
            profileId: mailbox.profileId,
            detail: { address: mailbox.address, owner: mailbox.ownerEmail, profile: mailbox.profileName },
          },
        ];
      }),
    );
  }
  return batch.map((planned) => results.get(planned.result.line)!);
}

/**
 * Writes one batch of an import inside the caller's transaction: its mailboxes, their audit events
 * and places in their profiles (none for a preview), and the batch's results, all or nothing.
 */
export async function writeImportBatch(
  executor: Executor,
  { importId, actor, dryRun, batch }: { importId: string; actor: AuditActor; dryRun: boolean; batch: PlannedRow[] },
): Promise<ImportRowResult[]> {
  const results = dryRun ? batch.map((planned) => planned.result) : await createPlannedMailboxes(executor, actor, batch);
  await executor.insert(mailboxImportBatches).values({ importId, firstLine: batch[0]!.result.line, rows: results });
  return results;
}
