import 'server-only';
import { db } from '@/db';
import { mailboxes, type Mailbox, type OutboxMessage, type OutgoingContent, type ServerProfile } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret, SecretDecryptionError } from '@/lib/crypto/secrets';
import { problemOf, type Problem } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { apiRootOf, directionServerName, socketTargetOf } from '@/lib/mail/server-target';
import type { SubmissionSignIn } from '@/lib/mail/submission-transport';
import { requestMailApi, type MailApiConnection } from '@/lib/mail-api/api-request';
import { sendGmailMessage } from '@/lib/mail-api/gmail';
import { MailApiError } from '@/lib/mail-api/mail-api-error';
import { recordUnreadablePassword } from '@/lib/mailboxes/unreadable-password';
import { BlockedAddressError, resolveAllowedAddress } from '@/lib/net/address-policy';
import { OutboundRequestError } from '@/lib/net/guarded-fetch';
import { CertificateError } from '@/lib/net/line-connection';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { isApiProtocol, type ApiProtocol } from '@/lib/providers/provider';
import { classifyFailure, type FailureEvidence } from '@/lib/tester/classify-failure';
import { redact } from '@/lib/tester/run-step';
import { getTrustedCertificates } from '@/lib/tester/trusted-context';
import { getGrant } from '@/lib/tokens/grants';
import { getAccessToken } from '@/lib/tokens/get-access-token';
import { composeMessage, smtpData, type ComposedMessage } from './compose-message';
import { SubmissionError, submitMessage, type AcceptedSubmission } from './smtp-submission';

/** An attempt that did not send: classified as the tester classifies, and whether trying later may succeed. */
export class DeliveryFailure extends Error {
  constructor(
    readonly failure: Problem,
    readonly temporary: boolean,
  ) {
    super(failure.message);
    this.name = 'DeliveryFailure';
  }
}

/** Thrown by `beforeHandoff` when the attempt's lease was lost: another worker owns the message now. */
export class LeaseLostError extends Error {
  constructor() {
    super('The message’s lease was taken over');
    this.name = 'LeaseLostError';
  }
}

export type DeliveryAttempt = {
  message: OutboxMessage & { content: OutgoingContent };
  mailbox: Mailbox;
  profile: ServerProfile;
  /** Records that the content is about to go; throws LeaseLostError to keep it back. */
  beforeHandoff: () => Promise<void>;
};

/** Failures of the network that a later attempt may not meet; every other failure without an answer is the configuration's. */
const NETWORK_CODES = new Set(['ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EAI_AGAIN']);

type Sender = { signIn: SubmissionSignIn; account: string | null; fresh: boolean };

function unknownOutcome(server: string): DeliveryFailure {
  return new DeliveryFailure(problemOf('delivery_unknown', phrase('outbox.failures.deliveryUnknown', { server })), false);
}

/** The mailbox's sign-in: its password, or an access token from the token service (refreshed after `refreshedSince`). */
async function senderOf(attempt: DeliveryAttempt, evidence: Omit<FailureEvidence, 'stage'>, refreshedSince?: Date): Promise<Sender> {
  const { mailbox, profile } = attempt;
  if (profile.authType === 'password') {
    if (!mailbox.password) throw new DeliveryFailure(problemOf('auth_failed', phrase('outbox.failures.noPassword')), false);
    try {
      return { signIn: { user: mailbox.address, pass: decryptSecret(mailbox.password, secretPlace(mailboxes.password, mailbox.id)) }, account: null, fresh: false };
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      throw new DeliveryFailure(await recordUnreadablePassword(mailbox.id, error), false);
    }
  }
  try {
    const token = await getAccessToken({ mailboxId: mailbox.id, refreshedSince });
    return { signIn: { user: mailbox.address, accessToken: token.accessToken }, account: token.account, fresh: refreshedSince !== undefined };
  } catch (error) {
    if (!(error instanceof OAuthFailure)) throw error;
    const oauth = { reach: error.reach, code: error.code, message: error.message, hint: error.hint, key: error.key, values: error.values };
    throw new DeliveryFailure(classifyFailure({ ...evidence, stage: 'token', oauth }), error.reach === 'temporary');
  }
}

const secretOf = (signIn: SubmissionSignIn) => ('accessToken' in signIn ? signIn.accessToken : signIn.pass);

/** A failed submission as the tester's classifier reads it, with the secrets it handled removed from the server's words. */
function smtpFailure(error: SubmissionError, evidence: Omit<FailureEvidence, 'stage'>, sender: Sender): { failure: Problem; temporary: boolean } {
  const cause = error.cause as { code?: unknown; challenge?: unknown };
  const reply = error.reply === undefined ? undefined : redact(error.reply, new Set([secretOf(sender.signIn)]));
  const errorCode = typeof cause.code === 'string' ? cause.code : undefined;
  const failure = classifyFailure({
    ...evidence,
    stage: error.stage,
    errorCode,
    reply,
    challenge: cause.challenge && typeof cause.challenge === 'object' ? (cause.challenge as Record<string, unknown>) : null,
    freshToken: sender.fresh,
    ...(error.cause instanceof CertificateError ? { certificate: { sha256: error.cause.sha256, reason: error.cause.reason } } : {}),
  });
  return { failure, temporary: error.deferred || (reply === undefined && NETWORK_CODES.has(errorCode ?? '')) };
}

async function sendBySmtp(attempt: DeliveryAttempt, composed: ComposedMessage, evidence: Omit<FailureEvidence, 'stage'>): Promise<AcceptedSubmission> {
  const { profile } = attempt;
  const target = socketTargetOf(profile, 'outgoing');
  if (!target) throw new Error('An SMTP profile has an outgoing host');
  let address: string;
  try {
    ({ address } = await resolveAllowedAddress({ host: target.host, internalServer: profile.internalServer }));
  } catch (error) {
    if (error instanceof BlockedAddressError) {
      const { host, address: blocked, verdict } = error;
      throw new DeliveryFailure(classifyFailure({ ...evidence, stage: 'dns', errorCode: 'BLOCKED_ADDRESS', blocked: { host, address: blocked, verdict } }), false);
    }
    const errorCode = (error as { code?: string }).code;
    throw new DeliveryFailure(classifyFailure({ ...evidence, stage: 'dns', errorCode }), NETWORK_CODES.has(errorCode ?? ''));
  }
  const caCertificates = await getTrustedCertificates();
  const submit = (sender: Sender) =>
    submitMessage({
      target,
      address,
      signIn: sender.signIn,
      acceptedCertificates: profile.trustedCertificates,
      caCertificates,
      timeoutMs: profile.connectionTimeoutSeconds * 1000,
      envelope: composed.envelope,
      data: smtpData(composed.rfc822),
      beforeHandoff: attempt.beforeHandoff,
    });
  let sender = await senderOf(attempt, evidence);
  for (;;) {
    try {
      return await submit(sender);
    } catch (error) {
      if (!(error instanceof SubmissionError)) throw error;
      if (error.cause instanceof LeaseLostError) throw error.cause;
      // The server took the content and said nothing more: it may have been sent.
      if (error.afterHandoff && error.reply === undefined) throw unknownOutcome(evidence.server);
      const { failure, temporary } = smtpFailure(error, evidence, sender);
      // A refused stored token may be one revoked since: a fresh one tells (and the token service records a dead grant).
      if (failure.code === 'auth_failed' && sender.account !== null && !sender.fresh) {
        sender = await senderOf(attempt, evidence, new Date());
        continue;
      }
      throw new DeliveryFailure(failure, temporary);
    }
  }
}

/** Graph's message resource; Graph carries only X- headers (internetMessageHeaders) and one body, the HTML when there is one. */
function graphMessage(content: OutgoingContent, messageIdHeader: string) {
  const recipients = (list: OutgoingContent['to']) => list.map(({ address, name }) => ({ emailAddress: { address, ...(name ? { name } : {}) } }));
  const headers = Object.entries(content.headers).filter(([name]) => /^x-/i.test(name));
  return {
    subject: content.subject,
    body: content.html !== undefined ? { contentType: 'HTML', content: content.html } : { contentType: 'Text', content: content.text ?? '' },
    toRecipients: recipients(content.to),
    ccRecipients: recipients(content.cc),
    bccRecipients: recipients(content.bcc),
    replyTo: recipients(content.replyTo),
    internetMessageId: messageIdHeader,
    ...(headers.length > 0 ? { internetMessageHeaders: headers.map(([name, value]) => ({ name, value })) } : {}),
    attachments: content.attachments.map(({ filename, contentType, contentBase64 }) => ({
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: filename,
      contentType,
      contentBytes: contentBase64,
    })),
  };
}

async function sendThroughApi(attempt: DeliveryAttempt, protocol: ApiProtocol, composed: ComposedMessage, evidence: Omit<FailureEvidence, 'stage'>): Promise<AcceptedSubmission> {
  const { mailbox, profile, message } = attempt;
  const sender = await senderOf(attempt, evidence);
  if (!('accessToken' in sender.signIn)) throw new Error('A web API sends with an access token');
  const timeoutMs = profile.connectionTimeoutSeconds * 1000;
  const connection: MailApiConnection = {
    root: apiRootOf(profile, protocol),
    accessToken: sender.signIn.accessToken,
    allowInternal: profile.internalServer,
    caCertificates: await getTrustedCertificates(),
    timeoutMs,
    deadline: Date.now() + timeoutMs,
  };
  const shared = protocol === 'graph' && mailbox.shared;
  await attempt.beforeHandoff();
  try {
    if (protocol === 'gmail_api') {
      const sent = await sendGmailMessage({ connection, rfc822: composed.rfc822 });
      return { reply: `Gmail API: message ${sent.id} sent`, close: async () => {} };
    }
    await requestMailApi({
      service: 'graph',
      connection,
      method: 'POST',
      path: `${shared ? `users/${encodeURIComponent(mailbox.address)}` : 'me'}/sendMail`,
      body: { message: graphMessage(message.content, message.messageIdHeader), saveToSentItems: true },
      schema: null,
    });
    return { reply: 'Microsoft Graph: 202 Accepted', close: async () => {} };
  } catch (error) {
    const service = protocol === 'graph' ? 'graph' : 'gmail';
    if (error instanceof MailApiError) {
      const grant = await getGrant(db, mailbox.id);
      const { status, code, retryAfterSeconds, activationUrl } = error;
      const api = { service, right: 'send', mailbox: mailbox.address, account: sender.account ?? mailbox.address, shared, grantedScopes: grant?.scopes ?? [] } as const;
      const failure = classifyFailure({ ...evidence, stage: 'api', api: { ...api, refusal: { status, code, message: error.message, retryAfterSeconds, activationUrl } } });
      throw new DeliveryFailure(failure, status === 429 || status >= 500);
    }
    if (error instanceof OutboundRequestError) {
      // A request that may have reached the API (it timed out or its answer was lost) may have sent the message.
      if (error.code === 'timeout' || error.code === 'response_too_large') throw unknownOutcome(evidence.server);
      if (error.cause instanceof BlockedAddressError) {
        const { host, address, verdict } = error.cause;
        throw new DeliveryFailure(classifyFailure({ ...evidence, stage: 'api', errorCode: 'BLOCKED_ADDRESS', blocked: { host, address, verdict } }), false);
      }
      throw new DeliveryFailure(classifyFailure({ ...evidence, stage: 'api', errorCode: 'ECONNREFUSED', reply: error.message }), error.code === 'unreachable');
    }
    throw error;
  }
}

/**
 * One attempt to send a queued message through its mailbox's outgoing protocol: SMTP submission
 * with XOAUTH2 or the password, or the web API (Graph, the Gmail API) with the token service's
 * access token. Resolves once the server took the message; throws DeliveryFailure otherwise, whose
 * `temporary` says whether to try again. The content and the secrets are never logged.
 */
export async function deliverMessage(attempt: DeliveryAttempt): Promise<AcceptedSubmission> {
  const { mailbox, profile, message } = attempt;
  const composed = await composeMessage({ from: mailbox.address, content: message.content, messageIdHeader: message.messageIdHeader });
  const protocol = profile.outgoingProtocol;
  const evidence: Omit<FailureEvidence, 'stage'> = {
    protocol,
    serverType: profile.serverType,
    authKind: profile.authType === 'password' ? 'password' : 'oauth',
    server: directionServerName(profile, 'outgoing'),
    timeoutSeconds: profile.connectionTimeoutSeconds,
  };
  return isApiProtocol(protocol) ? sendThroughApi(attempt, protocol, composed, evidence) : sendBySmtp(attempt, composed, evidence);
}
