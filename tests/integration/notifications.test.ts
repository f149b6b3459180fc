// Issue 8: reconnect links go out by mail through the outgoing server of the sender mailbox an admin
// chose for notifications, and are logged and handed over by hand when none is set or sending fails.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { oauthGrants, portalSettings, type ServerProfile, type User } from '@/db/schema';
import { POST as postReconnectLink } from '@/app/api/v1/mailboxes/[id]/reconnect-link/route';
import { GET as getSettings, PATCH as patchSettings } from '@/app/api/v1/settings/route';
import { POST as postTestNotification } from '@/app/api/v1/settings/test-notification/route';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { getEnv } from '@/lib/env';
import { applyMailboxEvent, createMailbox, deleteMailbox } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { spendReconnectLink } from '@/lib/oauth/reconnect-links';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { setUserPreferences } from '@/lib/users/set-user-preferences';
import { authorizeAsUser } from '../../scripts/lab/headless-user';
import { callRoute } from '../helpers/api';
import { captureLogs } from '../helpers/captured-logs';
import { userWithKey } from '../helpers/fixtures';
import { getLab, labControl, labIsAvailable, mailText, waitForReceivedMail } from '../helpers/lab';
import { createLabAccount, insertLabGenericProfile, insertLabGoogleProfile } from '../helpers/lab-profiles';
import { openGrantToken } from '../helpers/stored-secrets';

type Person = { user: User; key: string };
let admin: Person;
let support: Person;
let owner: Person;
let profile: ServerProfile;
let senderAddress: string;
let senderId: string;
let brokenId: string;
let ownerMailboxId: string;
const run = Math.random().toString(36).slice(2, 8);
const logs = captureLogs();
const bodies: string[] = [];

async function call(handler: Parameters<typeof callRoute>[0], options: Parameters<typeof callRoute>[1]) {
  const response = await callRoute(handler, options);
  bodies.push(response.text);
  return response;
}

const settings = (key: string) => call(getSettings, { path: '/api/v1/settings', key });
const chooseSender = (key: string, notificationMailboxId: unknown) =>
  call(patchSettings, { method: 'PATCH', path: '/api/v1/settings', key, body: { notificationMailboxId } });
const testNotification = (key: string) => call(postTestNotification, { method: 'POST', path: '/api/v1/settings/test-notification', key });
const reconnectLink = (key: string, id: string, headers?: Record<string, string>) =>
  call(postReconnectLink, { method: 'POST', path: `/api/v1/mailboxes/${id}/reconnect-link`, key, params: { id }, headers });
const french = { 'accept-language': 'fr' };

async function approvedMailbox(
  person: Person,
  address: string,
  { outgoing = 'server_side', profileId = profile.id }: { outgoing?: 'server_side' | 'none'; profileId?: string } = {},
): Promise<string> {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: person.user.id, profileId, incoming: 'server_side', outgoing, shared: false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  return mailbox.id;
}

async function connect(person: Person, mailboxId: string, account: string): Promise<void> {
  const started = await startAuthorization({ viewer: person.user, mailboxId });
  const callback = await authorizeAsUser({ authorizationUrl: (started as { authorizationUrl: string }).authorizationUrl, email: account });
  const { outcome } = await completeAuthorization({ userId: person.user.id, query: Object.fromEntries(callback.searchParams) });
  expect(outcome.ok).toBe(true);
}

describe.skipIf(!labIsAvailable)('notifications', () => {
  beforeAll(async () => {
    [admin, support, owner] = await Promise.all([
      userWithKey(`admin-${run}@example.org`, 'admin'),
      userWithKey(`support-${run}@example.org`, 'support'),
      userWithKey(`owner-${run}@example.org`, 'owner'),
    ]);
    // The lab's CA reaches the sender the way an operator's does: through MAILROOM_EXTRA_CA_FILE.
    const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-ca-')), 'lab-ca.pem');
    writeFileSync(caFile, getLab().caCertificate);
    getEnv().MAILROOM_EXTRA_CA_FILE = caFile;
    profile = await insertLabGoogleProfile({ name: `Lab Gmail (notifications ${run})` });
    senderAddress = await createLabAccount({ provider: 'google', name: 'notify' });
    senderId = await approvedMailbox(admin, senderAddress);
    await connect(admin, senderId, senderAddress);
    const brokenAddress = await createLabAccount({ provider: 'google', name: 'broken' });
    brokenId = await approvedMailbox(admin, brokenAddress);
    await connect(admin, brokenId, brokenAddress);
    ownerMailboxId = await approvedMailbox(owner, `owner-box-${run}@gmail.lab.test`);
    // Mails are written in their recipient's language and time zone: the admin chose English, the owner French.
    await setUserPreferences({ userId: admin.user.id, preferences: { locale: 'en', timeZone: 'UTC' } });
    await setUserPreferences({ userId: owner.user.id, preferences: { locale: 'fr', timeZone: 'America/Toronto' } });
  });

  it('logs the reconnect link’s sending and hands the link to support while no sender is set', async () => {
    expect((await settings(admin.key)).json).toEqual({ sender: null, updatedAt: null });
    const response = await reconnectLink(support.key, ownerMailboxId);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ ownerEmail: owner.user.email, sent: false, sender: null, reason: expect.stringMatching(/no notification sender is set/) });
    expect(response.json.url).toMatch(/\/reconnect\/[A-Za-z0-9_-]{40,}$/);
    expect(logs.text()).toContain('"message":"notification not sent: no notification sender is set"');
    expect(logs.text()).not.toContain(response.json.url.split('/').at(-1));
    expect((await testNotification(admin.key)).status).toBe(409);
  });

  it('lets only admins read and choose the sender, refusing mailboxes that cannot send', async () => {
    expect((await settings(support.key)).status).toBe(403);
    expect((await settings(owner.key)).status).toBe(403);
    expect((await chooseSender(support.key, senderId)).status).toBe(403);
    expect((await testNotification(support.key)).status).toBe(403);

    const receiveOnly = await approvedMailbox(admin, `receive-only-${run}@gmail.lab.test`, { outgoing: 'none' });
    const refused = await chooseSender(admin.key, receiveOnly);
    expect(refused.status).toBe(422);
    expect(refused.json.error.fields.notificationMailboxId[0]).toMatch(/outgoing mail is turned off/);
    const unknown = await chooseSender(admin.key, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(422);
    expect((await chooseSender(admin.key, 'not-an-id')).status).toBe(422);
    expect(await db.select().from(portalSettings)).toEqual([]);

    const chosen = await chooseSender(admin.key, senderId);
    expect(chosen.status).toBe(200);
    expect(chosen.json.sender).toMatchObject({ mailboxId: senderId, address: senderAddress, profileId: profile.id, problem: null });
    expect((await settings(admin.key)).json.sender.address).toBe(senderAddress);
  });

  it('mails the admin a test notification from the sender', async () => {
    const since = new Date();
    const response = await testNotification(admin.key);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ sent: true, sender: senderAddress, to: admin.user.email });
    const mail = await waitForReceivedMail({ to: admin.user.email, subject: 'Mailroom test notification', since });
    expect(mail.envelopeFrom).toBe(senderAddress);
    expect(mailText(mail)).toContain('Mailroom sent this message to check that notifications, such as reconnect links, reach people.');
  });

  it('mails the owner a reconnect link that works once, without showing it to support', async () => {
    const since = new Date();
    const response = await reconnectLink(support.key, ownerMailboxId);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ sent: true, sender: senderAddress, reason: null, url: null });
    const mail = await waitForReceivedMail({ to: owner.user.email, subject: `Reconnectez votre boîte aux lettres owner-box-${run}@gmail.lab.test`, since });
    // In French, with the link's end in the owner's time zone (Toronto), as their pages show dates.
    const text = mailText(mail);
    expect(text).toContain(`Mailroom ne peut plus accéder à votre boîte aux lettres owner-box-${run}@gmail.lab.test`);
    const until = new Intl.DateTimeFormat('fr', { timeZone: 'America/Toronto', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(response.json.expiresAt))
      .filter((part) => ['day', 'hour', 'minute'].includes(part.type))
      .map((part) => part.value);
    expect(text).toMatch(new RegExp(`Le lien fonctionne une seule fois, jusqu’au ${until[0]} \\S+ \\d{4}, ${until[1]}:${until[2]} UTC−[45]\\. Il vous a été envoyé par ${support.user.email}`));
    const link = /https?:\/\/\S+\/reconnect\/([A-Za-z0-9_-]{40,})/.exec(mail.raw.replace(/=\r?\n/g, ''));
    expect(link, mail.raw).not.toBeNull();
    expect(await spendReconnectLink({ viewer: support.user, token: link![1]! })).toEqual({ ok: false, reason: 'not_owner' });
    expect(await spendReconnectLink({ viewer: owner.user, token: link![1]! })).toEqual({ ok: true, mailboxId: ownerMailboxId });
    expect(logs.text()).not.toContain(link![1]!);
  });

  it('hands the link over with the reason when the sender’s grant is refused, and shows the problem to admins', async () => {
    expect((await chooseSender(admin.key, brokenId)).status).toBe(200);
    await labControl.revokeGrants({ account: (await settings(admin.key)).json.sender.address });
    const response = await reconnectLink(support.key, ownerMailboxId);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ sent: false, reason: expect.stringMatching(/no usable token/) });
    expect(response.json.url).toMatch(/\/reconnect\//);
    const inFrench = await reconnectLink(support.key, ownerMailboxId, french);
    expect(inFrench.json).toMatchObject({ sent: false, reason: expect.stringMatching(/^la boîte aux lettres d’envoi n’a pas de jeton utilisable \(/) });

    expect((await settings(admin.key)).json.sender.problem).toMatch(/connects the mailbox again/);
    const frenchSettings = await call(getSettings, { path: '/api/v1/settings', key: admin.key, headers: french });
    expect(frenchSettings.json.sender.problem).toBe('Le fournisseur a refusé son autorisation\u00a0: son propriétaire reconnecte la boîte aux lettres.');
    const failed = await testNotification(admin.key);
    expect(failed.status).toBe(502);
    expect(failed.json.error.message).toMatch(/not sent/);
  });

  it('sends as a mailbox of a password profile, and names what is missing until its password is stored', async () => {
    const passwordProfile = await insertLabGenericProfile({ name: `Lab generic (notifications ${run})` });
    const address = `desk-${run}@imap.lab.test`;
    const password = `desk password ${run}`;
    await labControl.createAccount({ email: address, provider: 'password', password });
    const deskId = await approvedMailbox(admin, address, { profileId: passwordProfile.id });
    const chosen = await chooseSender(admin.key, deskId);
    expect(chosen.json.sender.problem).toMatch(/No password is stored/);
    expect((await testNotification(admin.key)).json.error.message).toMatch(/no password is stored/);

    await setMailboxPassword({ viewer: admin.user, mailboxId: deskId, password });
    expect((await settings(admin.key)).json.sender.problem).toBeNull();
    const since = new Date();
    expect((await testNotification(admin.key)).status).toBe(200);
    expect((await waitForReceivedMail({ to: admin.user.email, subject: 'Mailroom test notification', since })).envelopeFrom).toBe(address);
    expect(bodies.join('\n') + logs.text()).not.toContain(password);
  });

  it('forgets the sender when its mailbox is deleted', async () => {
    const { sender } = (await settings(admin.key)).json;
    await deleteMailbox({ actor: COMMAND_LINE_ACTOR, id: sender.mailboxId });
    expect((await settings(admin.key)).json.sender).toBeNull();
  });

  it('never shows or logs a token or secret', async () => {
    const grants = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, senderId));
    const secrets = grants.flatMap((grant) => (['accessToken', 'refreshToken'] as const).filter((token) => grant[token]).map((token) => openGrantToken(grant, token)));
    secrets.push(getLab().personas.google.clients.web!.clientSecret!);
    expect(secrets.length).toBeGreaterThan(1);
    for (const secret of secrets) {
      expect(bodies.join('\n')).not.toContain(secret);
      expect(logs.text()).not.toContain(secret);
    }
  });
});
