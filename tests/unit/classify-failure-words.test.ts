// Issue 16, item 1: every failure the tester classifies reads in French, with nothing left in English
// but what servers said (quoted as `{reply}`) and the names of protocols, codes and settings.
import { describe, expect, it } from 'vitest';
import { renderProblem } from '@/lib/errors';
import { classifyFailure, type ApiEvidence, type FailureEvidence } from '@/lib/tester/classify-failure';

const base: FailureEvidence = { stage: 'auth', protocol: 'imap', serverType: 'gmail', authKind: 'oauth', server: 'imap.example.org:993', timeoutSeconds: 10 };
const SHA256 = 'ab'.repeat(32);
const SCOPE_CHALLENGE = { status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' };

/** A web API step's failure: Graph by default, with what the provider answered or the tester found. */
const api = (facts: Partial<ApiEvidence>): Partial<FailureEvidence> => ({
  stage: 'api',
  protocol: facts.service === 'gmail' ? 'gmail_api' : 'graph',
  serverType: facts.service === 'gmail' ? 'gmail' : 'microsoft365',
  api: { service: 'graph', right: 'read', mailbox: 'info@example.org', account: 'alice@example.org', shared: false, grantedScopes: ['Mail.ReadWrite', 'Mail.Send', 'User.Read'], ...facts },
});
const refusal = (status: number, code: string, retryAfterSeconds: number | null = null) => ({ status, code, message: 'x', retryAfterSeconds, activationUrl: null });

/** One evidence for each way a step can fail, named by what it shows; replies here are in no language a test reads. */
const CASES: Record<string, Partial<FailureEvidence>> = {
  blockedNever: { stage: 'dns', errorCode: 'BLOCKED_ADDRESS', blocked: { host: 'metadata.example', address: '169.254.169.254', verdict: 'never' } },
  blockedInternal: { stage: 'dns', errorCode: 'BLOCKED_ADDRESS', blocked: { host: 'mail.internal', address: '10.0.0.5', verdict: 'internal' } },
  timeoutConnecting: { stage: 'tcp', errorCode: 'ETIMEDOUT' },
  timeoutSigningIn: { stage: 'auth', errorCode: 'ETIMEDOUT' },
  dns: { stage: 'dns', errorCode: 'ENOTFOUND' },
  refused: { stage: 'tcp', errorCode: 'ECONNREFUSED' },
  unreachable: { stage: 'tcp', errorCode: 'EHOSTUNREACH' },
  certificateMismatch: { stage: 'tls', errorCode: 'CERT_MISMATCH', certificate: { sha256: SHA256, reason: 'VERIFIED_BUT_NOT_ACCEPTED' } },
  selfSigned: { stage: 'tls', errorCode: 'CERT_UNTRUSTED', certificate: { sha256: SHA256, reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' } },
  unknownIssuer: { stage: 'tls', errorCode: 'CERT_UNTRUSTED', certificate: { sha256: SHA256, reason: 'UNABLE_TO_GET_ISSUER_CERT' } },
  expired: { stage: 'tls', errorCode: 'CERT_UNTRUSTED', certificate: { sha256: SHA256, reason: 'CERT_HAS_EXPIRED' } },
  otherName: { stage: 'tls', errorCode: 'CERT_UNTRUSTED', certificate: { sha256: SHA256, reason: 'ERR_TLS_CERT_ALTNAME_INVALID' } },
  badSignature: { stage: 'tls', errorCode: 'CERT_UNTRUSTED', certificate: { sha256: SHA256, reason: 'CERT_SIGNATURE_FAILURE' } },
  handshake: { stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' },
  noToken: { stage: 'token' },
  invalidGrant: { stage: 'token', oauth: { reach: 'mailbox', code: 'invalid_grant', message: 'x', hint: 'y', key: 'problems.internal' } },
  smtpAuthDisabled: { protocol: 'smtp', serverType: 'microsoft365', reply: '535 5.7.139 SmtpClientAuthentication is disabled' },
  imapDisabled: { reply: 'NO [ALERT] not enabled for IMAP' },
  popDisabled: { protocol: 'pop3', reply: '-ERR POP access is disabled' },
  notConnected: { serverType: 'microsoft365', reply: 'NO User is authenticated but not connected.' },
  scopeAsked: { reply: 'NO [AUTHENTICATIONFAILED]', challenge: SCOPE_CHALLENGE, freshToken: true },
  scopeKnown: { protocol: 'smtp', serverType: 'microsoft365', reply: '535 5.7.3', freshToken: true },
  scopeWithMailSwitch: { reply: 'NO [AUTHENTICATIONFAILED]', freshToken: true },
  scopeUnknown: { serverType: 'custom', reply: '', freshToken: true },
  tokenRefused: { reply: 'NO [AUTHENTICATIONFAILED]', challenge: SCOPE_CHALLENGE },
  passwordRefused: { authKind: 'password', reply: 'T2 NO [AUTHENTICATIONFAILED]' },
  inboxMissing: { stage: 'command', reply: 'T3 NO [NONEXISTENT] unknown mailbox' },
  addressUnknown: { stage: 'command', protocol: 'smtp', reply: '550 5.1.1 unknown user' },
  sendAsDenied: { stage: 'command', protocol: 'smtp', reply: '550 5.7.60 not allowed' },
  commandRefused: { stage: 'command', reply: '' },
  mechanismMissingOAuth: { stage: 'greeting', missingMechanism: { key: 'tester.mechanisms.oauthImap' }, reply: 'IMAP4rev1 AUTH=PLAIN' },
  mechanismMissingPassword: { stage: 'greeting', authKind: 'password', missingMechanism: { key: 'tester.mechanisms.imapLogin' } },
  badGreeting: { stage: 'greeting', reply: '' },
  connectionClosed: { stage: 'tcp', errorCode: 'ECONNRESET' },
  other: { stage: 'tcp', errorCode: 'EWHATEVER' },
  apiScopeMissing: api({ right: 'send', lacksRight: true, grantedScopes: [] }),
  apiWrongAudience: api({ refusal: refusal(401, 'InvalidAuthenticationToken') }),
  apiTokenRefused: api({ service: 'gmail', refusal: refusal(401, 'authError') }),
  apiAccountMismatch: api({ otherAccount: 'dave@example.org' }),
  apiDelegationMissing: api({ shared: true, grantedScopes: ['Mail.ReadWrite.Shared', 'User.Read'], refusal: refusal(403, 'ErrorAccessDenied') }),
  apiSendAsDenied: api({ right: 'send', shared: true, refusal: refusal(403, 'ErrorSendAsDenied') }),
  apiAccessDenied: api({ refusal: refusal(403, 'ErrorAccessDenied') }),
  apiAccessDeniedGmail: api({ service: 'gmail', grantedScopes: ['https://www.googleapis.com/auth/gmail.modify'], refusal: refusal(403, 'forbidden') }),
  graphMailboxNotEnabled: api({ refusal: refusal(404, 'MailboxNotEnabledForRESTAPI') }),
  gmailApiNotEnabled: api({ service: 'gmail', refusal: refusal(403, 'accessNotConfigured') }),
  gmailServiceOff: api({ service: 'gmail', refusal: refusal(400, 'failedPrecondition') }),
  apiThrottled: api({ refusal: refusal(429, 'ApplicationThrottled', 120) }),
  apiThrottledNoWait: api({ service: 'gmail', refusal: refusal(429, 'rateLimitExceeded') }),
  apiMailboxMissing: api({ refusal: refusal(404, 'ErrorInvalidUser') }),
  apiRefused: api({ refusal: refusal(500, 'generalException') }),
  testMessageNotArrived: api({ notArrivedWithin: 30 }),
};

// English words that no French sentence holds (each between spaces): one would betray English left in the French.
const ENGLISH_WORDS = /\s(the|your|is|are|was|and|of|to|with|not|does|did|this|that|it|then|check|try|again)\s/i;
/** What servers said and what the evidence names stay as they are: not words of ours. */
const withoutQuotes = (text: string) => text.replace(/(NO|-ERR|5\d\d) [^\n]*$/, '').replace(/\((Set-TransportConfig|SHA-256)[^)]*\)/g, '');

describe('the connection tester’s failures in French', () => {
  for (const [name, evidence] of Object.entries(CASES)) {
    it(`${name}: says what failed and what to do in French, with the same code`, () => {
      const failure = classifyFailure({ ...base, ...evidence });
      expect(failure.key).toMatch(/^tester\.failures\./);
      const english = renderProblem(failure, 'en');
      const french = renderProblem(failure, 'fr');
      expect(english).toEqual({ code: failure.code, message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) });
      expect(french.code).toBe(failure.code);
      expect(french.message).not.toBe(english.message);
      expect(french.hint).toBeTruthy();
      expect(french.hint).not.toBe(english.hint);
      for (const text of [french.message, french.hint!]) expect(withoutQuotes(` ${text} `)).not.toMatch(ENGLISH_WORDS);
    });
  }

  it('keeps the server’s reply as it was said, inside the French sentence', () => {
    const failure = classifyFailure({ ...base, authKind: 'password', reply: 'T2 NO [AUTHENTICATIONFAILED] Invalid credentials' });
    expect(renderProblem(failure, 'fr').message).toBe('Le serveur a refusé le nom d’utilisateur ou le mot de passe. Sa réponse\u00a0: T2 NO [AUTHENTICATIONFAILED] Invalid credentials');
  });

  it('names Gmail’s own switch in French when the owner may have turned IMAP off', () => {
    const failure = classifyFailure({ ...base, ...CASES.scopeWithMailSwitch });
    expect(renderProblem(failure, 'fr').hint).toBe(
      'Ajoutez https://mail.google.com/ aux étendues du profil et faites reconnecter le propriétaire pour qu’il y consente\u00a0; vérifiez aussi Paramètres de Gmail › Transfert et POP/IMAP.',
    );
  });
});
