import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { mailboxes, oauthAuthorizations, oauthGrants, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { applyMailboxEvent, createMailbox, getMailbox } from '@/lib/mailboxes/mailboxes';
import { getPasswordSetAt } from '@/lib/mailboxes/get-password-set-at';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { pollDeviceAuthorization } from '@/lib/connect/poll-device-authorization';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { getAccessToken } from '@/lib/tokens/get-access-token';
import { createUser } from '@/lib/users/users';
import { approveDeviceCode, authorizeAsUser } from '../../scripts/lab/headless-user';
import { captureLogs } from '../helpers/captured-logs';
import * as credentialsRoute from '@/app/api/v1/mailboxes/[id]/credentials/route';
import { disconnectMailbox } from '@/lib/tokens/disconnect-mailbox';
import { callRoute } from '../helpers/api';
import { insertProfile, userWithKey } from '../helpers/fixtures';
import { getLab, imapLogin, labControl, labIsAvailable, refreshTokens } from '../helpers/lab';
import { createLabAccount, insertLabGoogleProfile, insertLabMicrosoftProfile } from '../helpers/lab-profiles';
import { openGrantToken, openStoredSecret } from '../helpers/stored-secrets';

const logs = captureLogs();
let owner: User;
let other: User;
let google: ServerProfile;
let microsoft: ServerProfile;
let microsoftDevice: ServerProfile;

async function mailboxFor(address: string, profile: ServerProfile, options: { shared?: boolean } = {}) {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: owner.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: options.shared ?? false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  return mailbox;
}

/** As if the device flow's interval had passed since the server last polled the provider. */
const intervalPassed = (authorizationId: string) =>
  db.update(oauthAuthorizations).set({ lastPolledAt: new Date(Date.now() - 60_000) }).where(eq(oauthAuthorizations.id, authorizationId));

/** Clicks "Connect", signs in at the lab as `account`, and brings the browser back to the callback. */
async function connectAs(
  mailboxId: string,
  account: string,
  options: { consent?: 'allow' | 'deny'; editUrl?: (url: URL) => void; user?: User } = {},
) {
  const started = await startAuthorization({ viewer: options.user ?? owner, mailboxId });
  if (started.flow !== 'code') throw new Error('expected the code flow');
  const url = new URL(started.authorizationUrl);
  options.editUrl?.(url);
  const callback = await authorizeAsUser({ authorizationUrl: url.href, email: account, consent: options.consent });
  const query = Object.fromEntries(callback.searchParams);
  return { query, result: await completeAuthorization({ userId: owner.id, query }) };
}

describe.skipIf(!labIsAvailable)('connecting a mailbox through the lab', () => {
  beforeAll(async () => {
    owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'owner@example.org', role: 'owner' } });
    other = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'other@example.org', role: 'owner' } });
    google = await insertLabGoogleProfile();
    microsoft = await insertLabMicrosoftProfile();
    microsoftDevice = await insertLabMicrosoftProfile({ flow: 'device' });
  });

  it('connects a Gmail mailbox: PKCE, offline access, login hint; tokens stored encrypted; IMAP accepts the token', async () => {
    const mailbox = await mailboxFor('alice@gmail.lab.test', google);
    const started = await startAuthorization({ viewer: owner, mailboxId: mailbox.id });
    const url = new URL((started as { authorizationUrl: string }).authorizationUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      access_type: 'offline',
      prompt: 'consent',
      code_challenge_method: 'S256',
      login_hint: 'alice@gmail.lab.test',
      redirect_uri: 'http://localhost:3000/api/oauth/callback',
    });

    const { result } = await connectAs(mailbox.id, 'alice@gmail.lab.test');
    expect(result.outcome).toMatchObject({ ok: true, code: 'connected', message: 'Connected as alice@gmail.lab.test.' });
    expect(await getMailbox({ viewer: owner, id: mailbox.id })).toMatchObject({ connection: 'connected', connectedAs: 'alice@gmail.lab.test' });

    const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
    expect(grant!.refreshToken!.startsWith('v2:')).toBe(true);
    expect(grant!.scopes).toContain('https://mail.google.com/');
    const { accessToken } = await getAccessToken({ mailboxId: mailbox.id });
    expect(openGrantToken(grant!, 'accessToken')).toBe(accessToken);
    await imapLogin({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: 'alice@gmail.lab.test', accessToken } });
    expect(logs.text()).not.toContain(accessToken);
    expect(logs.text()).not.toContain(openGrantToken(grant!, 'refreshToken'));
  });

  it('refuses a replayed, unknown or someone else’s state', async () => {
    const mailbox = await mailboxFor('bob@gmail.lab.test', google);
    const { query, result } = await connectAs(mailbox.id, 'bob@gmail.lab.test');
    expect(result.outcome.ok).toBe(true);
    const replay = await completeAuthorization({ userId: owner.id, query });
    expect(replay.outcome).toMatchObject({ ok: false, code: 'state_reused' });
    expect((await completeAuthorization({ userId: owner.id, query: { ...query, state: 'made-up' } })).outcome.code).toBe('state_unknown');

    const started = await startAuthorization({ viewer: owner, mailboxId: mailbox.id });
    const callback = await authorizeAsUser({ authorizationUrl: (started as { authorizationUrl: string }).authorizationUrl, email: 'bob@gmail.lab.test' });
    const stolen = await completeAuthorization({ userId: other.id, query: Object.fromEntries(callback.searchParams) });
    expect(stolen.outcome.code).toBe('state_unknown');
  });

  it('tells the owner when they declined, when the sign-in expired, and when the code exchange failed', async () => {
    const account = await createLabAccount({ provider: 'google', name: 'declined' });
    const mailbox = await mailboxFor(account, google);
    const declined = await connectAs(mailbox.id, account, { consent: 'deny' });
    expect(declined.result.outcome).toMatchObject({ ok: false, code: 'declined' });

    const started = await startAuthorization({ viewer: owner, mailboxId: mailbox.id });
    const callback = await authorizeAsUser({ authorizationUrl: (started as { authorizationUrl: string }).authorizationUrl, email: account });
    await db.update(oauthAuthorizations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(oauthAuthorizations.mailboxId, mailbox.id));
    const expired = await completeAuthorization({ userId: owner.id, query: Object.fromEntries(callback.searchParams) });
    expect(expired.outcome).toMatchObject({ code: 'state_expired', message: expect.stringMatching(/expired/) });

    // A code the provider never issued: the exchange fails with the provider's own error.
    const started2 = await startAuthorization({ viewer: owner, mailboxId: mailbox.id });
    const callback2 = await authorizeAsUser({ authorizationUrl: (started2 as { authorizationUrl: string }).authorizationUrl, email: account });
    const forged = await completeAuthorization({ userId: owner.id, query: { ...Object.fromEntries(callback2.searchParams), code: 'not-a-code-the-provider-issued' } });
    expect(forged.outcome).toMatchObject({ ok: false, code: 'exchange_failed', message: expect.stringMatching(/invalid_grant/) });
    expect(JSON.stringify(forged)).not.toContain(getLab().personas.google.clients.web!.clientSecret!);
  });

  it('stores nothing when another account consents, and names that account', async () => {
    const mailbox = await mailboxFor('wrong@gmail.lab.test', google);
    const { result } = await connectAs(mailbox.id, 'bob@gmail.lab.test');
    expect(result.outcome).toMatchObject({ ok: false, code: 'wrong_account', message: expect.stringMatching(/signed in as bob@gmail\.lab\.test/) });
    expect(await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id))).toEqual([]);
    expect((await getMailbox({ viewer: owner, id: mailbox.id }))!.connection).toBe('not_connected');
  });

  it('names the mail scope missing from the consent and stores nothing', async () => {
    const account = await createLabAccount({ provider: 'google', name: 'scopes' });
    const mailbox = await mailboxFor(account, google);
    const { result } = await connectAs(mailbox.id, account, {
      editUrl: (url) => url.searchParams.set('scope', 'openid email'),
    });
    expect(result.outcome).toMatchObject({ ok: false, code: 'scopes_missing', message: expect.stringContaining('https://mail.google.com/') });
    expect(await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id))).toEqual([]);
  });

  it('explains a consent without refresh token, and keeps the stored one on a reconnect of the same account', async () => {
    const account = await createLabAccount({ provider: 'google', name: 'norefresh' });
    const mailbox = await mailboxFor(account, google);
    const withoutPrompt = (url: URL) => url.searchParams.delete('prompt');
    const first = await connectAs(mailbox.id, account, { editUrl: withoutPrompt });
    expect(first.result.outcome).toMatchObject({ ok: false, code: 'no_refresh_token', hint: expect.stringMatching(/myaccount\.google\.com\/permissions/) });
    expect((await getMailbox({ viewer: owner, id: mailbox.id }))!.connection).toBe('not_connected');

    expect((await connectAs(mailbox.id, account)).result.outcome.ok).toBe(true);
    const [before] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
    const again = await connectAs(mailbox.id, account, { editUrl: withoutPrompt });
    expect(again.result.outcome).toMatchObject({ ok: true, message: expect.stringMatching(/the one already stored for this account is kept/) });
    const grants = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
    expect(grants).toHaveLength(1);
    expect(openGrantToken(grants[0]!, 'refreshToken')).toBe(openGrantToken(before!, 'refreshToken'));
  });

  it('connects Microsoft 365 with the sign-in name, and a shared mailbox with a delegate', async () => {
    const mailbox = await mailboxFor('carol@contoso.lab.test', microsoft);
    const { result } = await connectAs(mailbox.id, 'carol@contoso.lab.test');
    expect(result.outcome).toMatchObject({ ok: true, message: 'Connected as carol@contoso.lab.test.' });

    const shared = await mailboxFor('sales@contoso.lab.test', microsoft, { shared: true });
    const delegated = await connectAs(shared.id, 'dave@contoso.lab.test');
    expect(delegated.result.outcome.ok).toBe(true);
    expect(await getMailbox({ viewer: owner, id: shared.id })).toMatchObject({ connection: 'connected', connectedAs: 'dave@contoso.lab.test' });
  });

  it('connects through the device flow, following the polling rules', async () => {
    const mailbox = await mailboxFor('dave@contoso.lab.test', microsoftDevice);
    const started = await startAuthorization({ viewer: owner, mailboxId: mailbox.id });
    if (started.flow !== 'device') throw new Error('expected the device flow');
    expect(started.userCode).toMatch(/\S/);
    expect(await pollDeviceAuthorization({ authorizationId: started.authorizationId })).toMatchObject({ status: 'pending' });
    await approveDeviceCode({ verificationUri: started.verificationUri, userCode: started.userCode, email: 'dave@contoso.lab.test' });
    await intervalPassed(started.authorizationId);
    const done = await pollDeviceAuthorization({ authorizationId: started.authorizationId });
    expect(done).toMatchObject({ status: 'done', outcome: { ok: true, code: 'connected' } });
    const { accessToken } = await getAccessToken({ mailboxId: mailbox.id });
    await imapLogin({ endpoint: getLab().mail.microsoft.imap.tls, auth: { user: 'dave@contoso.lab.test', accessToken } });
  });

  it('polls 5 s more slowly after each slow_down, never sooner than the interval whoever asks, and still connects', async () => {
    const client = await labControl.registerClient({ persona: 'microsoft', redirectUris: [], confidential: false, deviceFlow: true });
    const profile = await insertLabMicrosoftProfile({ flow: 'device', name: 'Lab Microsoft 365 (device, slow_down)', clientId: client.clientId });
    const account = await createLabAccount({ provider: 'microsoft', name: 'slowdown' });
    const mailbox = await mailboxFor(account, profile);
    await labControl.setSlowDown({ persona: 'microsoft', clientId: client.clientId, polls: 2 });
    const started = await startAuthorization({ viewer: owner, mailboxId: mailbox.id });
    if (started.flow !== 'device') throw new Error('expected the device flow');
    expect(started.interval).toBe(5);
    const poll = () => pollDeviceAuthorization({ authorizationId: started.authorizationId });

    const providerPolls = async () => (await labControl.tokenRequests({ clientId: client.clientId })).microsoft['urn:ietf:params:oauth:grant-type:device_code'];

    expect(await poll()).toEqual({ status: 'pending', interval: 10 });
    // Asked again at once, the server does not poll the provider: it tells how long is left to wait.
    const early = (await poll())!;
    expect(early.status).toBe('pending');
    expect((early as { interval: number }).interval).toBeGreaterThan(5);
    expect((early as { interval: number }).interval).toBeLessThanOrEqual(10);
    expect(await providerPolls()).toBe(1);

    await intervalPassed(started.authorizationId);
    expect(await poll()).toEqual({ status: 'pending', interval: 15 });
    await intervalPassed(started.authorizationId);
    expect(await poll()).toEqual({ status: 'pending', interval: 15 });
    await approveDeviceCode({ verificationUri: started.verificationUri, userCode: started.userCode, email: account });
    await intervalPassed(started.authorizationId);
    expect(await poll()).toMatchObject({ status: 'done', outcome: { ok: true, code: 'connected' } });

    expect(await providerPolls()).toBe(4);
    const [stored] = await db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.id, started.authorizationId));
    expect(stored!.pollIntervalSeconds).toBe(15);
    expect(await getMailbox({ viewer: owner, id: mailbox.id })).toMatchObject({ connection: 'connected', connectedAs: account });
  });

  it('refuses support staff, and another owner cannot even see the mailbox', async () => {
    const mailbox = await mailboxFor('erin@gmail.lab.test', google);
    await expect(startAuthorization({ viewer: { id: owner.id, role: 'support' }, mailboxId: mailbox.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(startAuthorization({ viewer: other, mailboxId: mailbox.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refreshes an expired access token, and the new one works', async () => {
    const [alice] = await db.select().from(mailboxes).where(eq(mailboxes.address, 'alice@gmail.lab.test'));
    const before = await getAccessToken({ mailboxId: alice!.id });
    await db.update(oauthGrants).set({ accessTokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(oauthGrants.mailboxId, alice!.id));
    const after = await getAccessToken({ mailboxId: alice!.id });
    expect(after.accessToken).not.toBe(before.accessToken);
    await imapLogin({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: 'alice@gmail.lab.test', accessToken: after.accessToken } });
  });
});

describe.skipIf(!labIsAvailable)('disconnecting and passwords', () => {
  it('revokes the grant at Google on disconnect, forgets the tokens, and the old refresh token stops working', async () => {
    const account = await createLabAccount({ provider: 'google', name: 'disconnect' });
    const mailbox = await mailboxFor(account, google);
    expect((await connectAs(mailbox.id, account)).result.outcome.ok).toBe(true);
    const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
    const refreshToken = openGrantToken(grant!, 'refreshToken');

    const { revoked, mailbox: after } = await disconnectMailbox({ viewer: owner, mailboxId: mailbox.id });
    expect(revoked).toBe(true);
    expect(after).toMatchObject({ connection: 'not_connected', connectedAs: null });
    expect(await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id))).toEqual([]);
    await expect(refreshTokens({ persona: 'google', refreshToken })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('keeps a password-profile password write-only: encrypted at rest, a hint in answers, never the password', async () => {
    const password = 'erin-lab-password';
    const generic = getLab().mail.generic;
    const profile = await insertProfile({
      name: 'Lab IMAP',
      serverType: 'custom',
      authType: 'password',
      clientId: null,
      incomingHost: generic.imap.tls.host,
      incomingPort: generic.imap.tls.port,
      outgoingHost: generic.smtp.starttls.host,
      outgoingPort: generic.smtp.starttls.port,
      outgoingSecurity: 'starttls',
      internalServer: true,
    });
    const admin = await userWithKey('admin@example.org', 'admin');
    const mailbox = await mailboxFor('erin@imap.lab.test', profile);
    const { status, json, text } = await callRoute(credentialsRoute.POST, {
      method: 'POST',
      path: '',
      key: admin.key,
      params: { id: mailbox.id },
      body: { password },
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ connection: 'connected', nextStep: 'Test and activate' });
    expect(text).not.toContain(password);
    const [stored] = await db.select().from(mailboxes).where(eq(mailboxes.id, mailbox.id));
    expect(stored!.password!.startsWith('v2:')).toBe(true);
    expect(openStoredSecret(mailboxes.password, mailbox.id, stored!.password!)).toBe(password);
    // No part of the password stays readable in the row (no hint of its last characters): the mailbox page says only when it was set.
    const readable = Object.entries(stored!).filter(([column]) => column !== 'password');
    expect(JSON.stringify(readable)).not.toContain(password.slice(-4));
    expect(await getPasswordSetAt({ mailboxId: mailbox.id })).toBeInstanceOf(Date);

    const oauthMailbox = (await db.select().from(mailboxes).where(eq(mailboxes.address, 'alice@gmail.lab.test')))[0]!;
    const refused = await callRoute(credentialsRoute.POST, { method: 'POST', path: '', key: admin.key, params: { id: oauthMailbox.id }, body: { password } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/signs in with OAuth/);
    expect(logs.text()).not.toContain(password);
  });
});
