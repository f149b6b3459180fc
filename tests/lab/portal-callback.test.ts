// Issue 16, item 7: the lab follows the portal it is used with. Its preset OAuth web clients accept
// the portal's callback derived from PORT (or MAILROOM_PUBLIC_URL) when the lab starts.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationServer } from '../../scripts/lab/authorization-server';
import { authorizeAsUser } from '../../scripts/lab/headless-user';
import { LabAccounts } from '../../scripts/lab/lab-accounts';
import { LAB_ACCOUNTS, labClients, portalCallbackUrl } from '../../scripts/lab/lab-config';

const callback = portalCallbackUrl({ PORT: '4123' });
let server: AuthorizationServer;

function authorizationUrl(redirectUri: string): string {
  const client = labClients(callback).google.web!;
  const url = new URL(server.personaInfo('google').endpoints.authorization);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email https://mail.google.com/',
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'portal-callback',
  }).toString();
  return url.href;
}

beforeAll(async () => {
  server = await AuthorizationServer.start({ accounts: new LabAccounts(LAB_ACCOUNTS), clients: labClients(callback) });
});

afterAll(() => server?.stop());

describe('the lab’s OAuth clients', () => {
  it('take the portal’s callback from MAILROOM_PUBLIC_URL, else PORT, else port 3000', () => {
    expect(callback).toBe('http://localhost:4123/api/oauth/callback');
    expect(portalCallbackUrl({ PORT: '4123', MAILROOM_PUBLIC_URL: 'https://mail.example.org/' })).toBe('https://mail.example.org/api/oauth/callback');
    expect(portalCallbackUrl({})).toBe('http://localhost:3000/api/oauth/callback');
  });

  it('send the code back to a portal on the PORT the lab started with', async () => {
    const redirect = await authorizeAsUser({ authorizationUrl: authorizationUrl(callback), email: 'alice@gmail.lab.test' });
    expect(`${redirect.origin}${redirect.pathname}`).toBe(callback);
    expect(redirect.searchParams.get('code')).toEqual(expect.any(String));
    expect(redirect.searchParams.get('state')).toBe('portal-callback');
  });

  it('refuse the default port’s callback once started for another port', async () => {
    await expect(
      authorizeAsUser({ authorizationUrl: authorizationUrl(portalCallbackUrl({})), email: 'alice@gmail.lab.test' }),
    ).rejects.toThrow(/answered 400/);
  });
});
