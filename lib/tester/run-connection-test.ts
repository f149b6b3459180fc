import 'server-only';
import { and, desc, eq, isNull, lt, notInArray, sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseKind, db, type Executor } from '@/db';
import {
  connectionTests,
  mailboxes,
  serverProfiles,
  type ConnectionTest,
  type DirectionResult,
  type Mailbox,
  type ServerProfile,
} from '@/db/schema';
import { SYSTEM_ACTOR, userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret, SecretDecryptionError } from '@/lib/crypto/secrets';
import { AppError, notFound, problemOf } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { describeError, logger } from '@/lib/logger';
import { transitionAfterTest } from '@/lib/mailboxes/status';
import { recordMailboxTestVerdict } from '@/lib/mailboxes/record-connection';
import { recordUnreadablePassword } from '@/lib/mailboxes/unreadable-password';
import { apiRootOf, apiTargetOf, socketTargetOf } from '@/lib/mail/server-target';
import { resolveAllowedAddress } from '@/lib/net/address-policy';
import { isApiProtocol, type ApiProtocol } from '@/lib/providers/provider';
import { getAccessToken } from '@/lib/tokens/get-access-token';
import { getGrant } from '@/lib/tokens/grants';
import { checkApi } from './api-check';
import { connectionTestResultOf, getConnectionTest, type ConnectionTestResult } from './connection-tests';
import { checkImap } from './imap-check';
import type { TestContext } from './open-server';
import { checkPop3 } from './pop3-check';
import { StepFailure } from './run-step';
import { checkSmtp } from './smtp-check';
import { createStepWriter, type StepWriter } from './step-writer';
import type { Credentials, Direction, ResolvedHost, TestFailure } from './types';

/** Tests kept per mailbox; older ones are deleted when a new one starts. */
export const TESTS_KEPT = 50;
/** A test still unfinished after this long was cut short (a process died): it no longer blocks new ones. */
export const ABANDONED_AFTER_MS = 10 * 60 * 1000;
const JOIN_POLL_MS = 200;

export type TestStarter = { id: string; email: string } | null;

export type RunConnectionTestOptions = {
  mailboxId: string;
  /** The person who asked, or null for the system (a background job). */
  startedBy: TestStarter;
  /** Also send a real message from the mailbox to itself. */
  sendTestMessage?: boolean;
  /** PEM certificates trusted besides Node's CA store (a company CA, the lab's CA in tests). */
  trustedCertificates?: string[];
};

const NOT_RUN: DirectionResult = { status: 'not_run', error: null };
const RUNNING: DirectionResult = { status: 'running', error: null };

/** The mailbox a test is for and its profile. */
export type TestedMailbox = { mailbox: Mailbox; profile: ServerProfile };

function isEnabled(mailbox: Mailbox, direction: Direction): boolean {
  return mailbox[direction] === 'server_side';
}

/**
 * Starts a test, or joins the one already running for this mailbox: the check and the insert
 * happen under a lock on the mailbox row, so two clicks (or two portal instances) never start two.
 */
export async function createOrJoinConnectionTest({
  mailboxId,
  startedBy,
}: Pick<RunConnectionTestOptions, 'mailboxId' | 'startedBy'>): Promise<{ test: ConnectionTest; joined: boolean; tested: TestedMailbox }> {
  return db.transaction(async (tx) => {
    // Not worth a wait for PostgreSQL's disk flush (4 ms on the bench's machine): a start lost to a
    // crash is a test that never ran, and the verdict's commit, durable, flushes it anyway.
    if (databaseKind() === 'postgres') await tx.execute(sql`set local synchronous_commit = off`);
    const [tested] = await tx
      .select({ mailbox: mailboxes, profile: serverProfiles })
      .from(mailboxes)
      .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
      .where(eq(mailboxes.id, mailboxId))
      .for('update', { of: mailboxes });
    if (!tested) throw notFound('mailbox');
    const { mailbox } = tested;
    const abandonedBefore = new Date(Date.now() - ABANDONED_AFTER_MS);
    const [running] = await tx
      .select()
      .from(connectionTests)
      .where(and(eq(connectionTests.mailboxId, mailboxId), isNull(connectionTests.ok)))
      .orderBy(desc(connectionTests.startedAt))
      .limit(1);
    if (running && running.startedAt > abandonedBefore) return { test: running, joined: true, tested };
    if (running) await closeAbandonedConnectionTests({ mailboxId, executor: tx });
    if (mailbox.connection === 'not_connected') {
      throw new AppError('CONFLICT', phrase('tester.problems.connectFirst'));
    }
    if (!isEnabled(mailbox, 'incoming') && !isEnabled(mailbox, 'outgoing')) {
      throw new AppError('CONFLICT', phrase('tester.problems.nothingToTest'));
    }
    const [test] = await tx
      .insert(connectionTests)
      .values({
        mailboxId,
        startedById: startedBy?.id ?? null,
        incoming: isEnabled(mailbox, 'incoming') ? RUNNING : NOT_RUN,
        outgoing: isEnabled(mailbox, 'outgoing') ? RUNNING : NOT_RUN,
      })
      .returning();
    const kept = tx
      .select({ id: connectionTests.id })
      .from(connectionTests)
      .where(eq(connectionTests.mailboxId, mailboxId))
      .orderBy(desc(connectionTests.startedAt), desc(connectionTests.id))
      .limit(TESTS_KEPT);
    await tx.delete(connectionTests).where(and(eq(connectionTests.mailboxId, mailboxId), notInArray(connectionTests.id, kept)));
    return { test: test!, joined: false, tested };
  });
}

/** A failure of the tester itself, not of a server: no step of the test says more. */
function testerFailure(name: 'interrupted' | 'crashed' | 'couldNotStart'): TestFailure {
  const problem = problemOf('unknown', phrase(`tester.problems.${name}`));
  return { ...problem, code: 'unknown', hint: problem.hint ?? '' };
}

const INTERRUPTED: DirectionResult = { status: 'failure', error: testerFailure('interrupted') };

/**
 * Closes as failed the tests still "running" past their time, left so by a portal instance that
 * stopped midway; the directions that had not finished say so. Runs when an instance starts and
 * before a mailbox's next test. Returns how many were closed.
 */
export async function closeAbandonedConnectionTests({ mailboxId, executor = db }: { mailboxId?: string; executor?: Executor } = {}): Promise<number> {
  const abandonedBefore = new Date(Date.now() - ABANDONED_AFTER_MS);
  const abandoned = await executor
    .select()
    .from(connectionTests)
    .where(and(isNull(connectionTests.ok), lt(connectionTests.startedAt, abandonedBefore), mailboxId ? eq(connectionTests.mailboxId, mailboxId) : undefined));
  const interrupted = (result: DirectionResult) => (result.status === 'running' ? INTERRUPTED : result);
  for (const test of abandoned) {
    await executor
      .update(connectionTests)
      .set({ ok: false, finishedAt: new Date(), incoming: interrupted(test.incoming), outgoing: interrupted(test.outgoing) })
      .where(and(eq(connectionTests.id, test.id), isNull(connectionTests.ok)));
  }
  if (abandoned.length > 0) logger.warn('Closed interrupted connection tests', { count: abandoned.length });
  return abandoned.length;
}

function credentialsOf(mailbox: Mailbox, profile: ServerProfile, startedAt: Date): Credentials {
  if (profile.authType === 'password') {
    if (!mailbox.password) {
      throw new AppError('CONFLICT', phrase('tester.problems.noPassword'));
    }
    return { kind: 'password', user: mailbox.address, password: decryptSecret(mailbox.password, secretPlace(mailboxes.password, mailbox.id)) };
  }
  // One refresh for both directions, made for this test: a refusal right after it is not an old token's fault.
  let token: ReturnType<typeof getAccessToken> | undefined;
  return {
    kind: 'oauth',
    user: mailbox.address,
    getAccessToken: () => (token ??= getAccessToken({ mailboxId: mailbox.id, refreshedSince: startedAt })),
    getGrantedScopes: async () => (await getGrant(db, mailbox.id))?.scopes ?? [],
  };
}

async function runDirection(direction: Direction, run: () => Promise<void>): Promise<DirectionResult> {
  try {
    await run();
    return { status: 'success', error: null };
  } catch (error) {
    if (error instanceof StepFailure) return { status: 'failure', error: error.failure };
    logger.error('connection test step crashed', { direction, error: describeError(error) });
    return { status: 'failure', error: testerFailure('crashed') };
  }
}

/**
 * Runs the checks of a started test and writes the verdict: test row, mailbox statuses, audit.
 * Resolves with the finished test, or null when its mailbox was deleted meanwhile. `tested` is
 * the mailbox and profile as the test's start read them, when the caller has them.
 */
export async function runStartedConnectionTest(
  test: ConnectionTest,
  options: Required<Pick<RunConnectionTestOptions, 'sendTestMessage' | 'trustedCertificates'>> &
    Pick<RunConnectionTestOptions, 'startedBy'> & { tested?: TestedMailbox },
): Promise<ConnectionTestResult | null> {
  const [row] = options.tested
    ? [options.tested]
    : await db
        .select({ mailbox: mailboxes, profile: serverProfiles })
        .from(mailboxes)
        .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
        .where(eq(mailboxes.id, test.mailboxId));
  let results: Record<Direction, DirectionResult>;
  const steps = createStepWriter(test.id);
  try {
    if (!row) throw notFound('mailbox');
    const { mailbox, profile } = row;
    const credentials = credentialsOf(mailbox, profile, test.startedAt);
    const secrets = new Set<string>(credentials.kind === 'password' ? [credentials.password] : []);
    // Both directions often name one host: it is resolved (and judged) once for the whole test.
    const resolutions = new Map<string, Promise<ResolvedHost>>();
    const resolveHost = (host: string) => {
      let resolution = resolutions.get(host);
      if (!resolution) {
        resolution = resolveAllowedAddress({ host, internalServer: profile.internalServer });
        resolutions.set(host, resolution);
      }
      return resolution;
    };
    const contextFor = (direction: Direction, apiProtocol?: ApiProtocol): TestContext => ({
      target: apiProtocol ? apiTargetOf(apiRootOf(profile, apiProtocol)) : socketTargetOf(profile, direction)!,
      address: mailbox.address,
      credentials,
      serverType: profile.serverType,
      internalServer: profile.internalServer,
      timeoutMs: profile.connectionTimeoutSeconds * 1000,
      acceptedCertificates: profile.trustedCertificates,
      caCertificates: options.trustedCertificates,
      secrets,
      recordStep: (step) => steps.record(direction, step),
      resolveHost,
    });
    const checkThroughApi = (direction: Direction, protocol: ApiProtocol) =>
      checkApi({
        ...contextFor(direction, protocol),
        protocol,
        apiRoot: apiRootOf(profile, protocol),
        shared: mailbox.shared,
        direction,
        sendTestMessage: direction === 'outgoing' && options.sendTestMessage,
      });
    const checkIncoming = () => {
      const protocol = profile.incomingProtocol;
      if (isApiProtocol(protocol)) return checkThroughApi('incoming', protocol);
      return protocol === 'pop3' ? checkPop3(contextFor('incoming')) : checkImap(contextFor('incoming'));
    };
    const checkOutgoing = () => {
      const protocol = profile.outgoingProtocol;
      if (isApiProtocol(protocol)) return checkThroughApi('outgoing', protocol);
      return checkSmtp({ ...contextFor('outgoing'), sendTestMessage: options.sendTestMessage });
    };
    // Incoming and outgoing at once: each has its own connections and its own timeouts.
    const [incoming, outgoing] = await Promise.all([
      isEnabled(mailbox, 'incoming') ? runDirection('incoming', checkIncoming) : NOT_RUN,
      isEnabled(mailbox, 'outgoing') ? runDirection('outgoing', checkOutgoing) : NOT_RUN,
    ]);
    results = { incoming, outgoing };
  } catch (error) {
    const unreadable = error instanceof SecretDecryptionError ? await recordUnreadablePassword(test.mailboxId, error) : null;
    const wordsOf = ({ key, values }: { key?: string; values?: TestFailure['values'] }) => (key ? { key, ...(values ? { values } : {}) } : {});
    const failure: TestFailure = unreadable
      ? { code: 'secret_unreadable', message: unreadable.message, hint: unreadable.hint, ...wordsOf(unreadable) }
      : error instanceof AppError
          ? { code: 'auth_failed', message: error.message, hint: error.hint ?? '', ...wordsOf(error) }
          : testerFailure('couldNotStart');
    if (!(error instanceof AppError) && !unreadable) logger.error('connection test failed to start', { error: describeError(error) });
    results = { incoming: { status: 'failure', error: failure }, outgoing: { status: 'failure', error: failure } };
  }
  const finished = await recordVerdict({ test, results, startedBy: options.startedBy, steps });
  return finished ? connectionTestResultOf(finished, steps.rows()) : null;
}

const statusOf = (result: DirectionResult) => (result.status === 'success' ? 'success' : result.status === 'failure' ? 'failure' : 'not_run');

/**
 * The test's last steps, its verdict, the mailbox's statuses and the audit event, in one
 * transaction. Every status the verdict writes comes from transitionAfterTest: a pass activates
 * what may be active, a failure makes it failing.
 */
async function recordVerdict({
  test,
  results,
  startedBy,
  steps,
}: {
  test: ConnectionTest;
  results: Record<Direction, DirectionResult>;
  startedBy: TestStarter;
  steps: StepWriter;
}): Promise<ConnectionTest | null> {
  const finishedAt = new Date();
  await steps.stop();
  return db.transaction(async (tx) => {
    const [mailbox] = await tx.select().from(mailboxes).where(eq(mailboxes.id, test.mailboxId)).for('update');
    // Deleted meanwhile, and its tests with it.
    if (!mailbox) return null;
    const verdict = transitionAfterTest(mailbox, {
      results: { incomingStatus: statusOf(results.incoming), outgoingStatus: statusOf(results.outgoing) },
      failure: results.incoming.error ?? results.outgoing.error,
      finishedAt,
    });
    const ok = verdict.outcome !== 'failed';
    const activated = verdict.outcome === 'activated';
    // Four writes to four tables, sent together: PostgreSQL gets them in one round trip.
    const [, , [finished]] = await Promise.all([
      steps.finish(tx),
      recordMailboxTestVerdict(tx, { mailboxId: mailbox.id, patch: verdict.patch, finishedAt }),
      tx
        .update(connectionTests)
        .set({ ok, activated, incoming: results.incoming, outgoing: results.outgoing, finishedAt })
        .where(eq(connectionTests.id, test.id))
        .returning(),
      recordAuditEvent(tx, {
        actor: startedBy ? userActor(startedBy) : SYSTEM_ACTOR,
        action: 'mailbox.test',
        target: { type: 'mailbox', id: mailbox.id },
        mailboxId: mailbox.id,
        profileId: mailbox.profileId,
        detail: {
          address: mailbox.address,
          testId: test.id,
          ok,
          activated,
          failing: [results.incoming.error?.code, results.outgoing.error?.code].filter(Boolean),
        },
      }),
    ]);
    return finished ?? null;
  });
}

/** Resolves with the test once it has a verdict (whichever instance runs it), or at its deadline. */
export async function waitForTest({ mailboxId, testId }: { mailboxId: string; testId: string }): Promise<ConnectionTestResult> {
  for (;;) {
    const current = await getConnectionTest({ mailboxId, testId });
    if (!current) throw notFound('test');
    if (current.ok !== null || Date.now() > Date.parse(current.startedAt) + ABANDONED_AFTER_MS) return current;
    await sleep(JOIN_POLL_MS);
  }
}

/**
 * Tests a mailbox's incoming and outgoing servers at once and activates it when every enabled
 * direction passes; resolves with the finished test. A test already running is joined, not repeated.
 * Callers check who may test the mailbox; a background job calls it with `startedBy: null`.
 */
export async function runConnectionTestInProcess(options: RunConnectionTestOptions): Promise<ConnectionTestResult & { joined: boolean }> {
  const { test, joined, tested } = await createOrJoinConnectionTest(options);
  const finished = joined
    ? null
    : await runStartedConnectionTest(test, {
        startedBy: options.startedBy,
        sendTestMessage: options.sendTestMessage ?? false,
        trustedCertificates: options.trustedCertificates ?? [],
        tested,
      });
  return { ...(finished ?? (await waitForTest({ mailboxId: test.mailboxId, testId: test.id }))), joined };
}
