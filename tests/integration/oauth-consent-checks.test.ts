// Who consented, checked properly, and nothing obtained and kept by mistake (#12 points 3 to 5):
// id_tokens verified against the issuer's keys, the client authentication the profile names, shared
// mailboxes and their delegates' tenant, the connecting person re-checked at the callback, and the
// tokens of a refused connect revoked at the provider.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as connectProgressRoute from '@/app/api/v1/mailboxes/[id]/connect/[authorizationId]/route';
import * as mailboxRoute from '@/app/api/v1/mailboxes/[id]/route';
import * as moveRoute from '@/app/api/v1/mailboxes/move/route';
import * as mailboxesRoute from '@/app/api/v1/mailboxes/route';
import { db } from '@/db';
import { oauthAuthorizations, oauthGrants, reconnectLinks, users, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { applyMailboxEvent, createMailbox, getMailbox, updateMailbox } from '@/lib/mailboxes/mailboxes';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { pollDeviceAuthorization } from '@/lib/connect/poll-device-authorization';
import { purgeSpentAuthorizations } from '@/lib/oauth/purge-spent-authorizations';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { createUser } from '@/lib/users/users';
import { approveDeviceCode, authorizeAsUser } from '../../scripts/lab/headless-user';
import { callRoute } from '../helpers/api';
import { insertProfile, userWithKey } from '../helpers/fixtures';
import { getLab, labControl, labIsAvailable, type OAuthClient } from '../helpers/lab';
import { createLabAccount, insertLabGoogleProfile, insertLabMicrosoftProfile } from '../helpers/lab-profiles';

const OTHER_TENANT_ID = '0f0e0d0c-0000-4000-8000-fab41ca70001';

let owner: User;
let admin: { key: string; user: User };

const suffix = () => Math.random().toString(36).slice(2, 8);

async function mailboxFor(address: string, profile: ServerProfile, options: { shared?: boolean; ownerId?: string } = {}) {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: options.ownerId ?? owner.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: options.shared ?? false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  return mailbox;
}

/** Signs in at the lab as `account` after "Connect"; `meanwhile` runs before the browser comes back. */
async function connectAs(mailboxId: string, account: string, options: { meanwhile?: () => Promise<unknown> } = {}) {
  const started = await startAuthorization({ viewer: owner, mailboxId });
  if (started.flow !== 'code') throw new Error('expected the code flow');
  const callback = await authorizeAsUser({ authorizationUrl: started.authorizationUrl, email: account });
  await options.meanwhile?.();
  return completeAuthorization({ userId: owner.id, query: Object.fromEntries(callback.searchParams) });
}

const storedGrants = (mailboxId: string) => db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId));

/** A Google client of the test's own, so that the lab's counts of its tokens are the test's alone. */
function googleClient(options: { tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' } = {}): Promise<OAuthClient> {
  return labControl.registerClient({ persona: 'google', redirectUris: getLab().personas.google.clients.web!.redirectUris, ...options });
}

describe.skipIf(!labIsAvailable)('who consented, checked properly', () => {
  beforeAll(async () => {
    owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `owner-${suffix()}@example.org`, role: 'owner' } });
    admin = await userWithKey(`admin-${suffix()}@example.org`, 'admin');
  });

  it.each(['foreign_key', 'other_audience', 'expired'] as const)('refuses an id_token %s, stores nothing, and revokes what came with it', async (fault) => {
    const client = await googleClient();
    const profile = await insertLabGoogleProfile({ client, name: `Lab Gmail id_token ${fault} ${suffix()}` });
    const account = await createLabAccount({ provider: 'google', name: `idtoken-${fault}` });
    const mailbox = await mailboxFor(account, profile);
    await labControl.setIdTokenFault({ persona: 'google', clientId: client.clientId, fault });

    const { outcome } = await connectAs(mailbox.id, account);
    expect(outcome).toMatchObject({ ok: false, code: 'id_token_invalid', hint: expect.stringMatching(/issuer/) });
    expect(await storedGrants(mailbox.id)).toEqual([]);
    expect(await getMailbox({ viewer: owner, id: mailbox.id })).toMatchObject({ connection: 'not_connected', connectedAs: null });
    expect(await labControl.liveTokens({ persona: 'google', clientId: client.clientId, account })).toEqual({ accessTokens: 0, refreshTokens: 0 });

    // The same sign-in with a sound id_token connects: only the fault made the difference.
    await labControl.setIdTokenFault({ persona: 'google', clientId: client.clientId, fault: null });
    expect((await connectAs(mailbox.id, account)).outcome).toMatchObject({ ok: true, code: 'connected' });
    const [grant] = await storedGrants(mailbox.id);
    expect(grant!.accountSubject).toMatch(/^\d+$/);
  });

  it('reads the account from userinfo when the profile names no issuer, leaving any id_token unread', async () => {
    const client = await googleClient();
    const profile = await insertLabGoogleProfile({ client, name: `Lab Gmail userinfo ${suffix()}`, issuer: null, jwksEndpoint: null });
    const account = await createLabAccount({ provider: 'google', name: 'userinfo' });
    const mailbox = await mailboxFor(account, profile);
    // Unverifiable without the issuer's keys, so it must not count either way.
    await labControl.setIdTokenFault({ persona: 'google', clientId: client.clientId, fault: 'foreign_key' });

    expect((await connectAs(mailbox.id, account)).outcome).toMatchObject({ ok: true, code: 'connected', message: `Connected as ${account}.` });
    const [grant] = await storedGrants(mailbox.id);
    expect(grant!.accountSubject).toMatch(/^\d+$/);
  });

  it.each(['client_secret_basic', 'client_secret_post'] as const)('connects with a client that accepts only %s when the profile says so', async (method) => {
    const client = await googleClient({ tokenEndpointAuthMethod: method });
    const other = method === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
    const name = method.replaceAll('_', '-');

    // The lab really holds the client to its method: the other one is refused.
    const wrong = await insertLabGoogleProfile({ client, name: `Lab Gmail ${other} ${suffix()}`, tokenEndpointAuthMethod: other });
    const refusedAccount = await createLabAccount({ provider: 'google', name: `${name}-refused` });
    const refused = await connectAs((await mailboxFor(refusedAccount, wrong)).id, refusedAccount);
    expect(refused.outcome).toMatchObject({ ok: false, code: 'exchange_failed', message: expect.stringMatching(/invalid_client/) });

    const right = await insertLabGoogleProfile({ client, name: `Lab Gmail ${method} ${suffix()}`, tokenEndpointAuthMethod: method });
    const account = await createLabAccount({ provider: 'google', name });
    const mailbox = await mailboxFor(account, right);
    expect((await connectAs(mailbox.id, account)).outcome).toMatchObject({ ok: true, code: 'connected' });
    expect(await storedGrants(mailbox.id)).toHaveLength(1);
  });

  it('refuses a shared mailbox on a Gmail or custom profile with 422, at create, update and move', async () => {
    const gmail = await insertProfile({ name: `Gmail ${suffix()}` });
    const custom = await insertProfile({ name: `Custom ${suffix()}`, serverType: 'custom', authType: 'password', clientId: null, scopes: [] });
    const microsoft = await insertLabMicrosoftProfile({ name: `Lab Microsoft 365 shared ${suffix()}` });
    for (const profile of [gmail, custom]) {
      const { status, json } = await callRoute(mailboxesRoute.POST, {
        method: 'POST',
        path: '/api/v1/mailboxes',
        key: admin.key,
        body: { address: `shared-${suffix()}@example.org`, ownerId: owner.id, profileId: profile.id, shared: true },
      });
      expect(status).toBe(422);
      expect(json.error.fields.shared[0]).toMatch(/Only Microsoft 365 has shared mailboxes/);
    }

    const plain = await mailboxFor(`plain-${suffix()}@example.org`, gmail);
    const update = await callRoute(mailboxRoute.PATCH, { method: 'PATCH', path: '', key: admin.key, params: { id: plain.id }, body: { shared: true } });
    expect(update.status).toBe(422);
    expect(update.json.error.fields.shared).toBeDefined();

    const shared = await mailboxFor(`sales-${suffix()}@contoso.lab.test`, microsoft, { shared: true });
    const move = await callRoute(moveRoute.POST, { method: 'POST', path: '', key: admin.key, body: { ids: [shared.id], profileId: custom.id } });
    expect(move.status).toBe(422);
    expect(move.json.error.fields.shared).toBeDefined();
    expect((await getMailbox({ viewer: owner, id: shared.id }))!.profileId).toBe(microsoft.id);
  });

  it('refuses a shared mailbox’s delegate from another tenant at the callback, and shows the delegate of the right one', async () => {
    const microsoft = await insertLabMicrosoftProfile({ name: `Lab Microsoft 365 delegates ${suffix()}` });
    const shared = await mailboxFor(`shared-${suffix()}@contoso.lab.test`, microsoft, { shared: true });
    const stranger = await createLabAccount({ provider: 'microsoft', name: 'guest', tenantId: OTHER_TENANT_ID });

    const refused = await connectAs(shared.id, stranger);
    expect(refused.outcome).toMatchObject({ ok: false, code: 'delegate_tenant', message: expect.stringContaining(stranger) });
    expect(await storedGrants(shared.id)).toEqual([]);

    const delegate = await createLabAccount({ provider: 'microsoft', name: 'delegate' });
    expect((await connectAs(shared.id, delegate)).outcome).toMatchObject({ ok: true, code: 'connected' });
    expect(await getMailbox({ viewer: owner, id: shared.id })).toMatchObject({ connection: 'connected', connectedAs: delegate });
    const [grant] = await storedGrants(shared.id);
    expect(grant!.accountSubject).toMatch(new RegExp(`^${getLab().personas.microsoft.tenant}:`));
  });

  it('refuses to connect a shared mailbox whose profile does not pin the tenant', async () => {
    const organizations = await insertLabMicrosoftProfile({ name: `Lab Microsoft 365 organizations ${suffix()}`, tenant: 'organizations' });
    const shared = await mailboxFor(`shared-${suffix()}@contoso.lab.test`, organizations, { shared: true });
    await expect(startAuthorization({ viewer: owner, mailboxId: shared.id })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/names its Microsoft 365 tenant/) });
  });

  it('does not connect a mailbox given to someone else while its first owner was signing in', async () => {
    const client = await googleClient();
    const profile = await insertLabGoogleProfile({ client, name: `Lab Gmail reassigned ${suffix()}` });
    const account = await createLabAccount({ provider: 'google', name: 'reassigned' });
    const mailbox = await mailboxFor(account, profile);
    const newOwner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `new-owner-${suffix()}@example.org`, role: 'owner' } });

    const { outcome } = await connectAs(mailbox.id, account, {
      meanwhile: () => updateMailbox({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, input: { ownerId: newOwner.id } }),
    });
    expect(outcome).toMatchObject({ ok: false, code: 'not_allowed' });
    expect(await storedGrants(mailbox.id)).toEqual([]);
    expect(await getMailbox({ viewer: newOwner, id: mailbox.id })).toMatchObject({ connection: 'not_connected', connectedAs: null });
    // The code was never exchanged: the lab issued no token for it.
    expect((await labControl.tokenRequests({ clientId: client.clientId })).google.authorization_code).toBe(0);
  });

  it('does not connect for a person deactivated while signing in, through the device flow either', async () => {
    const leaver = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `leaver-${suffix()}@example.org`, role: 'owner' } });
    const profile = await insertLabMicrosoftProfile({ flow: 'device', name: `Lab Microsoft 365 device leaver ${suffix()}` });
    const account = await createLabAccount({ provider: 'microsoft', name: 'leaver' });
    const mailbox = await mailboxFor(account, profile, { ownerId: leaver.id });
    const started = await startAuthorization({ viewer: leaver, mailboxId: mailbox.id });
    if (started.flow !== 'device') throw new Error('expected the device flow');
    await approveDeviceCode({ verificationUri: started.verificationUri, userCode: started.userCode, email: account });
    await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, leaver.id));

    const polled = await pollDeviceAuthorization({ authorizationId: started.authorizationId });
    expect(polled).toMatchObject({ status: 'done', outcome: { ok: false, code: 'not_allowed' } });
    expect(await storedGrants(mailbox.id)).toEqual([]);
  });

  it('revokes at the provider the tokens of a wrong-account connect', async () => {
    const client = await googleClient();
    const profile = await insertLabGoogleProfile({ client, name: `Lab Gmail wrong account ${suffix()}` });
    const mailbox = await mailboxFor(`expected-${suffix()}@gmail.lab.test`, profile);
    const somebodyElse = await createLabAccount({ provider: 'google', name: 'somebody-else' });

    const { outcome, authorizationId } = await connectAs(mailbox.id, somebodyElse);
    expect(outcome).toMatchObject({ ok: false, code: 'wrong_account' });
    expect(await storedGrants(mailbox.id)).toEqual([]);

    // The recorded outcome reads in the language the request asks for, with the same code.
    const progress = (headers?: Record<string, string>) =>
      callRoute(connectProgressRoute.GET, {
        path: `/api/v1/mailboxes/${mailbox.id}/connect/${authorizationId}`,
        key: admin.key,
        params: { id: mailbox.id, authorizationId: authorizationId! },
        headers,
      });
    expect((await progress()).json).toMatchObject({
      state: 'failed',
      error: { code: 'wrong_account', message: `You signed in as ${somebodyElse}, but this mailbox is ${mailbox.address}. Nothing was saved.` },
    });
    expect((await progress({ 'accept-language': 'fr-FR,fr;q=0.9' })).json).toEqual({
      state: 'failed',
      connectedAs: null,
      error: {
        code: 'wrong_account',
        message: `Vous vous êtes connecté en tant que ${somebodyElse}, mais cette boîte aux lettres est ${mailbox.address}. Rien n’a été enregistré.`,
        hint: `Connectez-vous de nouveau et choisissez le compte ${mailbox.address} chez le fournisseur (déconnectez-vous d’abord de ${somebodyElse} chez lui s’il est choisi pour vous).`,
      },
    });
    expect((await labControl.tokenRequests({ clientId: client.clientId })).google.authorization_code).toBe(1);
    expect(await labControl.liveTokens({ persona: 'google', clientId: client.clientId, account: somebodyElse })).toEqual({ accessTokens: 0, refreshTokens: 0 });
  });

  it('purges sign-ins and reconnect links a day past their end, and keeps the others', async () => {
    const profile = await insertLabGoogleProfile({ name: `Lab Gmail purge ${suffix()}` });
    const mailbox = await mailboxFor(`purge-${suffix()}@gmail.lab.test`, profile);
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    const soon = new Date(Date.now() + 10 * 60 * 1000);
    const base = { flow: 'code' as const, userId: owner.id, mailboxId: mailbox.id, profileId: profile.id };
    const [expired, spent, current] = await db
      .insert(oauthAuthorizations)
      .values([
        { ...base, stateHash: `expired-${suffix()}`, expiresAt: dayAgo },
        { ...base, stateHash: `spent-${suffix()}`, expiresAt: dayAgo, usedAt: dayAgo },
        { ...base, stateHash: `current-${suffix()}`, expiresAt: soon },
      ])
      .returning({ id: oauthAuthorizations.id });
    const [oldLink, liveLink] = await db
      .insert(reconnectLinks)
      .values([
        { tokenHash: `old-${suffix()}`, mailboxId: mailbox.id, expiresAt: dayAgo },
        { tokenHash: `live-${suffix()}`, mailboxId: mailbox.id, expiresAt: soon },
      ])
      .returning({ id: reconnectLinks.id });

    const purged = await purgeSpentAuthorizations();
    expect(purged.authorizations).toBeGreaterThanOrEqual(2);
    expect(purged.reconnectLinks).toBeGreaterThanOrEqual(1);
    const authorizationIds = (await db.select({ id: oauthAuthorizations.id }).from(oauthAuthorizations)).map((row) => row.id);
    expect(authorizationIds).toContain(current!.id);
    expect(authorizationIds).not.toContain(expired!.id);
    expect(authorizationIds).not.toContain(spent!.id);
    const linkIds = (await db.select({ id: reconnectLinks.id }).from(reconnectLinks)).map((row) => row.id);
    expect(linkIds).toEqual(expect.arrayContaining([liveLink!.id]));
    expect(linkIds).not.toContain(oldLink!.id);
  });
});
