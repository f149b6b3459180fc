import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import {
  getLab,
  getTokensByCodeFlow,
  getTokensByDeviceFlow,
  labControl,
  labIsAvailable,
  refreshTokens,
  requestTokens,
  trustLabCa,
  type Endpoint,
  type LabAccount,
} from '../helpers/lab';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const PROTOCOLS = ['imap', 'pop3', 'smtp'] as const;

// Other test files share the lab, so each test counts at a client or ports of its own, which start at zero.
describe.skipIf(!labIsAvailable)('counters a test can read from the lab', () => {
  afterEach(() => labControl.reset());

  describe('token endpoint requests', () => {
    it('counts every request of a client by grant type: N parallel refreshes are N, errors and faults included', async () => {
      const client = await labControl.registerClient({ persona: 'google', redirectUris: ['http://127.0.0.1/callback'] });
      const { refreshToken } = await getTokensByCodeFlow({ persona: 'google', account: 'alice@gmail.lab.test', client });
      if (!refreshToken) throw new Error('no refresh token');

      await Promise.all(Array.from({ length: 10 }, () => refreshTokens({ persona: 'google', refreshToken, client })));
      await expect(refreshTokens({ persona: 'google', refreshToken: 'not-a-token', client })).rejects.toMatchObject({ error: 'invalid_grant' });
      await labControl.setTokenFault({ persona: 'google', fault: 'server_error' });
      await expect(refreshTokens({ persona: 'google', refreshToken, client })).rejects.toMatchObject({ status: 500 });

      expect(await labControl.tokenRequests({ clientId: client.clientId })).toEqual({
        google: { authorization_code: 1, refresh_token: 12, [DEVICE_CODE_GRANT]: 0 },
        microsoft: { authorization_code: 0, refresh_token: 0, [DEVICE_CODE_GRANT]: 0 },
      });
      const everyone = await labControl.tokenRequests();
      expect(everyone.google.refresh_token).toBeGreaterThanOrEqual(12);
      expect(everyone.google.authorization_code).toBeGreaterThanOrEqual(1);
    });

    it('counts a request the token endpoint never answers', async () => {
      const client = await labControl.registerClient({ persona: 'microsoft', redirectUris: ['http://127.0.0.1/callback'] });
      await labControl.setTokenFault({ persona: 'microsoft', fault: 'hang' });
      const giveUp = new AbortController();
      const hanging = requestTokens({
        persona: 'microsoft',
        client,
        parameters: { grant_type: 'refresh_token', refresh_token: 'unused' },
        signal: giveUp.signal,
      });
      hanging.catch(() => undefined);

      await expect.poll(async () => (await labControl.tokenRequests({ clientId: client.clientId })).microsoft.refresh_token).toBe(1);
      giveUp.abort();
    });

    it('counts device code polls, the refused ones too, and resets one client\'s counts', async () => {
      const client = await labControl.registerClient({ persona: 'microsoft', redirectUris: [], confidential: false, deviceFlow: true });
      await getTokensByDeviceFlow({ persona: 'microsoft', account: 'dave@contoso.lab.test', client });
      const unknownCode = requestTokens({ persona: 'microsoft', client, parameters: { grant_type: DEVICE_CODE_GRANT, device_code: 'unknown' } });
      await expect(unknownCode).rejects.toMatchObject({ status: 400 });
      await expect(requestTokens({ persona: 'microsoft', client, parameters: {} })).rejects.toMatchObject({ status: 400 });

      expect((await labControl.tokenRequests({ clientId: client.clientId })).microsoft).toEqual({
        authorization_code: 0,
        refresh_token: 0,
        [DEVICE_CODE_GRANT]: 2,
        '(none)': 1,
      });
      await labControl.resetCounters({ clientId: client.clientId });
      expect((await labControl.tokenRequests({ clientId: client.clientId })).microsoft).toEqual({
        authorization_code: 0,
        refresh_token: 0,
        [DEVICE_CODE_GRANT]: 0,
      });
    });
  });

  describe('mail connections', () => {
    const passwordAccount = (): LabAccount & { password: string } => {
      const account = getLab().accounts.find((candidate) => candidate.provider === 'password');
      if (!account?.password) throw new Error('The lab lists no password account');
      return { ...account, password: account.password };
    };

    it('counts IMAP connections held open at once: maxOpen 5, then open back to 0 once they close', async () => {
      const ports = await labControl.openMailPorts({ server: 'generic' });
      const { email, password } = passwordAccount();
      const before = await labControl.connectionStats();
      const clients = Array.from(
        { length: 5 },
        () => new ImapFlow({ ...ports.imap.tls, secure: true, auth: { user: email, pass: password }, tls: trustLabCa(), logger: false }),
      );
      await Promise.all(clients.map((client) => client.connect()));

      expect((await labControl.connectionStats({ portsId: ports.id })).generic.imap).toEqual({ open: 5, maxOpen: 5, total: 5 });
      const everyone = await labControl.connectionStats();
      expect(everyone.generic.imap.maxOpen).toBeGreaterThanOrEqual(5);
      expect(everyone.generic.imap.total - before.generic.imap.total).toBeGreaterThanOrEqual(5);

      await Promise.all(clients.slice(0, 3).map((client) => client.logout()));
      await expect.poll(async () => (await labControl.connectionStats({ portsId: ports.id })).generic.imap.open).toBe(2);
      await labControl.resetCounters({ portsId: ports.id });
      expect((await labControl.connectionStats({ portsId: ports.id })).generic.imap).toEqual({ open: 2, maxOpen: 2, total: 0 });

      await Promise.all(clients.slice(3).map((client) => client.logout()));
      await expect.poll(async () => (await labControl.connectionStats({ portsId: ports.id })).generic.imap).toEqual({ open: 0, maxOpen: 2, total: 0 });
    });

    it('counts at every port of a server, the Microsoft-like SMTP front included, each protocol apart', async () => {
      const ports = await labControl.openMailPorts({ server: 'microsoft' });
      const sockets = await Promise.all(
        PROTOCOLS.flatMap((protocol) => [openGreeted({ endpoint: ports[protocol].tls, tls: true }), openGreeted({ endpoint: ports[protocol].starttls, tls: false })]),
      );

      const stats = await labControl.connectionStats({ portsId: ports.id });
      for (const protocol of PROTOCOLS) expect(stats.microsoft[protocol]).toEqual({ open: 2, maxOpen: 2, total: 2 });
      expect(stats.gmail.imap).toEqual({ open: 0, maxOpen: 0, total: 0 });

      for (const socket of sockets) socket.destroy();
      await expect
        .poll(async () => Object.values((await labControl.connectionStats({ portsId: ports.id })).microsoft).map(({ open }) => open))
        .toEqual([0, 0, 0]);
    });

    it('counts every mail port the lab lists, self-signed ones included', async () => {
      const { mail } = getLab();
      const endpoints = [
        ...(['gmail', 'microsoft', 'generic'] as const).flatMap((server) =>
          PROTOCOLS.flatMap((protocol) => [
            { server, protocol, endpoint: mail[server][protocol].tls, tls: true },
            { server, protocol, endpoint: mail[server][protocol].starttls, tls: false },
          ]),
        ),
        ...PROTOCOLS.map((protocol) => ({ server: 'generic' as const, protocol, endpoint: mail.generic.selfSigned[protocol], tls: true })),
      ];
      const before = await labControl.connectionStats();
      const sockets = await Promise.all(endpoints.map(({ endpoint, tls }) => openGreeted({ endpoint, tls })));
      const after = await labControl.connectionStats();
      for (const socket of sockets) socket.destroy();

      for (const { server, protocol } of endpoints) {
        const connected = endpoints.filter((entry) => entry.server === server && entry.protocol === protocol).length;
        expect(after[server][protocol].total - before[server][protocol].total, `${server} ${protocol}`).toBeGreaterThanOrEqual(connected);
      }
    });
  });
});

/** A connection the server has greeted, and so has accepted; the self-signed ports' certificate is let through. */
function openGreeted(options: { endpoint: Endpoint; tls: boolean }): Promise<Socket> {
  const { endpoint, tls } = options;
  return new Promise((resolve, reject) => {
    const socket = tls ? connectTls({ ...endpoint, rejectUnauthorized: false }) : connect(endpoint);
    socket.once('data', () => resolve(socket));
    socket.once('error', reject);
  });
}
