// Issue 4, acceptance 2, 3 and 4 (API side): presets, every validation rule naming its field,
// roles, the mailbox cap, the single default profile, delete while in use, and the write-only secret.
// Issue 12, acceptance 2 (save time): provider endpoints pinned, internal addresses refused; the
// secret follows its destination; client authentication, issuer and JWKS, accepted certificates.
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as profileRoute from '@/app/api/v1/profiles/[id]/route';
import * as profilesRoute from '@/app/api/v1/profiles/route';
import * as openapiRoute from '@/app/api/v1/openapi.json/route';
import { db } from '@/db';
import { mailboxes, serverProfiles } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { createApiKey } from '@/lib/auth/api-keys';
import { createUser } from '@/lib/users/users';
import { callRoute } from '../helpers/api';
import { captureLogs } from '../helpers/captured-logs';

const logs = captureLogs();
const GMAIL_SECRET = 'GOCSPX-gmail-client-secret-4f2a';
const MICROSOFT_SECRET = 'ms~client~secret~value~9b7c';
const REPLACED_SECRET = 'GOCSPX-replaced-secret-d00d';
const TENANT = '0b5e3c1a-7d2f-4e8a-9c6b-1f2e3d4c5b6a';
const secrets = [GMAIL_SECRET, MICROSOFT_SECRET, REPLACED_SECRET];

let adminKey: string;
let supportKey: string;
let ownerKey: string;
let ownerId: string;

async function userWithKey(email: string, role: 'admin' | 'owner' | 'support') {
  const user = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email, role } });
  const { key } = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: user.id });
  return { user, key };
}

beforeAll(async () => {
  adminKey = (await userWithKey('admin@example.org', 'admin')).key;
  supportKey = (await userWithKey('support@example.org', 'support')).key;
  const owner = await userWithKey('owner@example.org', 'owner');
  ownerKey = owner.key;
  ownerId = owner.user.id;
});

const create = (body: unknown, key = adminKey) =>
  callRoute(profilesRoute.POST, { method: 'POST', path: '/api/v1/profiles', key, body });
const get = (id: string, key = adminKey) => callRoute(profileRoute.GET, { path: `/api/v1/profiles/${id}`, key, params: { id } });
const patch = (id: string, body: unknown, key = adminKey) =>
  callRoute(profileRoute.PATCH, { method: 'PATCH', path: `/api/v1/profiles/${id}`, key, params: { id }, body });
const remove = (id: string, key = adminKey) =>
  callRoute(profileRoute.DELETE, { method: 'DELETE', path: `/api/v1/profiles/${id}`, key, params: { id } });

async function profileCount(): Promise<number> {
  const [row] = await db.select({ value: sql<number>`count(*)::int` }).from(serverProfiles);
  return row!.value;
}

/** Attaches mailboxes as the mailbox code does: the rows and the profile's count in one transaction. */
async function attachMailboxes(profileId: string, addresses: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(mailboxes).values(addresses.map((address) => ({ address, ownerId, profileId })));
    await tx
      .update(serverProfiles)
      .set({ mailboxCount: sql`${serverProfiles.mailboxCount} + ${addresses.length}` })
      .where(eq(serverProfiles.id, profileId));
  });
}

const gmail = { name: 'Gmail staff', serverType: 'gmail', clientId: 'staff.apps.googleusercontent.com', clientSecret: GMAIL_SECRET };
const FINGERPRINT = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const customOAuth = {
  name: 'Custom OAuth',
  serverType: 'custom',
  authType: 'oauth2_code',
  clientId: 'custom-app',
  clientSecret: 'custom-secret-value-0001',
  scopes: ['mail'],
  endpoints: { authorization: 'https://id.example.org/authorize', token: 'https://id.example.org/token' },
  incoming: { host: 'mail.example.org' },
  outgoing: { host: 'mail.example.org' },
};
const custom = {
  name: 'Lab IMAP',
  serverType: 'custom',
  internalServer: true,
  incoming: { host: 'mail.example.org', port: 993, security: 'tls' },
  outgoing: { host: 'mail.example.org', port: 587, security: 'starttls' },
};

describe('presets fill what a person should not have to look up', () => {
  it('creates a Gmail OAuth profile from a name, a client id and a secret', async () => {
    const { status, json, text } = await create(gmail);
    expect(status).toBe(201);
    expect(json).toMatchObject({
      name: 'Gmail staff',
      serverType: 'gmail',
      authType: 'oauth2_code',
      clientId: 'staff.apps.googleusercontent.com',
      clientSecretSet: true,
      clientSecretHint: '…4f2a',
      publicClient: false,
      publishingStatus: 'testing',
      endpoints: {
        authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
        token: 'https://oauth2.googleapis.com/token',
        device: null,
        revocation: 'https://oauth2.googleapis.com/revoke',
        userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
        jwks: 'https://www.googleapis.com/oauth2/v3/certs',
      },
      issuer: 'https://accounts.google.com',
      tokenEndpointAuthMethod: 'client_secret_post',
      scopes: ['https://mail.google.com/', 'openid', 'email'],
      incoming: { protocol: 'imap', host: 'imap.gmail.com', port: 993, security: 'tls' },
      outgoing: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
      mailboxCap: 100,
      mailboxCount: 0,
      redirectUri: 'http://localhost:3000/api/oauth/callback',
      trustedCertificates: [],
      internalServer: false,
      isDefault: false,
      advanced: { minPollingIntervalMinutes: 5, maxConcurrentConnections: 10, connectionTimeoutSeconds: 30, moveFailedToUndeliverable: false, sendRatePerMinute: 30, queuedMessageExpiryHours: 24 },
    });
    expect(text).not.toContain(GMAIL_SECRET);
  });

  it('fills a Gmail app-password profile with STARTTLS on 587 and no OAuth, and no cap', async () => {
    const { status, json } = await create({ name: 'Gmail app passwords', serverType: 'gmail', authType: 'password' });
    expect(status).toBe(201);
    expect(json).toMatchObject({
      authType: 'password',
      clientSecretSet: false,
      scopes: [],
      endpoints: { authorization: null, token: null, device: null },
      incoming: { host: 'imap.gmail.com', port: 993, security: 'tls' },
      outgoing: { host: 'smtp.gmail.com', port: 587, security: 'starttls' },
      mailboxCap: null,
      publishingStatus: null,
      redirectUri: null,
    });
  });

  it('builds a Microsoft 365 tenant’s endpoints, with the device endpoint for the device grant and the POP scope for POP3', async () => {
    const { status, json } = await create({
      name: 'Contoso device',
      serverType: 'microsoft365',
      authType: 'oauth2_device',
      tenant: TENANT,
      clientId: '11111111-2222-3333-4444-555555555555',
      publicClient: true,
      incoming: { protocol: 'pop3' },
    });
    expect(status).toBe(201);
    const base = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0`;
    expect(json).toMatchObject({
      endpoints: { authorization: `${base}/authorize`, token: `${base}/token`, device: `${base}/devicecode` },
      scopes: [
        'https://outlook.office.com/POP.AccessAsUser.All',
        'https://outlook.office.com/SMTP.Send',
        'offline_access',
        'openid',
        'email',
        'profile',
      ],
      incoming: { protocol: 'pop3', host: 'outlook.office365.com', port: 995, security: 'tls' },
      outgoing: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
      publicClient: true,
      clientSecretSet: false,
      mailboxCap: null,
      redirectUri: null,
    });
  });

  it('gives a Microsoft 365 code-flow profile no device endpoint and the IMAP scope', async () => {
    const { status, json } = await create({
      name: 'Contoso code',
      serverType: 'microsoft365',
      tenant: 'contoso.onmicrosoft.com',
      clientId: 'contoso-app',
      clientSecret: MICROSOFT_SECRET,
    });
    expect(status).toBe(201);
    expect(json.authType).toBe('oauth2_code');
    expect(json.endpoints.device).toBeNull();
    expect(json.endpoints.token).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(json.scopes).toContain('https://outlook.office.com/IMAP.AccessAsUser.All');
    expect(json.scopes).not.toContain('https://outlook.office.com/POP.AccessAsUser.All');
  });

  it('lets the tenant change carry the endpoints along, keeping fields someone changed', async () => {
    const created = await create({
      name: 'Fabrikam',
      serverType: 'microsoft365',
      tenant: 'common',
      clientId: 'fabrikam-app',
      clientSecret: MICROSOFT_SECRET,
      outgoing: { port: 25 },
    });
    expect(created.status).toBe(201);
    const { status, json } = await patch(created.json.id, { tenant: 'organizations' });
    expect(status).toBe(200);
    expect(json.endpoints.authorization).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize');
    expect(json.outgoing.port).toBe(25);
  });

  it('creates a Custom password profile on an internal server', async () => {
    const { status, json } = await create(custom);
    expect(status).toBe(201);
    expect(json).toMatchObject({ authType: 'password', internalServer: true, mailboxCap: null, scopes: [] });
  });
});

describe('validation names the field and saves nothing', () => {
  const cases: { rule: string; body: Record<string, unknown>; field: string }[] = [
    { rule: 'a name is required', body: { ...gmail, name: '  ' }, field: 'name' },
    { rule: 'the server type is one of three', body: { ...gmail, serverType: 'exchange2010' }, field: 'serverType' },
    { rule: 'incoming port below 1', body: { ...custom, incoming: { ...custom.incoming, port: 0 } }, field: 'incoming.port' },
    { rule: 'outgoing port above 65535', body: { ...custom, outgoing: { ...custom.outgoing, port: 70000 } }, field: 'outgoing.port' },
    { rule: 'a host with a scheme', body: { ...custom, incoming: { ...custom.incoming, host: 'imaps://mail.example.org' } }, field: 'incoming.host' },
    { rule: 'a host with a path', body: { ...custom, outgoing: { ...custom.outgoing, host: 'mail.example.org/smtp' } }, field: 'outgoing.host' },
    { rule: 'a custom host is required', body: { ...custom, incoming: { port: 993 } }, field: 'incoming.host' },
    {
      rule: 'endpoints are https',
      body: { ...gmail, endpoints: { token: 'http://oauth2.googleapis.com/token' } },
      field: 'endpoints.token',
    },
    {
      rule: 'an endpoint is a URL',
      body: { ...gmail, endpoints: { authorization: 'accounts.google.com/auth' } },
      field: 'endpoints.authorization',
    },
    {
      rule: 'a device endpoint only for the device grant',
      body: { ...gmail, endpoints: { device: 'https://oauth2.googleapis.com/device/code' } },
      field: 'endpoints.device',
    },
    {
      rule: 'the device grant needs a device endpoint',
      body: {
        name: 'Custom device',
        serverType: 'custom',
        authType: 'oauth2_device',
        clientId: 'x',
        publicClient: true,
        scopes: ['mail'],
        endpoints: { token: 'https://id.example.org/token' },
        incoming: { host: 'mail.example.org' },
        outgoing: { host: 'mail.example.org' },
      },
      field: 'endpoints.device',
    },
    { rule: 'Gmail refuses the device grant', body: { ...gmail, authType: 'oauth2_device' }, field: 'authType' },
    { rule: 'a confidential client needs a secret', body: { ...gmail, clientSecret: undefined }, field: 'clientSecret' },
    { rule: 'an empty secret is not a secret', body: { ...gmail, clientSecret: '' }, field: 'clientSecret' },
    { rule: 'OAuth needs a client id', body: { ...gmail, clientId: null }, field: 'clientId' },
    { rule: 'OAuth scopes are not empty', body: { ...gmail, scopes: [] }, field: 'scopes' },
    { rule: 'a Gmail client is never public', body: { ...gmail, clientSecret: undefined, publicClient: true }, field: 'publicClient' },
    {
      rule: 'Microsoft 365 needs a tenant',
      body: { name: 'No tenant', serverType: 'microsoft365', clientId: 'x', clientSecret: MICROSOFT_SECRET },
      field: 'tenant',
    },
    {
      rule: 'a tenant is a keyword, an id or a domain',
      body: { name: 'Bad tenant', serverType: 'microsoft365', tenant: 'not a tenant!', clientId: 'x', clientSecret: MICROSOFT_SECRET },
      field: 'tenant',
    },
    { rule: 'the cap is at least 1', body: { ...gmail, mailboxCap: 0 }, field: 'mailboxCap' },
    { rule: 'the cap is at most 100000', body: { ...gmail, mailboxCap: 100_001 }, field: 'mailboxCap' },
    { rule: 'polling interval 0–1440', body: { ...gmail, advanced: { minPollingIntervalMinutes: 1441 } }, field: 'advanced.minPollingIntervalMinutes' },
    { rule: 'concurrent connections 1–300', body: { ...gmail, advanced: { maxConcurrentConnections: 301 } }, field: 'advanced.maxConcurrentConnections' },
    { rule: 'connection timeout 5–300 s', body: { ...gmail, advanced: { connectionTimeoutSeconds: 2 } }, field: 'advanced.connectionTimeoutSeconds' },
    { rule: 'messages per minute per mailbox 1–10000', body: { ...gmail, advanced: { sendRatePerMinute: 0 } }, field: 'advanced.sendRatePerMinute' },
    { rule: 'queued messages expire after 1–168 h', body: { ...gmail, advanced: { queuedMessageExpiryHours: 169 } }, field: 'advanced.queuedMessageExpiryHours' },
    { rule: 'a private address needs “internal server”', body: { ...custom, internalServer: false, incoming: { ...custom.incoming, host: '192.168.1.20' } }, field: 'incoming.host' },
    { rule: 'the publishing status is for Gmail OAuth', body: { ...custom, publishingStatus: 'testing' }, field: 'publishingStatus' },
    {
      rule: 'a Gmail token endpoint stays on Google',
      body: { ...gmail, endpoints: { token: 'https://tokens.example.org/token' } },
      field: 'endpoints.token',
    },
    {
      rule: 'a look-alike host is not Google',
      body: { ...gmail, endpoints: { token: 'https://oauth2.googleapis.com.evil.example/token' } },
      field: 'endpoints.token',
    },
    {
      rule: 'a Google host as user name is not Google',
      body: { ...gmail, endpoints: { revocation: 'https://accounts.google.com@evil.example/revoke' } },
      field: 'endpoints.revocation',
    },
    {
      rule: 'a Microsoft JWKS endpoint stays on Microsoft',
      body: { name: 'MS keys', serverType: 'microsoft365', tenant: TENANT, clientId: 'x', clientSecret: MICROSOFT_SECRET, endpoints: { jwks: 'https://keys.example.org/keys' } },
      field: 'endpoints.jwks',
    },
    { rule: 'a Gmail issuer stays on Google', body: { ...gmail, issuer: 'https://issuer.example.org' }, field: 'issuer' },
    {
      rule: 'Google takes client_secret_post',
      body: { ...gmail, tokenEndpointAuthMethod: 'client_secret_basic' },
      field: 'tokenEndpointAuthMethod',
    },
    { rule: 'the client authentication method is one of two', body: { ...gmail, tokenEndpointAuthMethod: 'private_key_jwt' }, field: 'tokenEndpointAuthMethod' },
    { rule: 'an issuer needs its JWKS endpoint', body: { ...customOAuth, issuer: 'https://id.example.org' }, field: 'endpoints.jwks' },
    { rule: 'a JWKS endpoint needs its issuer', body: { ...customOAuth, endpoints: { ...customOAuth.endpoints, jwks: 'https://id.example.org/jwks' } }, field: 'issuer' },
    {
      rule: 'a certificate is accepted for the profile’s own hosts',
      body: { ...custom, trustedCertificates: [{ host: 'other.example.org', sha256: FINGERPRINT }] },
      field: 'trustedCertificates.0.host',
    },
    {
      rule: 'a fingerprint is 64 hex digits',
      body: { ...custom, trustedCertificates: [{ host: 'mail.example.org', sha256: 'AB:CD' }] },
      field: 'trustedCertificates.0.sha256',
    },
    { rule: 'allowSelfSigned is gone', body: { ...custom, allowSelfSigned: true }, field: 'allowSelfSigned' },
    ...(
      [
        ['loopback', 'http://127.0.0.1:4000/token'],
        ['loopback by name', 'http://localhost:4000/token'],
        ['IPv6 loopback', 'http://[::1]:4000/token'],
        ['a private address', 'https://10.0.0.7/token'],
        ['another private address', 'https://192.168.1.1/token'],
        ['a private address in decimal', 'https://3232235777/token'],
        ['link-local metadata', 'https://169.254.169.254/token'],
        ['IPv6 link-local', 'https://[fe80::1]/token'],
        ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/token'],
        ['IPv4-mapped IPv6 in hex', 'https://[::ffff:a00:1]/token'],
      ] as const
    ).map(([what, token]) => ({
      rule: `an endpoint at ${what} needs “internal server”`,
      body: { ...customOAuth, endpoints: { ...customOAuth.endpoints, token } },
      field: 'endpoints.token',
    })),
    {
      rule: 'link-local stays refused on an internal server',
      body: { ...customOAuth, internalServer: true, endpoints: { ...customOAuth.endpoints, token: 'https://169.254.169.254/token' } },
      field: 'endpoints.token',
    },
    {
      rule: 'an IPv4-mapped private host needs “internal server”',
      body: { ...custom, internalServer: false, incoming: { ...custom.incoming, host: '::ffff:192.168.1.20' } },
      field: 'incoming.host',
    },
  ];

  for (const { rule, body, field } of cases) {
    it(`refuses: ${rule} (${field})`, async () => {
      const before = await profileCount();
      const { status, json, text } = await create(body);
      expect(status, text).toBe(422);
      expect(json.error.code).toBe('INVALID_INPUT');
      expect(Object.keys(json.error.fields)).toContain(field);
      expect(await profileCount()).toBe(before);
      for (const secret of secrets) expect(text).not.toContain(secret);
    });
  }

  it('accepts plain http endpoints on loopback hosts, for the lab', async () => {
    const { status, json } = await create({
      name: 'Lab OAuth',
      serverType: 'custom',
      authType: 'oauth2_code',
      internalServer: true,
      clientId: 'lab-client',
      clientSecret: 'lab-secret-value-1234',
      scopes: ['mail'],
      endpoints: { authorization: 'http://127.0.0.1:4000/authorize', token: 'http://localhost:4000/token' },
      incoming: { host: '127.0.0.1' },
      outgoing: { host: '127.0.0.1' },
    });
    expect(status).toBe(201);
    expect(json.redirectUri).toMatch(/\/api\/oauth\/callback$/);
  });

  it('refuses a taken name with 409 on the name field', async () => {
    const { status, json } = await create({ ...gmail, name: 'Gmail staff' });
    expect(status).toBe(409);
    expect(json.error.fields.name).toBeDefined();
  });

  it('re-validates the merged profile on PATCH and saves nothing when it fails', async () => {
    const { json: created } = await create({ ...gmail, name: 'Patched' });
    const { status, json } = await patch(created.id, { incoming: { port: 99999 }, name: 'Renamed' });
    expect(status).toBe(422);
    expect(Object.keys(json.error.fields)).toEqual(['incoming.port']);
    const after = await get(created.id);
    expect(after.json).toMatchObject({ name: 'Patched', incoming: { port: 993 } });
  });
});

describe('roles', () => {
  it('lets a support key read profiles, without any secret', async () => {
    const list = await callRoute(profilesRoute.GET, { path: '/api/v1/profiles', key: supportKey });
    expect(list.status).toBe(200);
    const gmailProfile = list.json.data.find((profile: { name: string }) => profile.name === 'Gmail staff');
    expect(gmailProfile).toMatchObject({ clientSecretSet: true, clientSecretHint: '…4f2a', mailboxCount: 0, mailboxCap: 100 });
    expect(gmailProfile).not.toHaveProperty('clientSecret');
    const one = await get(gmailProfile.id, supportKey);
    expect(one.status).toBe(200);
    for (const secret of secrets) {
      expect(list.text).not.toContain(secret);
      expect(one.text).not.toContain(secret);
    }
    // The hint is the last four characters, never more.
    expect(list.text).not.toContain(GMAIL_SECRET.slice(-8));
  });

  it('refuses support on every write', async () => {
    const { json: list } = await callRoute(profilesRoute.GET, { path: '/api/v1/profiles', key: adminKey });
    const id = list.data[0].id;
    const before = await profileCount();
    expect((await create({ ...gmail, name: 'By support' }, supportKey)).status).toBe(403);
    expect((await patch(id, { name: 'Support rename' }, supportKey)).status).toBe(403);
    expect((await remove(id, supportKey)).status).toBe(403);
    expect(await profileCount()).toBe(before);
  });

  it('refuses a mailbox owner’s key with 403, even for reading', async () => {
    const list = await callRoute(profilesRoute.GET, { path: '/api/v1/profiles', key: ownerKey });
    expect(list.status).toBe(403);
    expect(list.json.error.code).toBe('FORBIDDEN');
    const { json } = await callRoute(profilesRoute.GET, { path: '/api/v1/profiles', key: adminKey });
    expect((await get(json.data[0].id, ownerKey)).status).toBe(403);
    expect((await create({ ...gmail, name: 'By owner' }, ownerKey)).status).toBe(403);
  });

  it('answers an unknown id with 404', async () => {
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      expect((await get(id)).status).toBe(404);
      expect((await patch(id, { name: 'x' })).status).toBe(404);
      expect((await remove(id)).status).toBe(404);
    }
  });
});

describe('the mailbox cap', () => {
  it('defaults to 100 for Gmail OAuth only, and follows the preset when the sign-in type changes', async () => {
    const { json: created } = await create({ ...gmail, name: 'Gmail cap' });
    expect(created.mailboxCap).toBe(100);
    const { status, json } = await patch(created.id, { authType: 'password' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ mailboxCap: null, clientSecretSet: false, clientId: null, scopes: [], publishingStatus: null });
  });

  it('can be set from 1 to 100000, or removed with null', async () => {
    const { json: created } = await create({ ...gmail, name: 'Gmail cap edit', mailboxCap: 1 });
    expect(created.mailboxCap).toBe(1);
    expect((await patch(created.id, { mailboxCap: 100_000 })).json.mailboxCap).toBe(100_000);
    expect((await patch(created.id, { mailboxCap: null })).json.mailboxCap).toBeNull();
  });

  it('cannot go below the number of mailboxes already attached', async () => {
    const { json: created } = await create({ ...gmail, name: 'Gmail full' });
    await attachMailboxes(created.id, ['a@example.org', 'b@example.org', 'c@example.org']);
    const refused = await patch(created.id, { mailboxCap: 2 });
    expect(refused.status).toBe(409);
    expect(refused.json.error.fields.mailboxCap[0]).toMatch(/3 mailboxes use this profile/);
    expect((await get(created.id)).json).toMatchObject({ mailboxCap: 100, mailboxCount: 3 });
    const allowed = await patch(created.id, { mailboxCap: 3 });
    expect(allowed.status).toBe(200);
    expect(allowed.json).toMatchObject({ mailboxCap: 3, mailboxCount: 3 });
  });
});

describe('the default profile for new mailboxes', () => {
  it('is unique: setting it on one profile clears it on the other', async () => {
    const first = await create({ ...gmail, name: 'Default A', isDefault: true });
    expect(first.json.isDefault).toBe(true);
    const second = await create({ ...gmail, name: 'Default B', isDefault: true });
    expect(second.json.isDefault).toBe(true);
    expect((await get(first.json.id)).json.isDefault).toBe(false);

    expect((await patch(first.json.id, { isDefault: true })).json.isDefault).toBe(true);
    expect((await get(second.json.id)).json.isDefault).toBe(false);
    const { json } = await callRoute(profilesRoute.GET, { path: '/api/v1/profiles?limit=200', key: adminKey });
    expect(json.data.filter((profile: { isDefault: boolean }) => profile.isDefault).map((p: { name: string }) => p.name)).toEqual([
      'Default A',
    ]);
  });
});

describe('delete', () => {
  it('is refused with 409 and the count while mailboxes use the profile', async () => {
    const { json: created } = await create({ ...custom, name: 'In use' });
    await attachMailboxes(created.id, ['d@example.org', 'e@example.org']);
    const { status, json } = await remove(created.id);
    expect(status).toBe(409);
    expect(json.error.code).toBe('CONFLICT');
    expect(json.error.message).toMatch(/^2 mailboxes use this profile/);
    expect((await get(created.id)).status).toBe(200);
  });

  it('deletes an unused profile with 204', async () => {
    const { json: created } = await create({ ...custom, name: 'Unused' });
    expect((await remove(created.id)).status).toBe(204);
    expect((await get(created.id)).status).toBe(404);
  });
});

describe('the client secret is write-only', () => {
  it('is replaced by a string, kept when absent and cleared by null', async () => {
    const { json: created } = await create({
      name: 'Secret dance',
      serverType: 'microsoft365',
      tenant: 'common',
      clientId: 'dance',
      clientSecret: MICROSOFT_SECRET,
      clientSecretExpiresAt: '2027-06-30',
    });
    expect(created).toMatchObject({ clientSecretSet: true, clientSecretHint: '…9b7c', clientSecretExpiresAt: '2027-06-30T00:00:00.000Z' });

    for (const notIso of ['06/30/2027', 'June 30, 2027', '2027-06-30 12:00']) {
      const refused = await patch(created.id, { clientSecretExpiresAt: notIso });
      expect(refused.status, notIso).toBe(422);
      expect(refused.json.error.fields.clientSecretExpiresAt).toEqual(['Enter the expiry as an ISO 8601 date such as 2026-12-31.']);
    }

    const kept = await patch(created.id, { name: 'Secret dance 2' });
    expect(kept.json).toMatchObject({ clientSecretSet: true, clientSecretHint: '…9b7c' });

    const replaced = await patch(created.id, { clientSecret: REPLACED_SECRET });
    expect(replaced.json).toMatchObject({ clientSecretSet: true, clientSecretHint: '…d00d' });

    const clearedConfidential = await patch(created.id, { clientSecret: null });
    expect(clearedConfidential.status).toBe(422);
    expect(Object.keys(clearedConfidential.json.error.fields)).toEqual(['clientSecret']);

    const cleared = await patch(created.id, { clientSecret: null, publicClient: true });
    expect(cleared.status).toBe(200);
    expect(cleared.json).toMatchObject({ clientSecretSet: false, clientSecretHint: null, publicClient: true, clientSecretExpiresAt: null });

    const [row] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, created.id));
    expect(row!.clientSecret).toBeNull();
  });

  it('is stored encrypted', async () => {
    const rows = await db.select({ secret: serverProfiles.clientSecret }).from(serverProfiles);
    const stored = JSON.stringify(rows);
    for (const secret of secrets) expect(stored).not.toContain(secret);
    expect(stored).toMatch(/"v2:/);
  });

  it('records every change in the audit log with the profile, and never the secret', async () => {
    const { events } = await findAuditEvents({ limit: 200 });
    const profileEvents = events.filter((event) => event.action.startsWith('profile.'));
    expect(profileEvents.every((event) => event.profileId !== null)).toBe(true);
    const actions = new Set(profileEvents.map((event) => `${event.actorLabel} ${event.action}`));
    expect([...actions].sort()).toEqual(['admin@example.org profile.create', 'admin@example.org profile.delete', 'admin@example.org profile.update']);
    const secretStates = profileEvents.map((event) => event.detail.clientSecret).filter(Boolean);
    expect(new Set(secretStates)).toEqual(new Set(['set', 'replaced', 'cleared']));
    const stored = JSON.stringify(profileEvents);
    for (const secret of secrets) expect(stored).not.toContain(secret);
  });

  it('logged nothing secret', () => {
    for (const secret of secrets) expect(logs.text()).not.toContain(secret);
  });
});

describe('a secret follows its destination', () => {
  const CLEARED = 'The client secret was cleared: enter it again, because the token endpoint changed.';

  it('clears the secret when only the token endpoint changes, saves the change and says so', async () => {
    const { json: created } = await create({ ...gmail, name: 'Destination token' });
    const { status, json } = await patch(created.id, { endpoints: { token: 'https://www.googleapis.com/oauth2/v4/token' } });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      endpoints: { token: 'https://www.googleapis.com/oauth2/v4/token' },
      clientSecretSet: false,
      clientSecretHint: null,
      notices: [CLEARED],
    });
    expect((await get(created.id)).json).toMatchObject({ clientSecretSet: false });
    const [row] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, created.id));
    expect(row!.clientSecret).toBeNull();
  });

  it('keeps the secret sent with the change, and says nothing of it', async () => {
    const { json: created } = await create({ ...gmail, name: 'Destination with secret' });
    const { json } = await patch(created.id, { clientId: 'other.apps.googleusercontent.com', clientSecret: REPLACED_SECRET });
    expect(json).toMatchObject({ clientSecretSet: true, clientSecretHint: '…d00d', notices: [] });
  });

  it('leaves the secret alone for a change that sends nothing elsewhere', async () => {
    const { json: created } = await create({ ...gmail, name: 'Destination rename' });
    const { json } = await patch(created.id, { name: 'Destination renamed', mailboxCap: 50 });
    expect(json).toMatchObject({ clientSecretSet: true, notices: [] });
  });

  it('names every destination field that changed, the tenant carrying the endpoints along', async () => {
    const { json: created } = await create({
      name: 'Destination tenant',
      serverType: 'microsoft365',
      tenant: 'organizations',
      clientId: 'tenant-app',
      clientSecret: MICROSOFT_SECRET,
    });
    const { json } = await patch(created.id, { tenant: TENANT });
    expect(json.clientSecretSet).toBe(false);
    expect(json.notices).toEqual([
      'The client secret was cleared: enter it again, because the token endpoint, the JWKS endpoint, the issuer and the tenant changed.',
    ]);
    expect(json.issuer).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
  });

  it('clears the secret when the client authentication method changes', async () => {
    const { json: created } = await create({ ...customOAuth, name: 'Destination method' });
    const { json } = await patch(created.id, { tokenEndpointAuthMethod: 'client_secret_basic' });
    expect(json).toMatchObject({
      tokenEndpointAuthMethod: 'client_secret_basic',
      clientSecretSet: false,
      notices: ['The client secret was cleared: enter it again, because the client authentication method changed.'],
    });
  });

  it('audits the destination fields, the cleared secret and the grants ended', async () => {
    const { json: created } = await create({ ...gmail, name: 'Destination audit' });
    await patch(created.id, { endpoints: { userinfo: 'https://www.googleapis.com/oauth2/v3/userinfo' } });
    const { events } = await findAuditEvents({ limit: 10, profileId: created.id });
    const update = events.find((event) => event.action === 'profile.update');
    expect(update?.detail).toMatchObject({ clientSecret: 'cleared', destinationChanged: ['endpoints.userinfo'], grantsEnded: 0 });
  });
});

describe('Gmail and Microsoft 365 endpoints stay at the provider', () => {
  it('accepts Microsoft’s national clouds', async () => {
    const { status, json, text } = await create({
      name: 'US Government',
      serverType: 'microsoft365',
      tenant: TENANT,
      clientId: 'gov-app',
      clientSecret: MICROSOFT_SECRET,
      issuer: `https://login.microsoftonline.us/${TENANT}/v2.0`,
      endpoints: {
        authorization: `https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/authorize`,
        token: `https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`,
        userinfo: 'https://graph.microsoft.us/oidc/userinfo',
        jwks: `https://login.microsoftonline.us/${TENANT}/discovery/v2.0/keys`,
      },
    });
    expect(status, text).toBe(201);
    expect(json.endpoints.token).toBe(`https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`);
  });

  it('refuses a PATCH that points a Gmail profile’s token endpoint elsewhere, and changes nothing', async () => {
    const { json: created } = await create({ ...gmail, name: 'Pinned Gmail' });
    const { status, json } = await patch(created.id, { endpoints: { token: 'https://collector.example.org/token' } });
    expect(status).toBe(422);
    expect(Object.keys(json.error.fields)).toEqual(['endpoints.token']);
    expect((await get(created.id)).json).toMatchObject({ endpoints: { token: 'https://oauth2.googleapis.com/token' }, clientSecretSet: true });
  });

  it('fills the issuer from a Microsoft tenant id, and leaves it empty for a keyword tenant', async () => {
    const byId = await create({ name: 'Tenant id', serverType: 'microsoft365', tenant: TENANT, clientId: 'a', clientSecret: MICROSOFT_SECRET });
    expect(byId.json).toMatchObject({
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      endpoints: { jwks: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys` },
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    const byKeyword = await create({ name: 'Tenant keyword', serverType: 'microsoft365', tenant: 'common', clientId: 'a', clientSecret: MICROSOFT_SECRET });
    expect(byKeyword.json.issuer).toBeNull();
  });
});

describe('custom OAuth clients and accepted certificates', () => {
  it('stores client_secret_basic, the issuer and JWKS, and fingerprints normalized', async () => {
    const { status, json, text } = await create({
      ...customOAuth,
      name: 'Custom basic',
      tokenEndpointAuthMethod: 'client_secret_basic',
      issuer: 'https://id.example.org',
      endpoints: { ...customOAuth.endpoints, jwks: 'https://id.example.org/jwks' },
      trustedCertificates: [{ host: 'MAIL.example.org', sha256: FINGERPRINT }],
    });
    expect(status, text).toBe(201);
    expect(json).toMatchObject({
      tokenEndpointAuthMethod: 'client_secret_basic',
      issuer: 'https://id.example.org',
      endpoints: { jwks: 'https://id.example.org/jwks' },
      trustedCertificates: [{ host: 'mail.example.org', sha256: FINGERPRINT.replaceAll(':', '').toLowerCase() }],
    });
  });

  it('gives a password profile no client authentication method', async () => {
    const { json } = await create({ ...custom, name: 'Password method' });
    expect(json.tokenEndpointAuthMethod).toBeNull();
  });
});

describe('OpenAPI document', () => {
  it('documents the profile endpoints from the same schemas', async () => {
    const { json } = await callRoute(openapiRoute.GET, { path: '/api/v1/openapi.json' });
    const createOperation = json.paths['/api/v1/profiles'].post;
    expect(createOperation.requestBody.content['application/json'].schema.required).toEqual(['name', 'serverType']);
    expect(Object.keys(createOperation.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '422']));
    expect(Object.keys(json.paths['/api/v1/profiles/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
  });
});
