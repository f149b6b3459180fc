import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { getLab, getTokensByCodeFlow, imapLogin, labControl, labIsAvailable, refreshTokens, sendMail } from '../helpers/lab';

describe.skipIf(!labIsAvailable)('faults a test can inject into the lab', () => {
  afterEach(() => labControl.reset());

  describe('token endpoint', () => {
    it('answers 500, then invalid_grant, then works again after reset', async () => {
      const { refreshToken } = await getTokensByCodeFlow({ persona: 'google', account: 'alice@gmail.lab.test' });
      if (!refreshToken) throw new Error('no refresh token');

      await labControl.setTokenFault({ persona: 'google', fault: 'server_error' });
      await expect(refreshTokens({ persona: 'google', refreshToken })).rejects.toMatchObject({ status: 500 });
      await labControl.setTokenFault({ persona: 'google', fault: 'invalid_grant' });
      await expect(refreshTokens({ persona: 'google', refreshToken })).rejects.toMatchObject({ status: 400, error: 'invalid_grant' });

      await labControl.reset();
      expect((await refreshTokens({ persona: 'google', refreshToken })).accessToken).toEqual(expect.any(String));
    });

    it('fails the refreshes of one client alone when the fault names it, until cleared', async () => {
      const faulty = await labControl.registerClient({ persona: 'google', redirectUris: ['http://localhost:3000/api/oauth/callback'], confidential: true });
      const [own, other] = await Promise.all([
        getTokensByCodeFlow({ persona: 'google', account: 'alice@gmail.lab.test', client: faulty }),
        getTokensByCodeFlow({ persona: 'google', account: 'alice@gmail.lab.test' }),
      ]);
      if (!own.refreshToken || !other.refreshToken) throw new Error('no refresh token');

      await labControl.setTokenFault({ persona: 'google', clientId: faulty.clientId, fault: 'server_error' });
      await expect(refreshTokens({ persona: 'google', refreshToken: own.refreshToken, client: faulty })).rejects.toMatchObject({ status: 500 });
      expect((await refreshTokens({ persona: 'google', refreshToken: other.refreshToken })).accessToken).toEqual(expect.any(String));
      // A reset clears the lab-wide faults only: other test files reset the lab while this one runs.
      await labControl.reset();
      await expect(refreshTokens({ persona: 'google', refreshToken: own.refreshToken, client: faulty })).rejects.toMatchObject({ status: 500 });

      await labControl.setTokenFault({ persona: 'google', clientId: faulty.clientId, fault: null });
      expect((await refreshTokens({ persona: 'google', refreshToken: own.refreshToken, client: faulty })).accessToken).toEqual(expect.any(String));
    });

    it('hangs: the request gets no answer until the client gives up', async () => {
      const { refreshToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: 'carol@contoso.lab.test' });
      if (!refreshToken) throw new Error('no refresh token');
      await labControl.setTokenFault({ persona: 'microsoft', fault: 'hang' });
      const client = getLab().personas.microsoft.clients.web;
      const response = fetch(getLab().personas.microsoft.endpoints.token, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: client?.clientId ?? '', client_secret: client?.clientSecret ?? '' }),
        signal: AbortSignal.timeout(300),
      });
      await expect(response).rejects.toMatchObject({ name: 'TimeoutError' });
    });

    it('gives short-lived access tokens, which the mail server refuses once expired', async () => {
      await labControl.setAccessTokenLifetime({ persona: 'google', seconds: 1 });
      const { accessToken, expiresIn } = await getTokensByCodeFlow({ persona: 'google', account: 'bob@gmail.lab.test' });
      expect(expiresIn).toBe(1);
      await sleep(2_100);
      await expect(imapLogin({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: 'bob@gmail.lab.test', accessToken } })).rejects.toMatchObject({ authenticationFailed: true });
    });
  });

  it('refuses SMTP AUTH for one account as Exchange Online does, while IMAP still works', async () => {
    const dave = 'dave@contoso.lab.test';
    const { accessToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: dave });
    await labControl.setSmtpAuthDisabled({ account: dave, disabled: true });
    const { smtp, imap } = getLab().mail.microsoft;

    const refusal = sendMail({ endpoint: smtp.starttls, security: 'starttls', auth: { user: dave, accessToken }, to: 'x@elsewhere.lab.test' });
    await expect(refusal).rejects.toMatchObject({
      responseCode: 535,
      response: expect.stringContaining('535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant'),
    });
    await imapLogin({ endpoint: imap.tls, auth: { user: dave, accessToken } });

    await labControl.setSmtpAuthDisabled({ account: dave, disabled: false });
    await sendMail({ endpoint: smtp.starttls, security: 'starttls', auth: { user: dave, accessToken }, to: 'x@elsewhere.lab.test' });
  });

  it('makes a server unreachable, then reachable again on the same port', async () => {
    const erin = getLab().accounts.find((account) => account.provider === 'password');
    if (!erin?.password) throw new Error('no password account');
    const auth = { user: erin.email, pass: erin.password };
    const { imap } = getLab().mail.generic;

    await labControl.setServerFault({ server: 'generic', fault: 'unreachable' });
    await expect(imapLogin({ endpoint: imap.tls, auth })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await labControl.setServerFault({ server: 'generic', fault: null });
    await imapLogin({ endpoint: imap.tls, auth });
  });

  it('makes a server hang: connections are accepted and never greeted', async () => {
    await labControl.setServerFault({ server: 'gmail', protocol: 'imap', fault: 'hang' });
    const login = imapLogin({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: 'alice@gmail.lab.test', accessToken: 'unused' }, timeoutMs: 300 });
    await expect(login).rejects.toMatchObject({ code: 'CONNECT_TIMEOUT' });
  });

  it('serves a self-signed certificate that fails verification unless the client allows it', async () => {
    const erin = getLab().accounts.find((account) => account.provider === 'password');
    if (!erin?.password) throw new Error('no password account');
    const auth = { user: erin.email, pass: erin.password };
    const { selfSigned } = getLab().mail.generic;

    await expect(imapLogin({ endpoint: selfSigned.imap, auth })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await imapLogin({ endpoint: selfSigned.imap, auth, tls: { rejectUnauthorized: false } });
    await sendMail({ endpoint: selfSigned.smtp, security: 'tls', auth, to: 'x@elsewhere.lab.test', tls: { rejectUnauthorized: false } });
  });
});
