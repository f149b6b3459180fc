/**
 * The background token checks at 100,000 connected mailboxes (BENCH_MAILBOXES): a sample connected
 * through the lab's Google consent (real refresh tokens), the rest with seeded grants whose refresh
 * tokens the lab does not know (their check ends in invalid_grant: a real round trip and a recorded
 * failure all the same). Tokens were issued over the last hour, so a sixth of them are due for a
 * refresh ahead; proofs were made over the last 26 hours. Two profiles, 4 and 8 checks at once.
 *
 * Prints: one planning run (time, checks sent, how their moments spread over the five minutes to
 * come), then the checks worked by this process's workers at their moments for BENCH_WORK_SECONDS
 * (60): checks per second against the plan's pace, the most due and not yet taken, the most at once
 * per profile, and memory (RSS and heap) before, at its peak and after. Starts the mail lab in this process and a database
 * of its own (PGlite; PostgreSQL with DATABASE_URL). Asserts nothing.
 *   npm run bench:token-checks
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Lab } from '../scripts/lab/start-lab';
import { authorizeAsUser } from '../scripts/lab/headless-user';
import { openBenchDatabase } from './measure';

const COUNT = Number(process.env.BENCH_MAILBOXES ?? 100_000);
const SAMPLE = Number(process.env.BENCH_LAB_MAILBOXES ?? 50);
const WORK_SECONDS = Number(process.env.BENCH_WORK_SECONDS ?? 60);
const LIMITS = [4, 8];

const lab = await Lab.start();
const { personas, api } = lab.info;
const origins = [...Object.values(personas).flatMap((persona) => [persona.issuer, ...Object.values(persona.endpoints)]), ...Object.values(api).map((entry) => entry.baseUrl)];
const database = await openBenchDatabase({
  MAILROOM_EXTRA_PROVIDER_ORIGINS: [...new Set(origins.flatMap((url) => (url ? [new URL(url).origin] : [])))].join(','),
  MAILROOM_LOG_LEVEL: 'error',
});

const { closeDatabase, databaseKind, db } = await import('@/db');
const { mailboxes, oauthGrants, serverProfiles } = await import('@/db/schema');
const { migrateDatabase } = await import('@/db/migrate');
const { COMMAND_LINE_ACTOR } = await import('@/lib/audit/actor');
const { completeAuthorization } = await import('@/lib/connect/complete-authorization');
const { startAuthorization } = await import('@/lib/connect/start-authorization');
const { secretPlace } = await import('@/lib/crypto/secret-place');
const { encryptSecret } = await import('@/lib/crypto/secrets');
const { enqueueJobs } = await import('@/lib/jobs/enqueue-jobs');
const { getJobQueue, stopJobQueue } = await import('@/lib/jobs/job-queue');
const { jobs } = await import('@/lib/jobs/job-table');
const { startJobWorkers } = await import('@/lib/jobs/start-job-workers');
const { applyMailboxEvent, createMailbox } = await import('@/lib/mailboxes/mailboxes');
const { planGrantChecks, profileCheckSlots } = await import('@/lib/tokens/check-grants');
const { checkGrantJob } = await import('@/lib/tokens/token-jobs');
const { GRANT_CHECK_INTERVAL_MS } = await import('@/lib/tokens/token-freshness');
const { createUser } = await import('@/lib/users/users');
const { eq, sql } = await import('drizzle-orm');

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Samples memory (and anything else) every 50 ms until stopped; keeps the peaks. */
function sampleWhile(extra: () => void = () => {}) {
  const peak = { rss: 0, heapUsed: 0 };
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peak.rss = Math.max(peak.rss, rss);
    peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
    extra();
  };
  sample();
  const timer = setInterval(sample, 50);
  return {
    peak,
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

try {
  await migrateDatabase();
  const seedStart = performance.now();
  const owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'bench-owner@example.org', role: 'owner' } });
  const profiles: { id: string }[] = [];
  for (const [index, limit] of LIMITS.entries()) {
    const client = await lab.registerClient({ persona: 'google', redirectUris: ['http://localhost:3000/api/oauth/callback'], confidential: true, deviceFlow: false });
    const id = randomUUID();
    const [profile] = await db
      .insert(serverProfiles)
      .values({
        id,
        name: `Lab Gmail ${index + 1} (bench)`,
        serverType: 'gmail',
        authType: 'oauth2_code',
        clientId: client.clientId,
        clientSecret: encryptSecret(client.clientSecret!, secretPlace(serverProfiles.clientSecret, id)),
        clientSecretHint: '…lab',
        authorizationEndpoint: personas.google.endpoints.authorization,
        tokenEndpoint: personas.google.endpoints.token,
        revocationEndpoint: personas.google.endpoints.revocation,
        userinfoEndpoint: personas.google.endpoints.userinfo,
        issuer: personas.google.issuer,
        jwksEndpoint: personas.google.endpoints.jwks,
        tokenEndpointAuthMethod: 'client_secret_post',
        scopes: ['https://mail.google.com/', 'openid', 'email'],
        incomingHost: '127.0.0.1',
        incomingPort: 993,
        incomingSecurity: 'tls',
        outgoingHost: '127.0.0.1',
        outgoingPort: 465,
        outgoingSecurity: 'tls',
        internalServer: true,
        maxConcurrentConnections: limit,
      })
      .returning();
    profiles.push(profile!);
  }

  // The sample: real consents at the lab, as owners connect their mailboxes.
  for (let index = 0; index < SAMPLE; index += 1) {
    const email = `bench${index}@gmail.lab.test`;
    await lab.createAccount({ email, name: email, provider: 'google' });
    const mailbox = await createMailbox({
      actor: COMMAND_LINE_ACTOR,
      input: { address: email, ownerId: owner.id, profileId: profiles[index % 2]!.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
    });
    await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
    const started = (await startAuthorization({ viewer: owner, mailboxId: mailbox.id })) as { authorizationUrl: string };
    const callback = await authorizeAsUser({ authorizationUrl: started.authorizationUrl, email });
    const { outcome } = await completeAuthorization({ userId: owner.id, query: Object.fromEntries(callback.searchParams) });
    if (!outcome.ok) throw new Error(`The lab consent of ${email} failed: ${JSON.stringify(outcome)}`);
  }
  // The rest: seeded, a thousand rows per statement, each refresh token bound to its row.
  for (let start = SAMPLE; start < COUNT; start += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, COUNT - start) }, (_, offset) => {
      const index = start + offset;
      return { mailboxId: randomUUID(), grantId: randomUUID(), index, address: `seeded${String(index).padStart(7, '0')}@example.org`, profileId: profiles[index % 2]!.id };
    });
    await db.insert(mailboxes).values(
      rows.map(({ mailboxId, address, profileId }) => ({ id: mailboxId, address, ownerId: owner.id, profileId, approval: 'approved' as const, connection: 'connected' as const, status: 'active' as const })),
    );
    const now = Date.now();
    await db.insert(oauthGrants).values(
      rows.map(({ mailboxId, grantId, index, address, profileId }) => {
        // Issued over the last hour, lasting an hour; proven over the last 26 hours (one in 13 due).
        const issuedAt = new Date(now - ((index * 7919) % 3_600_000));
        return {
          id: grantId,
          mailboxId,
          profileId,
          account: address,
          scopes: ['https://mail.google.com/', 'openid', 'email'],
          refreshToken: encryptSecret(`seeded-${grantId}`, secretPlace(oauthGrants.refreshToken, grantId)),
          accessToken: encryptSecret(`seeded-access-${grantId}`, secretPlace(oauthGrants.accessToken, grantId)),
          accessTokenExpiresAt: new Date(issuedAt.getTime() + 3_600_000),
          consentedAt: new Date(now - 2 * 86_400_000),
          lastRefreshAt: issuedAt,
          lastCheckedAt: new Date(now - ((index * 104_729) % (26 * 3_600_000))),
        };
      }),
    );
  }
  await db.execute(sql`update server_profiles set mailbox_count = (select count(*) from mailboxes where profile_id = server_profiles.id)`);
  await db.execute(sql`analyze`);
  console.log(`${databaseKind()}: ${COUNT} connected mailboxes (${SAMPLE} through the lab's consent) in ${Math.round((performance.now() - seedStart) / 1000)} s`);

  // One planning run, as the five-minute schedule makes it, sending through pg-boss.
  const queue = await getJobQueue();
  const before = process.memoryUsage();
  const planning = sampleWhile();
  const planStart = performance.now();
  const planStartedAt = Date.now();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  const planned = await planGrantChecks({
    send: async (checks) => {
      for (const check of checks) {
        first = Math.min(first, check.startAfter.getTime());
        last = Math.max(last, check.startAfter.getTime());
      }
      await enqueueJobs(checkGrantJob, checks.map(({ mailboxId, prove, startAfter }) => ({ payload: { mailboxId, prove }, singletonKey: mailboxId, startAfter })), { queue });
    },
  });
  const planMs = performance.now() - planStart;
  const planPeak = planning.stop();
  const sent = planned.refreshes + planned.proofs;
  console.log(
    `planning run: ${Math.round(planMs)} ms, ${planned.refreshes} refreshes due and ${planned.proofs} proofs sent, ` +
      `moments from +${((first - planStartedAt) / 1000).toFixed(0)} s to +${((last - planStartedAt) / 1000).toFixed(0)} s, one every ${((last - first) / Math.max(sent - 1, 1)).toFixed(1)} ms; ` +
      `memory before ${megabytes(before.rss)} RSS / ${megabytes(before.heapUsed)} heap, peak ${megabytes(planPeak.rss)} / ${megabytes(planPeak.heapUsed)}`,
  );

  // The checks at their moments, for BENCH_WORK_SECONDS: do the workers keep the pace the plan set?
  // (pg-boss 10 sorts every job whose moment has passed at each fetch: a backlog would slow every fetch.)
  const mostAtOnce = profiles.map(() => 0);
  const working = sampleWhile(() => {
    for (const [index, profile] of profiles.entries()) mostAtOnce[index] = Math.max(mostAtOnce[index]!, queue.slots.held(profileCheckSlots(profile.id)));
  });
  const workStart = performance.now();
  await startJobWorkers([checkGrantJob], { queue });
  const countChecks = async () => {
    const [row] = await db
      .select({
        finished: sql<number>`count(*) filter (where ${jobs.state} in ('completed', 'failed'))`.mapWith(Number),
        due: sql<number>`count(*) filter (where start_after <= now())`.mapWith(Number),
        waiting: sql<number>`count(*) filter (where ${jobs.state} in ('created', 'retry') and start_after <= now())`.mapWith(Number),
      })
      .from(jobs)
      .where(eq(jobs.name, checkGrantJob.name));
    return row!;
  };
  let counts = await countChecks();
  let mostWaiting = 0;
  while (performance.now() - workStart < WORK_SECONDS * 1000 && counts.finished < sent) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    counts = await countChecks();
    mostWaiting = Math.max(mostWaiting, counts.waiting);
  }
  const workSeconds = (performance.now() - workStart) / 1000;
  const workPeak = working.stop();
  const after = process.memoryUsage();
  console.log(
    `checks in ${workSeconds.toFixed(0)} s: ${counts.finished} done of ${counts.due} due by then, ${(counts.finished / workSeconds).toFixed(1)} checks/s ` +
      `(the plan's pace: ${(sent / (GRANT_CHECK_INTERVAL_MS / 1000)).toFixed(1)}/s); most due and not yet taken ${mostWaiting}; ` +
      `most at once per profile ${mostAtOnce.map((most, index) => `${most} (limit ${LIMITS[index]})`).join(', ')}; ` +
      `memory peak ${megabytes(workPeak.rss)} RSS / ${megabytes(workPeak.heapUsed)} heap, after ${megabytes(after.rss)} / ${megabytes(after.heapUsed)}`,
  );
} finally {
  await stopJobQueue();
  await closeDatabase();
  await database.drop();
  await lab.stop();
}
