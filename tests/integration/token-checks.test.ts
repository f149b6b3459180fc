// Issue 18, item 6: the background token checks spread over their period, prove grants at most
// twice a run's share of the day, and take their turn among their profile's checks.
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, databaseKind } from '@/db';
import { mailboxes, oauthGrants, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { enqueueJob } from '@/lib/jobs/enqueue-job';
import { getJobStatus } from '@/lib/jobs/get-job-status';
import { getJobQueue, stopJobQueue } from '@/lib/jobs/job-queue';
import { jobs } from '@/lib/jobs/job-table';
import { startJobWorkers } from '@/lib/jobs/start-job-workers';
import { waitForJob } from '@/lib/jobs/wait-for-job';
import { planGrantChecks, profileCheckSlots, type ScheduledGrantCheck } from '@/lib/tokens/check-grants';
import { checkGrantJob, findGrantsToCheckJob } from '@/lib/tokens/token-jobs';
import { createUser } from '@/lib/users/users';
import { insertProfile } from '../helpers/fixtures';
import { labControl, labIsAvailable } from '../helpers/lab';
import { connectLabMailbox, createLabAccount, insertLabGoogleProfile } from '../helpers/lab-profiles';
import { waitUntil } from '../helpers/wait-until';

let owner: User;

/**
 * `count` connected mailboxes of `profile` with a grant each: an access token issued an hour before
 * it expires `expiresInMinutes` from now, last proven `checkedHoursAgo` hours ago (null: never).
 */
async function seedGrants(profile: ServerProfile, group: string, count: number, { expiresInMinutes, checkedHoursAgo }: { expiresInMinutes: number; checkedHoursAgo: number | null }) {
  await db.execute(sql`
    insert into mailboxes (address, owner_id, profile_id, approval, connection, status)
    select ${group} || '-' || n || '@example.org', ${owner.id}::uuid, ${profile.id}::uuid, 'approved', 'connected', 'active'
    from generate_series(1, ${count}::int) as n`);
  await db.execute(sql`
    insert into oauth_grants (mailbox_id, profile_id, account, refresh_token, access_token, access_token_expires_at, consented_at, last_refresh_at, last_checked_at)
    select m.id, m.profile_id, m.address, 'stored-refresh-token', 'stored-access-token',
      now() + ${expiresInMinutes} * interval '1 minute',
      now() - interval '2 days',
      now() + ${expiresInMinutes - 60} * interval '1 minute',
      ${checkedHoursAgo === null ? sql`null` : sql`now() - ${checkedHoursAgo} * interval '1 hour'`}
    from mailboxes m where m.address like ${`${group}-%`}`);
  const ids = (await db.select({ id: mailboxes.id }).from(mailboxes).where(like(mailboxes.address, `${group}-%`))).map((row) => row.id);
  return ids;
}

beforeAll(async () => {
  owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'checks-owner@example.org', role: 'owner' } });
});

afterAll(async () => {
  await stopJobQueue();
});

describe(`background token checks on ${databaseKind()}`, () => {
  let refreshes: string[];
  let neverProven: string[];
  let provenTwoDaysAgo: string[];
  let provenRecently: string[];

  beforeAll(async () => {
    const profile = await insertProfile({ name: 'Checked profile' });
    // Soonest expiry last in insertion order: the run must order them itself.
    refreshes = [
      ...(await seedGrants(profile, 'due-c', 1, { expiresInMinutes: 9, checkedHoursAgo: 1 })),
      ...(await seedGrants(profile, 'due-a', 1, { expiresInMinutes: 2, checkedHoursAgo: 1 })),
      ...(await seedGrants(profile, 'due-b', 1, { expiresInMinutes: 6, checkedHoursAgo: 1 })),
    ];
    neverProven = await seedGrants(profile, 'never', 505, { expiresInMinutes: 50, checkedHoursAgo: null });
    provenTwoDaysAgo = await seedGrants(profile, 'old', 5, { expiresInMinutes: 50, checkedHoursAgo: 48 });
    provenRecently = await seedGrants(profile, 'recent', 5, { expiresInMinutes: 50, checkedHoursAgo: 1 });
    // Not checked: a mailbox to reconnect, and a grant without a refresh token.
    const [reconnect] = await seedGrants(profile, 'reconnect', 1, { expiresInMinutes: 2, checkedHoursAgo: null });
    await db.update(mailboxes).set({ connection: 'needs_reconnect' }).where(eq(mailboxes.id, reconnect!));
    const [tokenless] = await seedGrants(profile, 'tokenless', 1, { expiresInMinutes: 2, checkedHoursAgo: null });
    await db.update(oauthGrants).set({ refreshToken: null }).where(eq(oauthGrants.mailboxId, tokenless!));
  });

  it('sends the refreshes due first, soonest expiry first, then the longest unproven grants, each at its moment of the period', async () => {
    const sent: ScheduledGrantCheck[] = [];
    const periodMs = 60_000;
    const counts = await planGrantChecks({ periodMs, send: async (page) => void sent.push(...page) });

    // 521 grants connected: twice a run's share of the day is 3 proofs; a run sends at least 500.
    expect(counts).toEqual({ refreshes: 3, proofs: 500 });
    expect(sent.slice(0, 3)).toEqual([
      expect.objectContaining({ mailboxId: refreshes[1], prove: false }),
      expect.objectContaining({ mailboxId: refreshes[2], prove: false }),
      expect.objectContaining({ mailboxId: refreshes[0], prove: false }),
    ]);
    const proven = sent.slice(3);
    expect(proven.every((check) => check.prove)).toBe(true);
    expect(proven.every((check) => neverProven.includes(check.mailboxId))).toBe(true);
    expect(new Set(proven.map((check) => check.mailboxId)).size).toBe(500);
    expect(sent.some((check) => [...provenTwoDaysAgo, ...provenRecently].includes(check.mailboxId))).toBe(false);

    // Evenly over the period: one moment every period / 503, from the first on.
    const first = sent[0]!.startAfter.getTime();
    const gaps = sent.slice(1).map((check, index) => check.startAfter.getTime() - sent[index]!.startAfter.getTime());
    expect(new Set(gaps.map((gap) => Math.abs(gap - periodMs / sent.length) < 1))).toEqual(new Set([true]));
    expect(sent.at(-1)!.startAfter.getTime() - first).toBeLessThan(periodMs);
  });

  it('runs as a job every five minutes, sending each check once while it waits for its moment', async () => {
    const queue = await getJobQueue();
    await startJobWorkers([findGrantsToCheckJob]);
    const sentAt = Date.now();
    const run = async () => (await waitForJob(findGrantsToCheckJob, (await enqueueJob(findGrantsToCheckJob, {}))!)).result;
    expect(await run()).toEqual({ refreshes: 3, proofs: 500 });
    const checks = await db
      .select({ key: jobs.data, startAfter: sql<string>`start_after::text` })
      .from(jobs)
      .where(eq(jobs.name, checkGrantJob.name));
    expect(checks).toHaveLength(503);
    const moments = checks.map((check) => Date.parse(check.startAfter));
    expect(Math.min(...moments)).toBeGreaterThanOrEqual(sentAt - 1_000);
    expect(Math.max(...moments)).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    // A second run finds the same grants due, whose checks still wait: none is sent twice.
    expect(await run()).toEqual({ refreshes: 3, proofs: 500 });
    expect(await queue.boss.getQueueSize(checkGrantJob.name, { before: 'active' })).toBe(503);
  });
});

describe.skipIf(!labIsAvailable)(`a profile's background checks on ${databaseKind()}`, () => {
  it('wait for their turn among the profile’s, counted across instances', async () => {
    // A client of its own, so the lab counts this test's refreshes alone.
    const client = await labControl.registerClient({ persona: 'google', redirectUris: ['http://localhost:3000/api/oauth/callback'], confidential: true });
    const profile = await insertLabGoogleProfile({ name: 'Lab Gmail (in turn)', client, maxConcurrentConnections: 2 });
    const mailboxIds: string[] = [];
    for (const name of ['turn-a', 'turn-b', 'turn-c']) {
      mailboxIds.push(await connectLabMailbox({ owner, address: await createLabAccount({ provider: 'google', name }), profile }));
    }
    const refreshesAtLab = async () => (await labControl.tokenRequests({ clientId: client.clientId })).google.refresh_token ?? 0;
    expect(await refreshesAtLab()).toBe(0);

    // Another instance holds both of the profile's turns.
    const queue = await getJobQueue();
    const held = await queue.slots.take({ name: profileCheckSlots(profile.id), limit: 2, count: 2 });
    await startJobWorkers([checkGrantJob]);
    const ids = await Promise.all(mailboxIds.map((mailboxId) => enqueueJob(checkGrantJob, { mailboxId, prove: true }, { singletonKey: mailboxId })));
    await waitUntil('the three checks to wait for a turn', () => (queue.slots.waiting(profileCheckSlots(profile.id)) === 3 ? true : undefined));
    expect(await refreshesAtLab()).toBe(0);
    expect(await Promise.all(ids.map(async (id) => (await getJobStatus(checkGrantJob, id!))?.state))).toEqual(['active', 'active', 'active']);

    await held.release();
    for (const id of ids) expect(await waitForJob(checkGrantJob, id!)).toMatchObject({ state: 'completed', result: 'valid' });
    expect(await refreshesAtLab()).toBe(3);
    const proven = await db.select({ lastCheckedAt: oauthGrants.lastCheckedAt }).from(oauthGrants).where(and(inArray(oauthGrants.mailboxId, mailboxIds)));
    expect(proven.every((grant) => grant.lastCheckedAt !== null)).toBe(true);
  });
});
