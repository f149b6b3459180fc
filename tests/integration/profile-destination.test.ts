// Issue 12, acceptance 1 and 2 (save time): an admin who edits only a profile's token endpoint,
// pointing it at a server of their own, receives neither the client secret nor a refresh token
// there, whatever runs next ("Check now", the background check, a connection test); Gmail
// endpoints stay at Google, and a profile that is not internal cannot point at internal addresses.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as profileRoute from '@/app/api/v1/profiles/[id]/route';
import * as testRoute from '@/app/api/v1/mailboxes/[id]/test/route';
import * as tokenRoute from '@/app/api/v1/mailboxes/[id]/token/route';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, type ServerProfile, type User } from '@/db/schema';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { checkGrant, findGrantsToCheck } from '@/lib/tokens/check-grants';
import { callRoute } from '../helpers/api';
import { captureLogs } from '../helpers/captured-logs';
import { userWithKey } from '../helpers/fixtures';
import { labControl, labIsAvailable, type OAuthClient } from '../helpers/lab';
import { connectLabMailbox, createLabAccount, insertLabGoogleProfile } from '../helpers/lab-profiles';
import { openGrantToken } from '../helpers/stored-secrets';

const logs = captureLogs();

/** An HTTP server that answers 400 to everything and keeps every connection and request it saw. */
type RecordingServer = { url: string; connections: () => number; received: () => string; close: () => Promise<void> };

async function startRecordingServer(): Promise<RecordingServer> {
  let connections = 0;
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(`${request.method} ${request.url}\n${JSON.stringify(request.headers)}\n${Buffer.concat(chunks).toString('utf8')}`);
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
    });
  });
  server.on('connection', () => (connections += 1));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    received: () => requests.join('\n\n'),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Whether `text` holds the client's secret as a form or JSON body, or as HTTP Basic credentials. */
function holdsSecret(text: string, client: OAuthClient): boolean {
  const secret = client.clientSecret!;
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  return [secret, encodeURIComponent(secret), basic].some((form) => text.includes(form));
}

let admin: { user: User; key: string };
let owner: User;
let recorder: RecordingServer;

const connectedMailbox = (address: string, profile: ServerProfile) => connectLabMailbox({ owner, address, profile });

const patchProfile = (id: string, body: unknown) =>
  callRoute(profileRoute.PATCH, { method: 'PATCH', path: `/api/v1/profiles/${id}`, key: admin.key, params: { id }, body });

describe.skipIf(!labIsAvailable)('a secret follows its destination', () => {
  let client: OAuthClient;
  let profile: ServerProfile;
  let mailboxId: string;
  let refreshToken: string;

  beforeAll(async () => {
    admin = await userWithKey('admin@example.org', 'admin');
    owner = (await userWithKey('owner@example.org', 'owner')).user;
    recorder = await startRecordingServer();
    // A client of its own, whose secret no other test sends anywhere.
    client = await labControl.registerClient({
      persona: 'google',
      redirectUris: ['http://localhost:3000/api/oauth/callback'],
      confidential: true,
    });
    profile = await insertLabGoogleProfile({ name: 'Lab OAuth (custom)', client });
    mailboxId = await connectedMailbox(await createLabAccount({ provider: 'google', name: 'destination' }), profile);
    // Then Custom, which may name endpoints of its own; internal, so that loopback is allowed.
    await db.update(serverProfiles).set({ serverType: 'custom', publishingStatus: null, mailboxCap: null }).where(eq(serverProfiles.id, profile.id));
    const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId));
    refreshToken = openGrantToken(grant!, 'refreshToken');
  });

  afterAll(async () => {
    await recorder?.close();
  });

  it('clears the secret and ends the grants when an admin edits only the token endpoint', async () => {
    const { status, json, text } = await patchProfile(profile.id, { endpoints: { token: `${recorder.url}/token` } });
    expect(status, text).toBe(200);
    expect(json).toMatchObject({
      endpoints: { token: `${recorder.url}/token` },
      clientSecretSet: false,
      clientSecretHint: null,
      notices: [
        'The client secret was cleared: enter it again, because the token endpoint changed.',
        '1 connected mailbox must reconnect: its tokens were issued for the previous OAuth settings and were deleted.',
      ],
    });
    expect(text).not.toContain(client.clientSecret!);

    const [mailbox] = await db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId));
    expect(mailbox).toMatchObject({ connection: 'needs_reconnect', statusReason: expect.objectContaining({ code: 'oauth_app_changed' }) });
    expect(await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId))).toEqual([]);
    const [stored] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, profile.id));
    expect(stored!.clientSecret).toBeNull();

    const { events } = await findAuditEvents({ limit: 20, profileId: profile.id });
    expect(events.find((event) => event.action === 'profile.update')?.detail).toMatchObject({
      clientSecret: 'cleared',
      destinationChanged: ['endpoints.token'],
      grantsEnded: 1,
    });
    expect(events.some((event) => event.action === 'mailbox.needs_reconnect' && event.mailboxId === mailboxId)).toBe(true);
  });

  it('then sends neither the secret nor the refresh token to the new endpoint: check now, background check, test', async () => {
    // "Check now": the same check the background job runs, proving the grant with a refresh.
    await checkGrant({ mailboxId, prove: true }).catch(() => 'refused');
    // The background check: nothing of this profile is left to check.
    const due = await findGrantsToCheck();
    expect(due.map((grant) => grant.mailboxId)).not.toContain(mailboxId);
    for (const grant of due.filter((grant) => grant.mailboxId === mailboxId)) await checkGrant(grant);
    // A connection test, as an admin would start it.
    const test = await callRoute(testRoute.POST, {
      method: 'POST',
      path: `/api/v1/mailboxes/${mailboxId}/test`,
      key: admin.key,
      params: { id: mailboxId },
      body: { sendTestMessage: false },
    });
    expect(test.json.ok).toBe(false);

    const received = recorder.received();
    expect(holdsSecret(received, client)).toBe(false);
    expect(received).not.toContain(refreshToken);
    expect(holdsSecret(logs.text(), client)).toBe(false);
    expect(logs.text()).not.toContain(refreshToken);

    const token = await callRoute(tokenRoute.GET, { path: `/api/v1/mailboxes/${mailboxId}/token`, key: admin.key, params: { id: mailboxId } });
    expect(token.json.state).toBe('none');
    const saved = await callRoute(profileRoute.GET, { path: `/api/v1/profiles/${profile.id}`, key: admin.key, params: { id: profile.id } });
    expect(saved.json).toMatchObject({ clientSecretSet: false, endpoints: { token: `${recorder.url}/token` } });
  });

  it('keeps Gmail endpoints at Google: the edit is refused and the recording server sees no connection', async () => {
    const gmail = await insertLabGoogleProfile({ name: 'Lab Gmail (pinned)', client });
    const connectionsBefore = recorder.connections();
    for (const field of ['token', 'revocation', 'userinfo', 'jwks'] as const) {
      const { status, json } = await patchProfile(gmail.id, { endpoints: { [field]: `${recorder.url}/${field}` } });
      expect(status).toBe(422);
      expect(Object.keys(json.error.fields)).toEqual([`endpoints.${field}`]);
    }
    const [stored] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, gmail.id));
    expect(stored).toMatchObject({ tokenEndpoint: gmail.tokenEndpoint, clientSecret: gmail.clientSecret });
    expect(recorder.connections()).toBe(connectionsBefore);
  });

  it('refuses internal addresses at save for a profile that is not internal, and the recording server sees no connection', async () => {
    const port = new URL(recorder.url).port;
    const outside = await insertLabGoogleProfile({
      name: 'Lab OAuth (outside)',
      serverType: 'custom',
      publishingStatus: null,
      mailboxCap: null,
      internalServer: false,
      incomingHost: 'imap.example.org',
      outgoingHost: 'smtp.example.org',
      authorizationEndpoint: 'https://id.example.org/authorize',
      tokenEndpoint: 'https://id.example.org/token',
      revocationEndpoint: null,
      userinfoEndpoint: null,
      issuer: null,
      jwksEndpoint: null,
      client,
    });
    const connectionsBefore = recorder.connections();
    const addresses = [
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      `http://[::1]:${port}`,
      `http://[::ffff:127.0.0.1]:${port}`,
      `http://[::ffff:7f00:1]:${port}`,
      `http://2130706433:${port}`,
      'https://10.1.2.3',
      'https://172.16.0.1',
      'https://192.168.0.10',
      'https://169.254.169.254',
      'https://[fe80::1]',
      'https://[fd12:3456::1]',
    ];
    for (const origin of addresses) {
      const { status, json } = await patchProfile(outside.id, { endpoints: { token: `${origin}/token` } });
      expect(status, origin).toBe(422);
      expect(Object.keys(json.error.fields), origin).toEqual(['endpoints.token']);
    }
    const [stored] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, outside.id));
    expect(stored).toMatchObject({ tokenEndpoint: 'https://id.example.org/token', clientSecret: outside.clientSecret });
    expect(recorder.connections()).toBe(connectionsBefore);
  });
});
