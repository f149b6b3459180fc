import { describe, expect, it } from 'vitest';
import { renderProblem } from '@/lib/errors';
import { whoFixesFailure } from '@/lib/mailboxes/status';
import { classifyFailure, decodeOAuthChallenge, type FailureEvidence } from '@/lib/tester/classify-failure';
import { judgeAddress } from '@/lib/net/address-policy';

const base: FailureEvidence = { stage: 'auth', protocol: 'imap', serverType: 'gmail', authKind: 'oauth', server: 'imap.gmail.com:993' };
const classify = (evidence: Partial<FailureEvidence>) => classifyFailure({ ...base, ...evidence });

// Google's IMAP challenge for a token without the mail scope, as sent after a failed AUTHENTICATE.
const GMAIL_CHALLENGE = 'eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==';

describe('classifyFailure', () => {
  it('names Microsoft’s 5.7.139 and says where SMTP AUTH is turned on', () => {
    const failure = classify({
      protocol: 'smtp',
      serverType: 'microsoft365',
      reply: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.',
    });
    expect(failure.code).toBe('smtp_auth_disabled');
    expect(failure.hint).toMatch(/Authenticated SMTP/);
    expect(failure.hint).toMatch(/Set-TransportConfig -SmtpClientAuthenticationDisabled \$false/);
  });

  it('offers the way out of 5.7.139 and of IMAP turned off: switching the profile to the provider’s web API', () => {
    const smtp = classify({ protocol: 'smtp', serverType: 'microsoft365', reply: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' });
    expect(smtp.values).toMatchObject({ switchTo: 'graph' });
    expect(smtp.hint).toMatch(/an admin can switch the profile to Microsoft Graph instead \(“Switch to Microsoft Graph” on the profile’s page\)/);
    expect(smtp.hint).toMatch(/new scopes \(Mail\.ReadWrite, Mail\.Send, User\.Read and the \.Shared forms of the first two\) and every mailbox of the profile connects again/);
    expect(renderProblem(smtp, 'fr').hint).toMatch(/passer le profil à Microsoft Graph \(«\u00a0Passer à Microsoft Graph\u00a0» sur la page du profil\)\u00a0:/);

    const imap = classify({ reply: 'NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)' });
    expect(imap.values).toMatchObject({ switchTo: 'gmail_api' });
    expect(imap.hint).toMatch(/switch the profile to the Gmail API instead .*gmail\.modify and gmail\.send/);

    // Only an OAuth profile can use a web API: a password's refusal offers no switch.
    const password = classify({ authKind: 'password', reply: 'NO [ALERT] Your account is not enabled for IMAP use.' });
    expect(password.values).toMatchObject({ switchTo: 'none' });
    expect(password.hint).not.toMatch(/Gmail API/);
  });

  it('decodes the XOAUTH2 challenge and names the scope it asks for, after a fresh refresh', () => {
    expect(decodeOAuthChallenge(`+ ${GMAIL_CHALLENGE}`)).toEqual({ status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' });
    expect(decodeOAuthChallenge(`334 ${GMAIL_CHALLENGE}`)).toMatchObject({ scope: 'https://mail.google.com/' });
    expect(decodeOAuthChallenge('+ not base64 json!')).toBeNull();
    const failure = classify({
      reply: 'NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)',
      challenge: decodeOAuthChallenge(GMAIL_CHALLENGE),
      freshToken: true,
    });
    expect(failure).toMatchObject({ code: 'scope_missing', message: expect.stringContaining('https://mail.google.com/') });
    expect(failure.hint).toMatch(/Forwarding and POP\/IMAP/);
  });

  it('points at the scope or Gmail’s IMAP setting when AUTHENTICATIONFAILED follows a successful refresh', () => {
    const failure = classify({ reply: 'NO [AUTHENTICATIONFAILED] Authentication failed.', freshToken: true });
    expect(failure.code).toBe('scope_missing');
    expect(failure.message).toMatch(/IMAP\/POP is turned off in the Gmail settings/);
  });

  it('names the scope the protocol needs when Microsoft 365 refuses a fresh token without a challenge', () => {
    const failure = classify({ protocol: 'smtp', serverType: 'microsoft365', reply: '535 5.7.3 Authentication unsuccessful [SN4PR0201CA0040.namprd02.prod.outlook.com]', freshToken: true });
    expect(failure).toMatchObject({
      code: 'scope_missing',
      message: expect.stringContaining('the token lacks the scope https://outlook.office.com/SMTP.Send'),
      hint: expect.stringMatching(/^Add https:\/\/outlook\.office\.com\/SMTP\.Send to the profile’s scopes/),
    });
  });

  it('recognises Gmail’s IMAP-disabled alert', () => {
    const failure = classify({
      reply: 'NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)',
      freshToken: true,
    });
    expect(failure.code).toBe('imap_disabled');
  });

  it('says to reconnect when the refresh answers invalid_grant', () => {
    const failure = classify({
      stage: 'token',
      oauth: { reach: 'mailbox', code: 'invalid_grant', message: 'Token has been expired or revoked.', hint: 'Reconnect.' },
    });
    expect(failure).toMatchObject({ code: 'token_revoked', message: expect.stringMatching(/invalid_grant/), hint: expect.stringMatching(/reconnects/) });
  });

  it('tells a refused password apart from a refused token', () => {
    expect(classify({ authKind: 'password', serverType: 'custom', reply: 'NO [AUTHENTICATIONFAILED] Authentication failed.' })).toMatchObject({
      code: 'auth_failed',
      hint: expect.stringMatching(/app password/),
    });
    expect(classify({ protocol: 'pop3', authKind: 'password', serverType: 'custom', reply: '-ERR [AUTH] Authentication failed.' }).code).toBe('auth_failed');
  });

  it('classifies network and TLS failures from Node’s error codes', () => {
    expect(classify({ stage: 'dns', errorCode: 'ENOTFOUND', server: 'imap.example.invalid:993' })).toMatchObject({ code: 'dns', message: expect.stringContaining('imap.example.invalid') });
    expect(classify({ stage: 'tcp', errorCode: 'ECONNREFUSED' }).code).toBe('refused');
    expect(classify({ stage: 'tls', errorCode: 'ETIMEDOUT', timeoutSeconds: 30 })).toMatchObject({ code: 'timeout', message: expect.stringContaining('30 seconds') });
    expect(classify({ stage: 'auth', errorCode: 'CONNECT_TIMEOUT' }).code).toBe('timeout');
    expect(classify({ stage: 'tls', errorCode: 'CERT_UNTRUSTED', certificate: { sha256: 'ab'.repeat(32), reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' } })).toMatchObject({
      code: 'certificate_untrusted',
      message: expect.stringMatching(/self-signed/),
      hint: expect.stringContaining(`If you recognise this certificate (SHA-256 fingerprint ${'ab'.repeat(32)}), an admin accepts it in the profile’s trusted certificates`),
    });
    expect(classify({ stage: 'tls', errorCode: 'CERT_MISMATCH', certificate: { sha256: 'cd'.repeat(32), reason: 'VERIFIED_BUT_NOT_ACCEPTED' } })).toMatchObject({
      code: 'certificate_mismatch',
      message: expect.stringContaining('cd'.repeat(32)),
      hint: expect.stringMatching(/certificate changed, or someone is in between/),
    });
    expect(classify({ stage: 'tls', errorCode: 'CERT_HAS_EXPIRED' }).message).toMatch(/expired/);
    expect(classify({ stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' }).hint).toMatch(/993, 995 and 465 use TLS/);
    expect(classify({ stage: 'dns', errorCode: 'BLOCKED_ADDRESS', reply: 'x resolves to 169.254.169.254' }).code).toBe('blocked_address');
  });

  it('names a missing mailbox from the server’s replies', () => {
    expect(classify({ stage: 'command', reply: 'T2 NO [NONEXISTENT] Mailbox doesn\'t exist: INBOX' }).code).toBe('mailbox_missing');
    expect(classify({ stage: 'command', protocol: 'smtp', reply: '550 5.1.1 <x@contoso.com>: Recipient address rejected: User unknown' }).code).toBe('mailbox_missing');
    expect(classify({ stage: 'command', protocol: 'smtp', reply: '451 4.3.0 Try later' }).code).toBe('unknown');
  });
});

describe('who fixes what classifyFailure finds', () => {
  const fixer = (evidence: Partial<FailureEvidence>) => {
    const failure = classifyFailure({ ...base, ...evidence });
    return { code: failure.code, actor: whoFixesFailure(failure, { serverType: evidence.serverType ?? base.serverType }) };
  };

  it('gives the owner what their own sign-in or account settings cause', () => {
    expect(fixer({ authKind: 'password', serverType: 'custom', reply: 'NO [AUTHENTICATIONFAILED] Authentication failed.' })).toEqual({ code: 'auth_failed', actor: 'owner' });
    expect(fixer({ reply: 'NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)' })).toEqual({ code: 'auth_failed', actor: 'owner' });
    expect(fixer({ stage: 'token', oauth: { reach: 'mailbox', code: 'invalid_grant', message: 'Revoked.', hint: 'Reconnect.' } })).toEqual({ code: 'token_revoked', actor: 'owner' });
    expect(fixer({ reply: 'NO [ALERT] Your account is not enabled for IMAP use.' })).toEqual({ code: 'imap_disabled', actor: 'owner' });
  });

  it('gives an admin what the profile, its app or the mail system cause', () => {
    const refused = { reach: 'profile', code: 'invalid_client', message: 'The provider refused the profile’s OAuth app.', hint: 'Check the client id and client secret in the server profile.' } as const;
    expect(fixer({ stage: 'token', oauth: refused })).toEqual({ code: 'client_refused', actor: 'admin' });
    expect(fixer({ stage: 'dns', errorCode: 'BLOCKED_ADDRESS', reply: 'x resolves to 169.254.169.254' })).toEqual({ code: 'blocked_address', actor: 'admin' });
    expect(fixer({ stage: 'tls', errorCode: 'CERT_UNTRUSTED', certificate: { sha256: 'ab'.repeat(32), reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' } })).toEqual({ code: 'certificate_untrusted', actor: 'admin' });
    expect(fixer({ stage: 'tls', errorCode: 'CERT_MISMATCH', certificate: { sha256: 'ab'.repeat(32), reason: 'VERIFIED_BUT_NOT_ACCEPTED' } })).toEqual({ code: 'certificate_mismatch', actor: 'admin' });
    expect(fixer({ stage: 'tls', errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER' })).toEqual({ code: 'tls', actor: 'admin' });
    expect(fixer({ stage: 'greeting', authKind: 'password', serverType: 'custom', missingMechanism: 'AUTH PLAIN' })).toEqual({ code: 'protocol_mismatch', actor: 'admin' });
    expect(fixer({ stage: 'greeting', reply: 'SSH-2.0-OpenSSH_9.6' })).toEqual({ code: 'protocol_mismatch', actor: 'admin' });
    expect(fixer({ stage: 'command', protocol: 'smtp', serverType: 'microsoft365', reply: '550 5.7.60 SMTP; Client does not have permissions to send as this sender' })).toEqual({ code: 'send_as_denied', actor: 'admin' });
    expect(fixer({ serverType: 'microsoft365', reply: 'NO User is authenticated but not connected.' })).toEqual({ code: 'imap_disabled', actor: 'admin' });
  });
});

describe('judgeAddress', () => {
  it('never allows link-local or metadata, allows private and loopback only to internal servers', () => {
    expect(judgeAddress('169.254.169.254')).toBe('never');
    expect(judgeAddress('::ffff:169.254.169.254')).toBe('never');
    expect(judgeAddress('fe80::1')).toBe('never');
    expect(judgeAddress('127.0.0.1')).toBe('internal');
    expect(judgeAddress('10.1.2.3')).toBe('internal');
    expect(judgeAddress('192.168.1.10')).toBe('internal');
    expect(judgeAddress('fd12::1')).toBe('internal');
    expect(judgeAddress('::1')).toBe('internal');
    expect(judgeAddress('142.250.27.108')).toBe('allowed');
    expect(judgeAddress('2a00:1450:400c:c06::6c')).toBe('allowed');
  });
});
