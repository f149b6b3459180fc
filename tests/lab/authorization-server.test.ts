import { afterEach, describe, expect, it } from 'vitest';
import {
  authorizeWithPkce,
  getLab,
  getTokensByCodeFlow,
  getTokensByDeviceFlow,
  idTokenClaims,
  imapLogin,
  labControl,
  labIsAvailable,
  refreshTokens,
  requestDeviceCode,
  TokenEndpointError,
} from '../helpers/lab';

describe.skipIf(!labIsAvailable)('the lab authorization server', () => {
  afterEach(() => labControl.reset());

  describe('Google persona', () => {
    const alice = 'alice@gmail.lab.test';

    it('issues a refresh token only for access_type=offline together with prompt=consent', async () => {
      const both = await getTokensByCodeFlow({ persona: 'google', account: alice, extraParameters: { access_type: 'offline', prompt: 'consent' } });
      const offlineOnly = await getTokensByCodeFlow({ persona: 'google', account: alice, extraParameters: { access_type: 'offline' } });
      const consentOnly = await getTokensByCodeFlow({ persona: 'google', account: alice, extraParameters: { prompt: 'consent' } });

      expect(both.refreshToken).toEqual(expect.any(String));
      expect(offlineOnly.refreshToken).toBeNull();
      expect(consentOnly.refreshToken).toBeNull();
    });

    it('keeps the same refresh token across refreshes, answering without a new one', async () => {
      const first = await getTokensByCodeFlow({ persona: 'google', account: alice });
      if (!first.refreshToken) throw new Error('no refresh token');
      const refreshed = await refreshTokens({ persona: 'google', refreshToken: first.refreshToken });
      const again = await refreshTokens({ persona: 'google', refreshToken: first.refreshToken });

      expect(refreshed.refreshToken).toBeNull();
      expect(refreshed.accessToken).not.toBe(first.accessToken);
      expect(again.accessToken).not.toBe(refreshed.accessToken);
      await imapLogin({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: alice, accessToken: again.accessToken } });
    });

    it('puts the verified address in the ID token and at userinfo', async () => {
      const tokens = await getTokensByCodeFlow({ persona: 'google', account: alice });
      expect(idTokenClaims(tokens.idToken ?? '')).toMatchObject({ email: alice, email_verified: true });
      const userinfo = await fetch(getLab().personas.google.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
      expect(await userinfo.json()).toMatchObject({ email: alice, email_verified: true });
    });

    it('refuses the device grant for https://mail.google.com/', async () => {
      const client = await labControl.registerClient({ persona: 'google', redirectUris: [], confidential: false, deviceFlow: true });
      await expect(requestDeviceCode({ persona: 'google', client, scopes: ['openid', 'https://mail.google.com/'] })).rejects.toMatchObject({ status: 400, error: 'invalid_scope' });
    });

    it('allows the device grant for identity scopes alone', async () => {
      const client = await labControl.registerClient({ persona: 'google', redirectUris: [], confidential: false, deviceFlow: true });
      const tokens = await getTokensByDeviceFlow({ persona: 'google', account: alice, client, scopes: ['openid', 'email'] });
      expect(idTokenClaims(tokens.idToken ?? '')).toMatchObject({ email: alice });
    });

    it('revokes a token at its revocation endpoint, after which IMAP refuses it', async () => {
      const { accessToken } = await getTokensByCodeFlow({ persona: 'google', account: 'bob@gmail.lab.test' });
      const client = getLab().personas.google.clients.web;
      const revocation = getLab().personas.google.endpoints.revocation;
      if (!client?.clientSecret || !revocation) throw new Error('no revocation');
      const response = await fetch(revocation, {
        method: 'POST',
        body: new URLSearchParams({ token: accessToken, client_id: client.clientId, client_secret: client.clientSecret }),
      });
      expect(response.status).toBe(200);
      await expect(imapLogin({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: 'bob@gmail.lab.test', accessToken } })).rejects.toMatchObject({ authenticationFailed: true });
    });

    it('returns access_denied when the user cancels consent', async () => {
      const { code, error } = await authorizeWithPkce({ persona: 'google', account: alice, consent: 'deny', extraParameters: { prompt: 'consent' } });
      expect(code).toBeNull();
      expect(error).toBe('access_denied');
    });
  });

  describe('Microsoft persona', () => {
    const carol = 'carol@contoso.lab.test';

    it('rotates the refresh token on every refresh, and the replaced one stops working', async () => {
      const first = await getTokensByCodeFlow({ persona: 'microsoft', account: carol });
      if (!first.refreshToken) throw new Error('no refresh token');
      const second = await refreshTokens({ persona: 'microsoft', refreshToken: first.refreshToken });

      expect(second.refreshToken).toEqual(expect.any(String));
      expect(second.refreshToken).not.toBe(first.refreshToken);
      await expect(refreshTokens({ persona: 'microsoft', refreshToken: first.refreshToken })).rejects.toMatchObject({ status: 400, error: 'invalid_grant' });
    });

    it('issues a refresh token only when offline_access is asked for', async () => {
      const { identityScopes, mailScopes } = getLab().personas.microsoft;
      const withoutOffline = await getTokensByCodeFlow({
        persona: 'microsoft',
        account: carol,
        scopes: [...identityScopes.filter((scope) => scope !== 'offline_access'), ...mailScopes],
      });
      expect(withoutOffline.refreshToken).toBeNull();
    });

    it('names the account in the ID token\'s preferred_username', async () => {
      const tokens = await getTokensByCodeFlow({ persona: 'microsoft', account: carol });
      expect(idTokenClaims(tokens.idToken ?? '')).toMatchObject({ preferred_username: carol, tid: getLab().personas.microsoft.tenant });
    });

    it('answers under common and the tenant, and refuses an unknown tenant', async () => {
      const tenantToken = getLab().personas.microsoft.endpoints.token;
      const tenant = getLab().personas.microsoft.tenant ?? '';
      const common = await fetch(tenantToken.replace(tenant, 'common'), { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'unknown' }) });
      expect(common.status).toBe(401);
      const unknown = await fetch(tenantToken.replace(tenant, 'fabrikam.example'), { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token' }) });
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toMatchObject({ error: 'invalid_tenant' });
    });

    it('requires PKCE from a public client', async () => {
      const client = getLab().personas.microsoft.clients.public;
      if (!client) throw new Error('no public client');
      const url = new URL(getLab().personas.microsoft.endpoints.authorization);
      url.search = new URLSearchParams({ client_id: client.clientId, redirect_uri: client.redirectUris[0] ?? '', response_type: 'code', scope: 'openid' }).toString();
      const response = await fetch(url, { redirect: 'manual' });
      expect(new URL(response.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
    });
  });

  it('lets a test register a client with its own redirect URI and use it', async () => {
    const redirectUri = 'http://127.0.0.1:45678/api/oauth/callback';
    const client = await labControl.registerClient({ persona: 'google', redirectUris: [redirectUri] });
    const { code } = await authorizeWithPkce({ persona: 'google', account: 'bob@gmail.lab.test', client });
    expect(code).toEqual(expect.any(String));
    expect(client.clientSecret).toEqual(expect.any(String));
  });

  it('lets a test add an OAuth account that then logs in', async () => {
    const email = `grace-${Date.now()}@gmail.lab.test`;
    await labControl.createAccount({ email, provider: 'google' });
    const { accessToken } = await getTokensByCodeFlow({ persona: 'google', account: email });
    await imapLogin({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: email, accessToken } });
  });

  it('reports token endpoint errors with their OAuth error code', async () => {
    await expect(refreshTokens({ persona: 'google', refreshToken: 'never-issued' })).rejects.toBeInstanceOf(TokenEndpointError);
    await expect(refreshTokens({ persona: 'google', refreshToken: 'never-issued' })).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
