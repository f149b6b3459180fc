import { PROVIDERS, type ProviderId } from '@/lib/providers';
import type { FailureCode } from '@/lib/mailboxes/status';
import type { TestFailure } from './types';

export type FailureStage = 'dns' | 'tcp' | 'tls' | 'greeting' | 'token' | 'auth' | 'command';

/** What is known about a failed step; every field but `stage` is optional. */
export type FailureEvidence = {
  stage: FailureStage;
  protocol: 'imap' | 'pop3' | 'smtp';
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
  /** A failure of the token service (refresh), with its own code, message and hint. */
  oauth?: { reach: 'mailbox' | 'profile' | 'temporary'; code: string; message: string; hint: string };
  timeoutSeconds?: number;
  /** The certificate a TLS step refused: its SHA-256 fingerprint and why it does not verify. */
  certificate?: { sha256: string; reason: string };
  /** What the mechanism check was looking for, when the server does not offer it. */
  missingMechanism?: string;
};

const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const UNKNOWN_ISSUER = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT']);
const TIMEOUTS = new Set(['ETIMEDOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ESOCKETTIMEDOUT', 'TIMEOUT']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
const NAME_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'ESERVFAIL', 'EDNS']);

const failure = (code: FailureCode, message: string, hint: string): TestFailure => ({ code, message, hint });

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

/** Why a certificate does not verify and what else fixes it; null for a handshake that failed before any certificate. */
function certificateProblem(reason: string, server: string): { problem: string; otherFix: string } | null {
  const fromCa = 'Otherwise install a certificate from a public CA on the server, or give the portal your company CA certificate (see the deployment guide: extra trusted CAs).';
  if (SELF_SIGNED.has(reason)) return { problem: `${server} presents a self-signed certificate`, otherFix: fromCa };
  if (UNKNOWN_ISSUER.has(reason)) return { problem: `${server} presents a certificate from an authority the portal does not trust (${reason})`, otherFix: fromCa };
  if (reason === 'CERT_HAS_EXPIRED') return { problem: `The certificate of ${server} has expired`, otherFix: 'Otherwise the mail server’s administrator renews its certificate.' };
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      problem: `The certificate of ${server} is for another name`,
      otherFix: 'Otherwise use the host name the certificate names in the server profile (often the provider’s documented host), or fix the server’s certificate.',
    };
  }
  if (/CERT|SIGNATURE/.test(reason)) return { problem: `The certificate of ${server} does not verify (${reason})`, otherFix: fromCa };
  return null;
}

function classifyTls(evidence: FailureEvidence): TestFailure {
  const code = evidence.errorCode ?? '';
  const sha256 = evidence.certificate?.sha256;
  if (code === 'CERT_MISMATCH') {
    return failure(
      'certificate_mismatch',
      `${evidence.server} presented a certificate other than the one accepted in the profile (SHA-256 fingerprint ${sha256 ?? 'unknown'}); nothing was sent on that connection.`,
      'The server’s certificate changed, or someone is in between. Ask the mail server’s administrator whether its certificate was replaced and compare fingerprints; only if they match, accept the new one in the profile’s trusted certificates.',
    );
  }
  const untrusted = certificateProblem(code === 'CERT_UNTRUSTED' ? (evidence.certificate?.reason ?? '') : code, evidence.server);
  if (untrusted) {
    const seen = sha256 ? ` (SHA-256 fingerprint ${sha256})` : '';
    return failure(
      'certificate_untrusted',
      `${untrusted.problem}${seen}; nothing was sent on that connection.`,
      `If you recognise this certificate${seen}, an admin accepts it in the profile’s trusted certificates; later connections then require exactly this certificate. ${untrusted.otherFix}`,
    );
  }
  return failure(
    'tls',
    `The TLS handshake with ${evidence.server} failed${code ? ` (${code})` : ''}.`,
    'Check that the port and the security setting (TLS, STARTTLS or none) of the profile match the server: 993, 995 and 465 use TLS, 143, 110 and 587 STARTTLS.',
  );
}

function classifyToken(evidence: FailureEvidence): TestFailure {
  const oauth = evidence.oauth;
  if (!oauth) return failure('unknown', 'No access token could be obtained.', 'Try again; if it persists, the owner reconnects the mailbox.');
  if (oauth.reach === 'mailbox') {
    if (oauth.code === 'secret_unreadable') return failure('secret_unreadable', oauth.message, oauth.hint);
    return failure(
      'token_revoked',
      oauth.code === 'invalid_grant'
        ? `The provider refused the stored authorization (invalid_grant): it was revoked, expired or its password changed. ${oauth.message}`.trim()
        : oauth.message,
      oauth.code === 'invalid_grant' ? 'The owner reconnects the mailbox (Connect), then tests again.' : oauth.hint,
    );
  }
  if (oauth.reach === 'profile') return failure('client_refused', oauth.message, oauth.hint);
  return failure(/timeout|hang/i.test(oauth.code) ? 'timeout' : 'unknown', oauth.message, oauth.hint);
}

function scopeOf(challenge: Record<string, unknown> | null | undefined): string | null {
  const scope = challenge?.scope;
  return typeof scope === 'string' && scope.trim() ? scope.trim() : null;
}

/** Microsoft 365's answer once the token is accepted, at sign-in or at the first command after it. */
function mailboxNotConnected(reply: string): TestFailure | null {
  if (!/User is authenticated but not connected/i.test(reply)) return null;
  return failure(
    'imap_disabled',
    `Microsoft 365 accepted the token but not the mailbox: ${shortReply(reply)}`,
    'An Exchange admin checks that IMAP (or POP) is enabled for the mailbox, and for a shared mailbox that the connecting user has Full Access to it.',
  );
}

function classifyAuth(evidence: FailureEvidence): TestFailure {
  const reply = evidence.reply ?? '';
  const quoted = shortReply(reply);
  if (/5\.7\.139|SmtpClientAuthentication is disabled/i.test(reply)) {
    return failure(
      'smtp_auth_disabled',
      `Microsoft 365 refuses SMTP AUTH for this mailbox: ${quoted}`,
      'An Exchange admin enables authenticated SMTP for the mailbox (Microsoft 365 admin center › Users › the user › Mail › Manage email apps › Authenticated SMTP) or for the tenant (Set-TransportConfig -SmtpClientAuthenticationDisabled $false), then test again.',
    );
  }
  if (/not enabled for IMAP|IMAP access is disabled|IMAP is disabled/i.test(reply)) {
    return failure(
      'imap_disabled',
      `The server says IMAP is turned off for this account: ${quoted}`,
      'The owner turns IMAP on in Gmail (Settings › Forwarding and POP/IMAP › Enable IMAP), or the Google Workspace admin allows IMAP for the organization.',
    );
  }
  if (/not enabled for POP|POP access is disabled/i.test(reply)) {
    return failure(
      'imap_disabled',
      `The server says POP is turned off for this account: ${quoted}`,
      'The owner turns POP on in Gmail (Settings › Forwarding and POP/IMAP › Enable POP).',
    );
  }
  const notConnected = mailboxNotConnected(reply);
  if (notConnected) return notConnected;
  if (evidence.authKind === 'oauth') {
    const scope = scopeOf(evidence.challenge);
    if (evidence.freshToken) {
      const provider = PROVIDERS[evidence.serverType];
      // The owner's switch turns IMAP and POP off, never SMTP.
      const mailSwitch = evidence.protocol === 'smtp' ? null : provider.ownerMailSwitch;
      // Microsoft sends no challenge, but which scope the protocol needs is known.
      const needed = scope ?? provider.mailScopes?.[evidence.protocol] ?? null;
      return failure(
        'scope_missing',
        scope
          ? `The server refused a freshly refreshed token and asks for the scope ${scope}.${quoted ? ` It answered: ${quoted}` : ''}`
          : `The server refused a freshly refreshed token: the token lacks ${needed ? `the scope ${needed}` : 'the mail scope'}${mailSwitch ? `, or ${mailSwitch.cause}` : ''}.${quoted ? ` It answered: ${quoted}` : ''}`,
        `Add ${needed ?? 'the mail scope'} to the profile’s scopes and have the owner reconnect to consent to it${mailSwitch ? `; also check ${mailSwitch.check}` : ''}.`,
      );
    }
    return failure(
      'auth_failed',
      `The server refused the access token${scope ? ` (it asks for the scope ${scope})` : ''}.${quoted ? ` It answered: ${quoted}` : ''}`,
      'Test again (a fresh token is requested); if it still fails, the owner reconnects the mailbox.',
    );
  }
  return failure(
    'auth_failed',
    `The server refused the user name or password.${quoted ? ` It answered: ${quoted}` : ''}`,
    'The owner enters the current password again; accounts with 2-step verification (Gmail, Microsoft) need an app password.',
  );
}

function classifyCommand(evidence: FailureEvidence): TestFailure {
  const reply = evidence.reply ?? '';
  const quoted = shortReply(reply);
  const notConnected = mailboxNotConnected(reply);
  if (notConnected) return notConnected;
  if (evidence.protocol === 'imap' && /NONEXISTENT|doesn'?t exist|does not exist|not found|unknown mailbox/i.test(reply)) {
    return failure('mailbox_missing', `The server has no INBOX for this account: ${quoted}`, 'Check that the address is a real mailbox (not an alias or a group) on this server.');
  }
  if (evidence.protocol === 'smtp' && /^55[03]\b.*(5\.1\.[0-9]|unknown|no such|does not exist|not exist|mailbox unavailable)/is.test(reply)) {
    return failure('mailbox_missing', `The server does not know this address: ${quoted}`, 'Check the mailbox address; an alias needs the real mailbox it belongs to.');
  }
  if (evidence.protocol === 'smtp' && /^5\d\d\b.*5\.7\.(60|1)\b/s.test(reply)) {
    return failure('send_as_denied', `The server does not let this account send as the address: ${quoted}`, 'Give the connecting account “Send as” rights on the mailbox, or connect as the mailbox itself.');
  }
  return failure('unknown', `The server refused the command: ${quoted || 'no answer'}`, 'Look at the step’s detail for the server’s reply; if unclear, the mail server’s administrator can tell more from it.');
}

/**
 * Turns what went wrong in a step into a class, a message and a hint a person can act on. Pure:
 * it reads only the evidence, so every rule is unit-tested with real server replies.
 */
export function classifyFailure(evidence: FailureEvidence): TestFailure {
  const code = evidence.errorCode ?? '';
  if (code === 'BLOCKED_ADDRESS') {
    return failure(
      'blocked_address',
      evidence.reply ?? `${evidence.server} resolves to an address the tester does not connect to.`,
      'The tester never connects to link-local or cloud metadata addresses; for a server on your own network, an admin marks the profile as an internal server.',
    );
  }
  if (TIMEOUTS.has(code)) {
    return failure(
      'timeout',
      `${evidence.server} did not answer within ${evidence.timeoutSeconds ?? 'the'} seconds${evidence.stage === 'tcp' ? '' : ` (during ${evidence.stage})`}.`,
      'Check the host and port, and that a firewall lets the portal reach the server; raise the profile’s connection timeout only if the server is known to be slow.',
    );
  }
  if (NAME_ERRORS.has(code) || evidence.stage === 'dns') {
    return failure(
      'dns',
      `The host name ${evidence.server.replace(/:\d+$/, '')} does not resolve${code ? ` (${code})` : ''}.`,
      'Check the spelling of the host in the server profile, and that the portal’s DNS resolver can see it (internal names need the internal resolver).',
    );
  }
  if (UNREACHABLE.has(code)) {
    return failure(
      'refused',
      code === 'ECONNREFUSED' ? `${evidence.server} refused the connection: nothing listens on that port.` : `${evidence.server} cannot be reached (${code}).`,
      'Check the port in the server profile and that the mail server runs; a firewall between the portal and the server may also block it.',
    );
  }
  switch (evidence.stage) {
    case 'tls':
      return classifyTls(evidence);
    case 'token':
      return classifyToken(evidence);
    case 'greeting':
      if (evidence.missingMechanism) {
        return failure(
          'protocol_mismatch',
          `${evidence.server} does not offer ${evidence.missingMechanism}.${evidence.reply ? ` It offers: ${shortReply(evidence.reply)}` : ''}`,
          evidence.authKind === 'oauth'
            ? 'Check the host and port: OAuth sign-in needs the provider’s own server (for Microsoft 365, SMTP on smtp.office365.com:587 with STARTTLS).'
            : 'The server may only allow sign-in after TLS: choose TLS or STARTTLS in the profile.',
        );
      }
      return failure('protocol_mismatch', `${evidence.server} did not greet as a mail server should: ${shortReply(evidence.reply) || code || 'no greeting'}`, 'Check that the port is the right protocol’s (IMAP, POP3 or SMTP).');
    case 'auth':
      return classifyAuth(evidence);
    case 'command':
      return classifyCommand(evidence);
    default:
      if (code === 'ECONNRESET' || code === 'EPIPE') {
        return failure('unknown', `${evidence.server} closed the connection.`, 'The server may limit connections; try again, and check the server’s logs.');
      }
      return failure('unknown', `${evidence.server} failed: ${code || shortReply(evidence.reply) || 'no detail'}`, 'Look at the step’s detail; try again in a minute.');
  }
}
