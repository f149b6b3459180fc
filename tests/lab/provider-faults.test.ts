import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { approveDeviceCode, grantAdminConsent } from '../../scripts/lab/headless-user';
import {
  getLab,
  getTokensByCodeFlow,
  imapLogin,
  labControl,
  labIsAvailable,
  refreshTokens,
  requestDeviceCode,
  requestTokens,
  sendMail,
  smtpXoauth2,
  type PersonaName,
} from '../helpers/lab';

// Every fault here belongs to one account or one client of this file's own: no lab-wide reset.
async function ownAccount(persona: PersonaName): Promise<string> {
  const email = `faults-${randomBytes(4).toString('hex')}@${persona === 'google' ? 'gmail' : 'contoso'}.lab.test`;
  await labControl.createAccount({ email, provider: persona });
  return email;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe.skipIf(!labIsAvailable)('the lab refuses as Gmail and Microsoft 365 do', () => {
  it('Gmail: a token without https://mail.google.com/ gets Gmail’s challenge and words, on IMAP and SMTP', async () => {
    const user = await ownAccount('google');
    const { accessToken, scope } = await getTokensByCodeFlow({ persona: 'google', account: user, scopes: ['openid', 'email'] });
    expect(scope).not.toContain('https://mail.google.com/');
    const { imap, smtp } = getLab().mail.gmail;
    const gmailChallenge = { status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' };

    await expect(imapLogin({ endpoint: imap.tls, auth: { user, accessToken } })).rejects.toMatchObject({
      authenticationFailed: true,
      oauthError: gmailChallenge,
      response: expect.stringContaining('Invalid credentials (Failure)'),
    });
    expect(await smtpXoauth2({ endpoint: smtp.tls, user, accessToken })).toEqual({
      challenge: gmailChallenge,
      reply: [expect.stringMatching(/^535-5\.7\.8 Username and Password not accepted/), expect.stringMatching(/^535 5\.7\.8 .*BadCredentials/)],
    });
  });

  it('Microsoft: a token without the protocol’s scope is refused in one line, without a challenge', async () => {
    const user = await ownAccount('microsoft');
    const { identityScopes, mailScopes } = getLab().personas.microsoft;
    const smtpOnly = mailScopes.filter((scope) => scope.endsWith('/SMTP.Send'));
    const { accessToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: user, scopes: [...identityScopes, ...smtpOnly] });
    const { imap, smtp } = getLab().mail.microsoft;

    const refusal = await imapLogin({ endpoint: imap.tls, auth: { user, accessToken } }).then(
      () => null,
      (error: unknown) => error as { authenticationFailed?: boolean; oauthError?: unknown; response?: string },
    );
    expect(refusal).toMatchObject({ authenticationFailed: true, response: expect.stringContaining('NO AUTHENTICATE failed.') });
    expect(refusal?.oauthError).toBeFalsy();

    const imapOnly = await getTokensByCodeFlow({ persona: 'microsoft', account: user, scopes: [...identityScopes, ...mailScopes.filter((scope) => scope.endsWith('/IMAP.AccessAsUser.All'))] });
    expect(await smtpXoauth2({ endpoint: smtp.tls, user, accessToken: imapOnly.accessToken })).toEqual({
      challenge: null,
      reply: ['535 5.7.3 Authentication unsuccessful [microsoft.lab.test]'],
    });
  });

  it('IMAP turned off: Gmail refuses the sign-in with its alert, while SMTP still works', async () => {
    const user = await ownAccount('google');
    const { accessToken } = await getTokensByCodeFlow({ persona: 'google', account: user });
    const { imap, smtp } = getLab().mail.gmail;
    await labControl.setImapDisabled({ account: user, disabled: true });

    await expect(imapLogin({ endpoint: imap.tls, auth: { user, accessToken } })).rejects.toMatchObject({
      authenticationFailed: true,
      response: expect.stringContaining('Your account is not enabled for IMAP use'),
    });
    // A refused token still gets the refusal for tokens: the setting is checked once the token is accepted.
    await expect(imapLogin({ endpoint: imap.tls, auth: { user, accessToken: 'not-a-token' } })).rejects.toMatchObject({ oauthError: { status: '400' } });
    await sendMail({ endpoint: smtp.tls, security: 'tls', auth: { user, accessToken }, to: 'x@elsewhere.lab.test' });

    await labControl.setImapDisabled({ account: user, disabled: false });
    await imapLogin({ endpoint: imap.starttls, security: 'starttls', auth: { user, accessToken } });
  });

  it('IMAP turned off: Exchange Online accepts the token, then refuses what needs the mailbox', async () => {
    const user = await ownAccount('microsoft');
    const { accessToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: user });
    const { imap } = getLab().mail.microsoft;
    await labControl.setImapDisabled({ account: user, disabled: true });

    // imapflow signs in, then finds NAMESPACE refused and reports the sign-in as failed.
    await expect(imapLogin({ endpoint: imap.tls, auth: { user, accessToken } })).rejects.toMatchObject({
      response: 'User is authenticated but not connected.',
    });
    await labControl.setImapDisabled({ account: user, disabled: false });
    await imapLogin({ endpoint: imap.tls, auth: { user, accessToken } });
  });
});

describe.skipIf(!labIsAvailable)('token endpoint faults of one client', () => {
  it('AADSTS65001: refreshes fail until an admin accepts at the admin consent endpoint; other clients go on', async () => {
    const { microsoft } = getLab().personas;
    const client = await labControl.registerClient({ persona: 'microsoft', redirectUris: ['http://localhost:3000/api/oauth/callback'] });
    const user = await ownAccount('microsoft');
    const own = await getTokensByCodeFlow({ persona: 'microsoft', account: user, client });
    const other = await getTokensByCodeFlow({ persona: 'microsoft', account: user });
    await labControl.setAdminConsentRequired({ clientId: client.clientId, required: true });

    await expect(refreshTokens({ persona: 'microsoft', refreshToken: own.refreshToken!, client })).rejects.toMatchObject({
      status: 400,
      error: 'invalid_grant',
      description: expect.stringMatching(
        new RegExp(`^AADSTS65001: The user or administrator has not consented to use the application with ID '${client.clientId}'`),
      ),
    });
    await refreshTokens({ persona: 'microsoft', refreshToken: other.refreshToken! });

    await grantAdminConsent({ adminConsentUrl: `${microsoft.endpoints.adminConsent}?client_id=${client.clientId}`, email: user });
    expect((await refreshTokens({ persona: 'microsoft', refreshToken: own.refreshToken!, client })).accessToken).toEqual(expect.any(String));
  });

  it('slow_down: the next polls of the client’s device codes answer slow_down, then the flow goes on', async () => {
    const client = await labControl.registerClient({ persona: 'microsoft', redirectUris: [], confidential: false, deviceFlow: true });
    const user = await ownAccount('microsoft');
    await labControl.setSlowDown({ persona: 'microsoft', clientId: client.clientId, polls: 2 });
    const device = await requestDeviceCode({ persona: 'microsoft', client });
    const poll = () => requestTokens({ persona: 'microsoft', client, parameters: { grant_type: DEVICE_CODE_GRANT, device_code: device.device_code } });

    await expect(poll()).rejects.toMatchObject({ status: 400, error: 'slow_down' });
    await expect(poll()).rejects.toMatchObject({ status: 400, error: 'slow_down' });
    await expect(poll()).rejects.toMatchObject({ error: 'authorization_pending' });
    await approveDeviceCode({ verificationUri: device.verification_uri, userCode: device.user_code, email: user });
    expect((await poll()).accessToken).toEqual(expect.any(String));
    expect((await labControl.tokenRequests({ clientId: client.clientId })).microsoft[DEVICE_CODE_GRANT]).toBe(4);
  });
});
