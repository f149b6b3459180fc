import { problemOf } from '@/lib/errors';
import type { Messages } from '@/lib/i18n/messages';
import { hasMessage, phrase, type PhraseValues, type Text } from '@/lib/i18n/text';
import { grantsApiRight, scopeForApiRight, type ApiRight } from '@/lib/mail-api/api-scopes';
import type { MailApiService } from '@/lib/mail-api/mail-api-error';
import { PROVIDERS, type ProviderId } from '@/lib/providers';
import type { MailProtocol } from '@/lib/providers/provider';
import type { FailureCode } from '@/lib/mailboxes/status';
import type { TestFailure } from './types';

/** Where a step failed: on a socket of its own (dns … command), or in a call to a web API (`api`). */
export type FailureStage = 'dns' | 'tcp' | 'tls' | 'greeting' | 'token' | 'auth' | 'command' | 'api';

/** A web API step's failure: what it asked, for whom, and what the provider answered. */
export type ApiEvidence = {
  service: MailApiService;
  /** What the step needed of the grant. */
  right: ApiRight;
  /** The mailbox's address, and the account the token is for (a delegate's, for a shared mailbox). */
  mailbox: string;
  account: string;
  shared: boolean;
  /** The grant's scopes: a refusal with a needed scope missing is the scope's fault. */
  grantedScopes: readonly string[];
  /** The provider's refusal, when it answered one (Graph's error.code, Gmail's errors[0].reason). */
  refusal?: { status: number; code: string; message: string; retryAfterSeconds: number | null; activationUrl: string | null };
  /** The account the API says the token is for, when it is not the expected one. */
  otherAccount?: string;
  /** The test message was sent, but not seen in the inbox within this many seconds. */
  notArrivedWithin?: number;
  /** The grant's scopes do not allow the step's right: found before any request. */
  lacksRight?: boolean;
};

/** What is known about a failed step; every field but `stage` is optional. */
export type FailureEvidence = {
  stage: FailureStage;
  protocol: MailProtocol;
  serverType: ProviderId;
  authKind: 'oauth' | 'password';
  /** host:port, to name the server in messages. */
  server: string;
  /** A Node or library error code: ENOTFOUND, ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT… */
  errorCode?: string;
  /** The server's reply as received (never what the client sent). */
  reply?: string;
  /** The JSON challenge a server answers a failed XOAUTH2 / OAUTHBEARER with, decoded. */
  challenge?: Record<string, unknown> | null;
  /** The access token was refreshed right before: the provider still honours the grant. */
  freshToken?: boolean;
  /** A failure of the token service (refresh), with its own code, words (and their key, when it has one). */
  oauth?: { reach: 'mailbox' | 'profile' | 'temporary'; code: string; message: string; hint: string; key?: string; values?: PhraseValues };
  timeoutSeconds?: number;
  /** The certificate a TLS step refused: its SHA-256 fingerprint and why it does not verify. */
  certificate?: { sha256: string; reason: string };
  /** What the mechanism check was looking for, when the server does not offer it. */
  missingMechanism?: Text;
  /** The address the network guard refused to connect to, and why. */
  blocked?: { host: string; address: string; verdict: 'never' | 'internal' };
  api?: ApiEvidence;
};

const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const UNKNOWN_ISSUER = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);
const TIMEOUTS = new Set(['ETIMEDOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ESOCKETTIMEDOUT', 'TIMEOUT']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
const NAME_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'ESERVFAIL', 'EDNS']);

type FailureKey = keyof Messages['tester']['failures'];

/** A classified failure: its words are the `tester.failures.<name>` group, rendered in each reader's language. */
function failure(code: FailureCode, name: FailureKey, values?: PhraseValues): TestFailure {
  const problem = problemOf(code, phrase(`tester.failures.${name}`, values));
  return { ...problem, code, hint: problem.hint ?? '' };
}

/** A failure the token service already worded: its words (and their key) pass through under the tester's class. */
function fromTokenService(code: FailureCode, oauth: NonNullable<FailureEvidence['oauth']>): TestFailure {
  return { code, message: oauth.message, hint: oauth.hint, ...(oauth.key ? { key: oauth.key, values: oauth.values } : {}) };
}

const yes = (known: unknown) => (known ? 'yes' : 'no');

/** A server's reply for a message's `{reply}`, and whether there was one. */
function replyValues(reply: string | undefined): { reply: string; answered: 'yes' | 'no' } {
  const quoted = shortReply(reply);
  return { reply: quoted, answered: yes(quoted) };
}

/** Decodes the base64 JSON of a failed XOAUTH2 (IMAP `+ …`, SMTP `334 …`), or null when it is not one. */
export function decodeOAuthChallenge(encoded: string): Record<string, unknown> | null {
  const text = encoded.trim().replace(/^(\+|334)\s*/, '');
  if (!/^[A-Za-z0-9+/=]+$/.test(text)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function shortReply(reply: string | undefined): string {
  return reply ? reply.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
}

/** Why a certificate does not verify (the `cause` its messages choose by); null for a handshake that failed before any certificate. */
function certificateCause(reason: string): 'selfSigned' | 'unknownIssuer' | 'expired' | 'otherName' | 'other' | null {
  if (SELF_SIGNED.has(reason)) return 'selfSigned';
  if (UNKNOWN_ISSUER.has(reason)) return 'unknownIssuer';
  if (reason === 'CERT_HAS_EXPIRED') return 'expired';
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'otherName';
  if (/CERT|SIGNATURE/.test(reason)) return 'other';
  return null;
}

function classifyTls(evidence: FailureEvidence): TestFailure {
  const code = evidence.errorCode ?? '';
  const sha256 = evidence.certificate?.sha256 ?? '';
  const { server } = evidence;
  if (code === 'CERT_MISMATCH') return failure('certificate_mismatch', 'certificateMismatch', { server, sha256, seen: yes(sha256) });
  const reason = code === 'CERT_UNTRUSTED' ? (evidence.certificate?.reason ?? '') : code;
  const cause = certificateCause(reason);
  if (cause) return failure('certificate_untrusted', 'certificateUntrusted', { server, reason, cause, sha256, seen: yes(sha256) });
  return failure('tls', 'tls', { server, errorCode: code, coded: yes(code) });
}

function classifyToken(evidence: FailureEvidence): TestFailure {
  const oauth = evidence.oauth;
  if (!oauth) return failure('unknown', 'noAccessToken');
  if (oauth.reach === 'mailbox') {
    if (oauth.code === 'secret_unreadable') return fromTokenService('secret_unreadable', oauth);
    if (oauth.code !== 'invalid_grant') return fromTokenService('token_revoked', oauth);
    const reason: Text = oauth.key ? { key: `${oauth.key}.message`, ...(oauth.values ? { values: oauth.values } : {}) } : oauth.message;
    const revoked = failure('token_revoked', 'authorizationRevoked', { reason });
    return { ...revoked, message: revoked.message.trim() };
  }
  if (oauth.reach === 'profile') return fromTokenService('client_refused', oauth);
  return fromTokenService(/timeout|hang/i.test(oauth.code) ? 'timeout' : 'unknown', oauth);
}

function scopeOf(challenge: Record<string, unknown> | null | undefined): string | null {
  const scope = challenge?.scope;
  return typeof scope === 'string' && scope.trim() ? scope.trim() : null;
}

/** Microsoft 365's answer once the token is accepted, at sign-in or at the first command after it. */
function mailboxNotConnected(reply: string): TestFailure | null {
  if (!/User is authenticated but not connected/i.test(reply)) return null;
  return failure('imap_disabled', 'mailboxNotConnected', { reply: shortReply(reply) });
}

/** The provider's own switch that turns IMAP and POP off for an account, in the messages' words when they have them. */
function mailSwitchValues(serverType: ProviderId, protocol: FailureEvidence['protocol']): { switch: 'yes' | 'no'; cause: Text; check: Text } {
  // The owner's switch turns IMAP and POP off, never SMTP.
  const mailSwitch = protocol === 'smtp' ? null : PROVIDERS[serverType].ownerMailSwitch;
  if (!mailSwitch) return { switch: 'no', cause: '', check: '' };
  const words = (part: 'cause' | 'check'): Text => {
    const key = `tester.mailSwitches.${serverType}.${part}`;
    return hasMessage(key) ? { key } : mailSwitch[part];
  };
  return { switch: 'yes', cause: words('cause'), check: words('check') };
}

/**
 * The web API a profile refused over a socket protocol can switch to (Microsoft Graph for SMTP AUTH
 * turned off, the Gmail API for IMAP turned off), as `switchTo` for pages to offer the switch;
 * only OAuth profiles can use one.
 */
function switchValues(evidence: FailureEvidence): { switchTo: string } {
  const api = evidence.authKind === 'oauth' ? PROVIDERS[evidence.serverType].apiProtocol : null;
  return { switchTo: api ?? 'none' };
}

function classifyAuth(evidence: FailureEvidence): TestFailure {
  const reply = evidence.reply ?? '';
  const quoted = shortReply(reply);
  if (/5\.7\.139|SmtpClientAuthentication is disabled/i.test(reply)) return failure('smtp_auth_disabled', 'smtpAuthDisabled', { reply: quoted, ...switchValues(evidence) });
  if (/not enabled for IMAP|IMAP access is disabled|IMAP is disabled/i.test(reply)) return failure('imap_disabled', 'imapDisabled', { reply: quoted, ...switchValues(evidence) });
  if (/not enabled for POP|POP access is disabled/i.test(reply)) return failure('imap_disabled', 'popDisabled', { reply: quoted, ...switchValues(evidence) });
  const notConnected = mailboxNotConnected(reply);
  if (notConnected) return notConnected;
  if (evidence.authKind === 'oauth') {
    const scope = scopeOf(evidence.challenge);
    if (evidence.freshToken) {
      // Microsoft sends no challenge, but which scope the protocol needs is known.
      const needed = scope ?? PROVIDERS[evidence.serverType].mailScopes?.[evidence.protocol]?.join(' ') ?? null;
      return failure('scope_missing', 'scopeMissing', {
        source: scope ? 'asked' : needed ? 'known' : 'unknown',
        scope: needed ?? '',
        ...mailSwitchValues(evidence.serverType, evidence.protocol),
        ...replyValues(reply),
      });
    }
    return failure('auth_failed', 'tokenRefused', { scope: scope ?? '', asked: yes(scope), ...replyValues(reply) });
  }
  return failure('auth_failed', 'passwordRefused', replyValues(reply));
}

function classifyCommand(evidence: FailureEvidence): TestFailure {
  const reply = evidence.reply ?? '';
  const quoted = shortReply(reply);
  const notConnected = mailboxNotConnected(reply);
  if (notConnected) return notConnected;
  if (evidence.protocol === 'imap' && /NONEXISTENT|doesn'?t exist|does not exist|not found|unknown mailbox/i.test(reply)) {
    return failure('mailbox_missing', 'inboxMissing', { reply: quoted });
  }
  if (evidence.protocol === 'smtp' && /^55[03]\b.*(5\.1\.[0-9]|unknown|no such|does not exist|not exist|mailbox unavailable)/is.test(reply)) {
    return failure('mailbox_missing', 'addressUnknown', { reply: quoted });
  }
  if (evidence.protocol === 'smtp' && /^5\d\d\b.*5\.7\.(60|1)\b/s.test(reply)) return failure('send_as_denied', 'sendAsDenied', { reply: quoted });
  return failure('unknown', 'commandRefused', replyValues(reply));
}

const GRAPH_MAILBOX_UNKNOWN = new Set(['ErrorItemNotFound', 'ResourceNotFound', 'Request_ResourceNotFound', 'ErrorInvalidUser', 'ErrorNonExistentMailbox']);
const GMAIL_THROTTLED = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RESOURCE_EXHAUSTED']);

/** A refusal of a web API call, by the provider's status and code, read with what the step needed. */
function classifyApiRefusal(api: ApiEvidence, refusal: NonNullable<ApiEvidence['refusal']>): TestFailure {
  const { service } = api;
  const { status, code } = refusal;
  const reply = shortReply(`${status} ${code}: ${refusal.message}`);
  const protocol = service === 'graph' ? 'graph' : 'gmail_api';
  const needed = { protocol, right: api.right, shared: api.shared } as const;
  const scopeMissing = () => failure('scope_missing', 'apiScopeMissing', { service, right: api.right, scope: scopeForApiRight(needed), ...replyValues(reply) });
  const lacksScope = !grantsApiRight({ ...needed, granted: api.grantedScopes });
  if (status === 429 || (status === 503 && refusal.retryAfterSeconds !== null) || GMAIL_THROTTLED.has(code)) {
    const asked = refusal.retryAfterSeconds !== null;
    return failure('throttled', 'apiThrottled', { service, asked: yes(asked), seconds: refusal.retryAfterSeconds ?? 0, reply });
  }
  if (status === 401) {
    // A token Microsoft issued for outlook.office.com (IMAP, SMTP) is not one for Graph.
    if (service === 'graph' && /audience/i.test(refusal.message)) return failure('scope_missing', 'apiWrongAudience', { reply });
    return failure('auth_failed', 'tokenRefused', { scope: '', asked: 'no', ...replyValues(reply) });
  }
  if (service === 'graph') {
    if (code === 'ErrorSendAsDenied') return failure('send_as_denied', 'apiSendAsDenied', { mailbox: api.mailbox, account: api.account, reply });
    if (code === 'MailboxNotEnabledForRESTAPI' || code === 'MailboxNotSupportedForRESTAPI') return failure('api_disabled', 'graphMailboxNotEnabled', { reply });
    if (GRAPH_MAILBOX_UNKNOWN.has(code)) return failure('mailbox_missing', 'apiMailboxMissing', { service, address: api.mailbox, reply });
    if (status === 403) {
      if (lacksScope) return scopeMissing();
      if (api.shared && api.right !== 'send') return failure('api_access_denied', 'apiDelegationMissing', { mailbox: api.mailbox, account: api.account, reply });
      return failure('api_access_denied', 'apiAccessDenied', { service, reply });
    }
  } else {
    if (code === 'accessNotConfigured' || code === 'SERVICE_DISABLED') {
      return failure('api_disabled', 'gmailApiNotEnabled', { url: refusal.activationUrl ?? GMAIL_API_CONSOLE_URL, reply });
    }
    if (code === 'failedPrecondition' || code === 'FAILED_PRECONDITION') return failure('api_disabled', 'gmailServiceOff', { reply });
    if (code === 'insufficientPermissions' || code === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT') return scopeMissing();
    if (status === 404) return failure('mailbox_missing', 'apiMailboxMissing', { service, address: api.mailbox, reply });
    if (status === 403) return lacksScope ? scopeMissing() : failure('api_access_denied', 'apiAccessDenied', { service, reply });
  }
  return failure('unknown', 'apiRefused', { service, status, code, ...replyValues(refusal.message) });
}

/** Where an admin enables the Gmail API when Google's answer names no project. */
const GMAIL_API_CONSOLE_URL = 'https://console.cloud.google.com/apis/library/gmail.googleapis.com';

/** A web API step: the provider's refusal, or what the tester itself found wrong (another account, a scope, a message that never came). */
function classifyApi(evidence: FailureEvidence): TestFailure {
  const { api } = evidence;
  const cause = certificateCause(evidence.errorCode ?? '');
  if (cause) return failure('certificate_untrusted', 'certificateUntrusted', { server: evidence.server, reason: evidence.errorCode!, cause, sha256: '', seen: 'no' });
  if (!api) return failure('unknown', 'other', { server: evidence.server, ...replyValues(evidence.reply || evidence.errorCode) });
  if (api.refusal) return classifyApiRefusal(api, api.refusal);
  if (api.otherAccount !== undefined) {
    return failure('auth_failed', 'apiAccountMismatch', { service: api.service, expected: api.shared ? api.account : api.mailbox, actual: api.otherAccount });
  }
  if (api.notArrivedWithin !== undefined) return failure('unknown', 'testMessageNotArrived', { address: api.mailbox, seconds: api.notArrivedWithin });
  if (api.lacksRight) {
    const scope = scopeForApiRight({ protocol: api.service === 'graph' ? 'graph' : 'gmail_api', right: api.right, shared: api.shared });
    return failure('scope_missing', 'apiScopeMissing', { service: api.service, right: api.right, scope, ...replyValues(undefined) });
  }
  return failure('unknown', 'other', { server: evidence.server, ...replyValues(evidence.reply || evidence.errorCode) });
}

/**
 * Turns what went wrong in a step into a class, a message and a hint a person can act on. Pure:
 * it reads only the evidence, so every rule is unit-tested with real server replies.
 */
export function classifyFailure(evidence: FailureEvidence): TestFailure {
  const code = evidence.errorCode ?? '';
  const { server } = evidence;
  if (code === 'BLOCKED_ADDRESS') {
    const blocked = evidence.blocked;
    return failure('blocked_address', 'blockedAddress', { server, verdict: blocked?.verdict ?? 'unknown', host: blocked?.host ?? '', address: blocked?.address ?? '' });
  }
  if (TIMEOUTS.has(code)) {
    // Without the profile's timeout the stage alone is said; the English reads as it always did.
    return failure('timeout', 'timeout', { server, seconds: evidence.timeoutSeconds ?? 'the', stage: evidence.stage });
  }
  if (NAME_ERRORS.has(code) || evidence.stage === 'dns') {
    return failure('dns', 'dns', { host: server.replace(/:\d+$/, ''), errorCode: code, coded: yes(code) });
  }
  if (UNREACHABLE.has(code)) return failure('refused', 'connectionRefused', { server, errorCode: code, refused: yes(code === 'ECONNREFUSED') });
  switch (evidence.stage) {
    case 'tls':
      return classifyTls(evidence);
    case 'token':
      return classifyToken(evidence);
    case 'greeting':
      if (evidence.missingMechanism) {
        const offered = shortReply(evidence.reply);
        return failure('protocol_mismatch', 'mechanismMissing', { server, mechanism: evidence.missingMechanism, offered, listed: yes(offered), authKind: evidence.authKind });
      }
      return failure('protocol_mismatch', 'badGreeting', { server, ...replyValues(shortReply(evidence.reply) || code) });
    case 'auth':
      return classifyAuth(evidence);
    case 'command':
      return classifyCommand(evidence);
    case 'api':
      return classifyApi(evidence);
    default:
      if (code === 'ECONNRESET' || code === 'EPIPE') return failure('unknown', 'connectionClosed', { server });
      return failure('unknown', 'other', { server, ...replyValues(code || evidence.reply) });
  }
}
