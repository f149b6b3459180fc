import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { phrase, type Text } from '@/lib/i18n/text';
import type { MailApiConnection } from '@/lib/mail-api/api-request';
import { grantsApiRight, type ApiRight } from '@/lib/mail-api/api-scopes';
import { getGmailInbox, getGmailProfile, listGmailInboxMessages } from '@/lib/mail-api/gmail';
import { findGraphInboxMessages, getGraphInbox, getGraphUser, type GraphMailbox, type GraphUser } from '@/lib/mail-api/graph';
import { MailApiError, type MailApiService } from '@/lib/mail-api/mail-api-error';
import { sendMessageThroughApi } from '@/lib/mail-api/send-message-through-api';
import { BlockedAddressError } from '@/lib/net/address-policy';
import { OutboundRequestError } from '@/lib/net/guarded-fetch';
import type { ApiProtocol } from '@/lib/providers/provider';
import type { ApiEvidence, FailureEvidence } from './classify-failure';
import { obtainAccessToken } from './credentials';
import type { TestContext } from './open-server';
import { runStep } from './run-step';
import type { Direction, StepName } from './types';

export type ApiCheckContext = TestContext & {
  protocol: ApiProtocol;
  /** The profile's API root (endpoints.api). */
  apiRoot: string;
  /** A Microsoft 365 shared mailbox, reached through its delegate's token. */
  shared: boolean;
  direction: Direction;
  sendTestMessage: boolean;
};

const SERVICE_OF: Record<ApiProtocol, MailApiService> = { graph: 'graph', gmail_api: 'gmail' };
const POLL_INTERVAL_MS = 1_000;
/** Kept from each step's time limit so that a step that runs out says why itself, before runStep's timer does. */
const STEP_MARGIN_MS = 500;
const TEST_MESSAGE_TEXT = 'Mailroom sent this message to check that the mailbox can send. You can delete it.';

/** What the tester itself found wrong, without any refusal from the provider. */
class ApiFinding extends Error {
  constructor(
    message: string,
    readonly facts: Pick<ApiEvidence, 'otherAccount' | 'notArrivedWithin' | 'lacksRight'>,
  ) {
    super(message);
    this.name = 'ApiFinding';
  }
}

const yes = (known: unknown) => (known ? 'yes' : 'no');
const sameAddress = (a: string | null | undefined, b: string) => (a ?? '').trim().toLowerCase() === b.trim().toLowerCase();

/** The first error code Node or undici gave under the guard's error (ECONNREFUSED, ENOTFOUND, a certificate's…). */
function underlyingCode(error: OutboundRequestError): string | undefined {
  for (let current: unknown = error.cause, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A failed step's evidence: the provider's refusal, the tester's own finding, or the network guard's failure. */
function evidenceOf(error: unknown, facts: ApiEvidence): Partial<FailureEvidence> {
  if (error instanceof MailApiError) {
    const { status, code, message, retryAfterSeconds, activationUrl } = error;
    // The provider's code is no network code: it stays out of errorCode.
    return { api: { ...facts, refusal: { status, code, message, retryAfterSeconds, activationUrl } }, errorCode: undefined };
  }
  if (error instanceof ApiFinding) return { api: { ...facts, ...error.facts } };
  if (error instanceof OutboundRequestError) {
    if (error.cause instanceof BlockedAddressError) {
      const { host, address, verdict } = error.cause;
      return { api: facts, errorCode: 'BLOCKED_ADDRESS', blocked: { host, address, verdict } };
    }
    if (error.code === 'timeout') return { api: facts, errorCode: 'ETIMEDOUT' };
    return { api: facts, errorCode: underlyingCode(error) ?? error.code, reply: error.message };
  }
  return { api: facts };
}

/** How people read who a Graph user is: the address, else the sign-in name. */
const graphAddress = (user: GraphUser) => user.mail ?? user.userPrincipalName ?? user.id;
const isGraphUser = (user: GraphUser, address: string) => sameAddress(user.mail, address) || sameAddress(user.userPrincipalName, address);

/**
 * A direction that goes through Microsoft Graph or the Gmail API, in steps a person can read, each
 * timed and recorded like the socket steps: the access token; the account (it must be the
 * mailbox, or for a shared mailbox its delegate, reaching the mailbox through /users/{mailbox});
 * then the inbox (incoming), or the send right in the grant's scopes (outgoing) and, on request, a
 * real message to the mailbox itself, seen arriving in its inbox within the step's time.
 */
export async function checkApi(context: ApiCheckContext): Promise<void> {
  const { protocol, credentials, address } = context;
  if (credentials.kind !== 'oauth') throw new Error('A web API direction needs an OAuth profile');
  const service = SERVICE_OF[protocol];
  const shared = context.shared && protocol === 'graph';
  const token = await obtainAccessToken(protocol, context);
  const grantedScopes = await credentials.getGrantedScopes();
  const mailboxPath: GraphMailbox = shared ? { address } : 'me';
  const can = (right: ApiRight) => grantsApiRight({ protocol, granted: grantedScopes, right, shared });

  /** Runs one step with a connection whose deadline is the step's own, noting any wait the provider asked for. */
  const step = <T>(name: StepName, right: ApiRight, work: (connection: MailApiConnection) => Promise<{ value: T; detail: Text }>) =>
    runStep(
      {
        name,
        stage: 'api',
        protocol,
        context,
        evidence: (error) => evidenceOf(error, { service, right, mailbox: address, account: token.account, shared, grantedScopes }),
      },
      async () => {
        let waitedSeconds = 0;
        const connection: MailApiConnection = {
          root: context.apiRoot,
          accessToken: token.accessToken,
          allowInternal: context.internalServer,
          caCertificates: context.caCertificates,
          timeoutMs: context.timeoutMs,
          deadline: Date.now() + context.timeoutMs - STEP_MARGIN_MS,
          onThrottled: ({ seconds }) => (waitedSeconds += seconds),
        };
        const { value, detail } = await work(connection);
        return { value, detail: waitedSeconds > 0 ? phrase('tester.details.afterThrottling', { detail, service, seconds: waitedSeconds }) : detail };
      },
    );

  await step('apiAccount', 'account', async (connection) => {
    if (protocol === 'gmail_api') {
      const profile = await getGmailProfile({ connection });
      if (!sameAddress(profile.emailAddress, address)) {
        throw new ApiFinding(`The Gmail API answers for ${profile.emailAddress}, not for ${address}.`, { otherAccount: profile.emailAddress });
      }
      return { value: undefined, detail: phrase('tester.details.apiAccount', { service, account: profile.emailAddress, named: 'no', name: '' }) };
    }
    const me = await getGraphUser({ connection, mailbox: 'me' });
    const expected = shared ? token.account : address;
    if (!isGraphUser(me, expected)) {
      throw new ApiFinding(`Microsoft Graph answers for ${graphAddress(me)}, not for ${expected}.`, { otherAccount: graphAddress(me) });
    }
    if (shared) {
      await getGraphUser({ connection, mailbox: mailboxPath });
      return { value: undefined, detail: phrase('tester.details.apiSharedAccount', { account: graphAddress(me), mailbox: address }) };
    }
    return { value: undefined, detail: phrase('tester.details.apiAccount', { service, account: graphAddress(me), named: yes(me.displayName), name: me.displayName ?? '' }) };
  });

  if (context.direction === 'incoming') {
    await step('apiInbox', 'read', async (connection) => {
      const counts =
        protocol === 'graph'
          ? await getGraphInbox({ connection, mailbox: mailboxPath }).then((inbox) => ({ count: inbox.totalItemCount, unread: inbox.unreadItemCount }))
          : await getGmailInbox({ connection }).then((inbox) => ({ count: inbox.messagesTotal, unread: inbox.messagesUnread }));
      return { value: undefined, detail: phrase('tester.details.apiInboxCount', { count: counts.count ?? 0, unread: counts.unread ?? 0 }) };
    });
    return;
  }

  await step('sendRight', 'send', async () => {
    if (!can('send')) throw new ApiFinding(`None of the granted scopes allows sending: ${grantedScopes.join(' ') || 'none'}.`, { lacksRight: true });
    return { value: undefined, detail: phrase('tester.details.sendRight', { scopes: grantedScopes.join(' ') }) };
  });
  if (!context.sendTestMessage) return;

  // A subject of its own finds this message, and no earlier test's, in the inbox (Graph; Gmail finds it by its Message-ID).
  const subject = `Mailroom connection test ${randomBytes(4).toString('hex')}`;
  const messageId = await step('testMessage', 'send', async (connection) => {
    const sent = await sendMessageThroughApi({ protocol, connection, sender: { address, shared }, mail: { to: [address], subject, text: TEST_MESSAGE_TEXT } });
    return { value: sent.messageId, detail: phrase('tester.details.sentThroughApi', { subject, address, service, identified: yes(sent.messageId), messageId: sent.messageId ?? '' }) };
  });
  // A grant that may only send cannot look in the inbox: the provider's acceptance is all there is to see.
  if (!can('read')) return;
  await step('testMessageArrived', 'read', async (connection) => {
    const started = Date.now();
    for (;;) {
      const found =
        protocol === 'graph'
          ? (await findGraphInboxMessages({ connection, mailbox: mailboxPath, subject })).length > 0
          : (await listGmailInboxMessages({ connection, q: messageId ? `rfc822msgid:${messageId}` : `subject:"${subject}"` })).length > 0;
      if (found) return { value: undefined, detail: phrase('tester.details.arrived', { seconds: Math.round((Date.now() - started) / 100) / 10 }) };
      if (Date.now() + POLL_INTERVAL_MS >= connection.deadline) {
        const seconds = Math.round(context.timeoutMs / 1000);
        throw new ApiFinding(`Not in the inbox of ${address} after ${seconds} seconds.`, { notArrivedWithin: seconds });
      }
      await sleep(POLL_INTERVAL_MS);
    }
  });
}
