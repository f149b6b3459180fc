// Issue 19, part 3 and acceptance 4: POST /api/v1/mailboxes/{id}/access-token hands a business system
// a current access token, never the refresh token, only where the profile allows it and the mailbox
// is active; many systems at once cause one refresh; each use shows as "last used by a system".
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as accessTokenRoute from '@/app/api/v1/mailboxes/[id]/access-token/route';
import * as tokenRoute from '@/app/api/v1/mailboxes/[id]/token/route';
import * as profileRoute from '@/app/api/v1/profiles/[id]/route';
import * as tokenStatusesRoute from '@/app/api/v1/token-status/route';
import * as usersRoute from '@/app/api/v1/users/route';
import { db } from '@/db';
import { mailboxes, oauthGrants, type ServerProfile } from '@/db/schema';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { createApiKey } from '@/lib/auth/api-keys';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { callRoute } from '../helpers/api';
import { insertMailboxRow, userWithKey } from '../helpers/fixtures';
import { imapLogin, labControl, labIsAvailable, type OAuthClient } from '../helpers/lab';
import { connectLabMailbox, createLabAccount, insertLabGenericProfile, insertLabGoogleProfile } from '../helpers/lab-profiles';
import { openGrantToken } from '../helpers/stored-secrets';

type Keyed = { key: string };
let admin: Keyed & { user: { id: string } };
let owner: Awaited<ReturnType<typeof userWithKey>>;
let support: Keyed;
let crm: Keyed;
let client: OAuthClient;
let google: ServerProfile;
let address: string;
let mailboxId: string;
/** Every answer of this file, searched at the end for the stored refresh token. */
const bodies: string[] = [];

async function fetchToken(key: string | undefined, id = mailboxId) {
  const answer = await callRoute(accessTokenRoute.POST, { method: 'POST', path: `/api/v1/mailboxes/${id}/access-token`, key, params: { id } });
  bodies.push(answer.text);
  return answer;
}
const setStatus = (status: 'active' | 'inactive' | 'disabled') => db.update(mailboxes).set({ status }).where(eq(mailboxes.id, mailboxId));
const storedGrant = async () => (await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId)))[0]!;

describe.skipIf(!labIsAvailable)('access tokens for business systems', () => {
  beforeAll(async () => {
    admin = await userWithKey('admin@example.org', 'admin');
    owner = await userWithKey('owner@example.org', 'owner');
    support = await userWithKey('support@example.org', 'support');
    // A client of its own, so that the lab counts this file's token requests alone.
    client = await labControl.registerClient({ persona: 'google', redirectUris: ['http://localhost:3000/api/oauth/callback'], confidential: true });
    google = await insertLabGoogleProfile({ name: 'Lab Gmail for systems', client });
    address = await createLabAccount({ provider: 'google', name: 'crm-box' });
    mailboxId = await connectLabMailbox({ owner: owner.user, address, profile: google });
    await setStatus('active');

    const created = await callRoute(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key: admin.key,
      body: { email: 'crm@example.org', role: 'service', name: 'CRM', profileIds: [google.id] },
    });
    crm = { key: (await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: created.json.id })).key };
  });

  it('is refused while the profile has not let business systems fetch tokens, which is how profiles start', async () => {
    const refused = await fetchToken(crm.key);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'The profile Lab Gmail for systems does not let business systems fetch its mailboxes’ access tokens.',
      hint: 'An admin can turn on “Let business systems fetch access tokens” on the profile.',
    });
    const profile = await callRoute(profileRoute.GET, { path: `/api/v1/profiles/${google.id}`, key: admin.key, params: { id: google.id } });
    expect(profile.json.allowAccessTokens).toBe(false);
  });

  it('is for service accounts only: owner, support and admin keys are refused', async () => {
    const enabled = await callRoute(profileRoute.PATCH, {
      method: 'PATCH',
      path: `/api/v1/profiles/${google.id}`,
      key: admin.key,
      params: { id: google.id },
      body: { allowAccessTokens: true },
    });
    expect(enabled.status, enabled.text).toBe(200);
    expect(enabled.json.allowAccessTokens).toBe(true);
    for (const person of [owner, support, admin]) expect((await fetchToken(person.key)).status).toBe(403);
    expect((await fetchToken(undefined)).status).toBe(401);
  });

  it('is refused for a mailbox that is not active, with the reason and where it stands', async () => {
    await setStatus('disabled');
    const disabled = await fetchToken(crm.key);
    expect(disabled.status).toBe(409);
    expect(disabled.json.error.message).toBe(`${address} is not active (Disabled): business systems get its access token only while it is.`);
    expect(disabled.json.error.hint).toBe('Where it stands: Disabled by an admin. Ask again once it is active.');
    await setStatus('inactive');
    expect((await fetchToken(crm.key)).status).toBe(409);
    await setStatus('active');
  });

  it('is refused for a password mailbox, and not found outside the service’s profiles', async () => {
    const generic = await insertLabGenericProfile({ allowAccessTokens: true });
    const passwordBox = await insertMailboxRow(owner.user, generic);
    // The service is limited to the Gmail profile: the password mailbox is not its to see.
    expect((await fetchToken(crm.key, passwordBox.id)).status).toBe(404);
    const everywhere = await callRoute(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key: admin.key,
      body: { email: 'erp@example.org', role: 'service', name: 'ERP' },
    });
    const erpKey = (await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: everywhere.json.id })).key;
    const password = await fetchToken(erpKey, passwordBox.id);
    expect(password.status).toBe(409);
    expect(password.json.error.message).toBe(`${passwordBox.address} signs in with a password: it has no access token.`);
  });

  it('hands a service a current access token that logs in to the lab’s IMAP, with where to use it', async () => {
    const answer = await fetchToken(crm.key);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toMatchObject({
      tokenType: 'Bearer',
      user: address,
      account: address,
      scopes: expect.arrayContaining(['https://mail.google.com/']),
      resource: null,
      incoming: { protocol: 'imap', host: google.incomingHost, port: google.incomingPort, security: 'tls', apiRoot: null },
      outgoing: { protocol: 'smtp', host: google.outgoingHost, port: google.outgoingPort, security: 'tls', apiRoot: null },
    });
    expect(new Date(answer.json.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const { incoming, user, accessToken } = answer.json;
    await imapLogin({ endpoint: { host: incoming.host, port: incoming.port }, auth: { user, accessToken } });
  });

  it('makes one refresh for 20 systems asking at once for an expired token', async () => {
    await db.update(oauthGrants).set({ accessTokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(oauthGrants.mailboxId, mailboxId));
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetchToken(crm.key)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((answer) => answer.json.accessToken)).size).toBe(1);
    expect((await labControl.tokenRequests({ clientId: client.clientId })).google).toMatchObject({ authorization_code: 1, refresh_token: 1 });
  });

  it('shows the last use by a system in the token status, and audits every call under the service’s name', async () => {
    const status = await callRoute(tokenRoute.GET, { path: `/api/v1/mailboxes/${mailboxId}/token`, key: support.key, params: { id: mailboxId } });
    expect(status.json.lastSystemUse).toMatchObject({ service: 'CRM' });
    expect(Date.now() - new Date(status.json.lastSystemUse.at).getTime()).toBeLessThan(60_000);
    const list = await callRoute(tokenStatusesRoute.GET, { path: `/api/v1/token-status?q=${encodeURIComponent(address)}`, key: admin.key });
    expect(list.json.data.map((row: { lastSystemUse: unknown }) => row.lastSystemUse)).toEqual([expect.objectContaining({ service: 'CRM' })]);

    const { events } = await findAuditEvents({ limit: 200, mailboxId });
    const issued = events.filter((event) => event.action === 'mailbox.system_token');
    expect(issued).toHaveLength(21);
    expect(new Set(issued.map((event) => event.actorLabel))).toEqual(new Set(['CRM (service)']));
    const refused = events.filter((event) => event.action === 'mailbox.system_token_refused');
    expect(refused.map((event) => [event.actorLabel, event.detail.code])).toEqual([
      ['CRM (service)', 'CONFLICT'],
      ['CRM (service)', 'CONFLICT'],
      ['CRM (service)', 'FORBIDDEN'],
    ]);
  });

  it('never answers with the refresh token', async () => {
    const refreshToken = openGrantToken(await storedGrant(), 'refreshToken');
    expect(refreshToken.length).toBeGreaterThan(10);
    for (const body of bodies) {
      expect(body).not.toContain(refreshToken);
      expect(body).not.toMatch(/refresh/i);
    }
  });
});
