// Issue 16, item 5 (acceptance 5): people can get in. A user without a password is refused unless
// single sign-on or an invitation gives them a way in; an invited user sets a password through the
// mailed link and signs in; a reset link works once; an expired link fails; no link or password
// shows in answers, logs or the audit log.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as invitationRoute from '@/app/api/v1/users/[id]/invitation/route';
import * as passwordResetRoute from '@/app/api/v1/users/[id]/password-reset/route';
import * as usersRoute from '@/app/api/v1/users/route';
import { closeDatabase, db } from '@/db';
import { auditEvents, passwordLinks, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR, userActor } from '@/lib/audit/actor';
import { getAuthOptions } from '@/lib/auth/options';
import { setPasswordThroughLink } from '@/lib/auth/set-password-with-link';
import { getEnv } from '@/lib/env';
import { applyMailboxEvent, createMailbox } from '@/lib/mailboxes/mailboxes';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { setNotificationSender } from '@/lib/settings/notification-sender';
import { getPasswordLinkState } from '@/lib/users/password-links';
import { setUserPreferences } from '@/lib/users/set-user-preferences';
import { getUserByEmail } from '@/lib/users/users';
import { authorizeAsUser } from '../../scripts/lab/headless-user';
import { callRoute } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { captureLogs } from '../helpers/captured-logs';
import { userWithKey } from '../helpers/fixtures';
import { getLab, labIsAvailable, mailText, waitForReceivedMail } from '../helpers/lab';
import { createLabAccount, insertLabGoogleProfile } from '../helpers/lab-profiles';

const run = Math.random().toString(36).slice(2, 8);
const logs = captureLogs();
const bodies: string[] = [];
const secrets: string[] = [];
let admin: { user: User; key: string };

type Authorize = (credentials: Record<string, string>, request: { headers: Record<string, string> }) => Promise<unknown>;

/** A password sign-in as the sign-in form makes it, through next-auth's credentials provider. */
async function signsIn(email: string, password: string): Promise<boolean> {
  const provider = getAuthOptions().providers.find((candidate) => candidate.id === 'credentials') as unknown as { options: { authorize: Authorize } };
  return Boolean(await provider.options.authorize({ email, password }, { headers: { 'x-forwarded-for': '198.51.100.20' } }));
}

async function call(handler: Parameters<typeof callRoute>[0], options: Parameters<typeof callRoute>[1]) {
  const response = await callRoute(handler, options);
  bodies.push(response.text);
  return response;
}

const createUserThroughApi = (body: Record<string, unknown>) => call(usersRoute.POST, { method: 'POST', path: '/api/v1/users', key: admin.key, body });
const sendLink = (kind: 'invitation' | 'password-reset', id: string) =>
  call(kind === 'invitation' ? invitationRoute.POST : passwordResetRoute.POST, { method: 'POST', path: `/api/v1/users/${id}/${kind}`, key: admin.key, params: { id } });

function tokenIn(mail: { raw: string }, pathname: 'invitation' | 'reset'): string {
  const match = new RegExp(`https?://\\S+/${pathname}/([A-Za-z0-9_-]{40,})`).exec(mail.raw.replace(/=\r?\n/g, ''));
  expect(match, mail.raw).not.toBeNull();
  secrets.push(match![1]!);
  return match![1]!;
}

const ADDRESS = '198.51.100.21';

describe('a user needs a way to sign in', () => {
  beforeAll(async () => {
    admin = await userWithKey(`links-admin-${run}@example.org`, 'admin');
  });

  it('refuses a user without password nor invitation while single sign-on is not configured, and creates nothing', async () => {
    const email = `nobody-${run}@example.org`;
    const refused = await createUserThroughApi({ email, role: 'owner' });
    expect(refused.status).toBe(422);
    expect(refused.json.error.message).toMatch(/single sign-on is not configured/);
    expect(refused.json.error.fields.password[0]).toMatch(/send an invitation/);
    expect(await getUserByEmail({ email })).toBeNull();

    const both = await createUserThroughApi({ email, role: 'owner', password: 'a password 12345', invite: true });
    expect(both.status).toBe(422);
    expect(await getUserByEmail({ email })).toBeNull();
  });

  it('refuses it on the command line too, saying why', async () => {
    const email = `cli-nobody-${run}@example.org`;
    // On the embedded database one process at a time may open the data folder: let the CLI have it.
    await closeDatabase();
    const result = await runCli(['user:create', '--email', email, '--role', 'owner']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/single sign-on is not configured/);
    expect(await getUserByEmail({ email })).toBeNull();
  });
});

describe.skipIf(!labIsAvailable)('invitation and password reset links', () => {
  const invited = { email: `invited-${run}@example.org`, password: `chosen password ${run}` };
  let invitedId = '';

  beforeAll(async () => {
    admin ??= await userWithKey(`links-admin-${run}@example.org`, 'admin');
    const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-ca-')), 'lab-ca.pem');
    writeFileSync(caFile, getLab().caCertificate);
    getEnv().MAILROOM_EXTRA_CA_FILE = caFile;
    // A new user has chosen no language yet: their mails are in the portal's default, English here.
    getEnv().MAILROOM_DEFAULT_LOCALE = 'en';
    const profile = await insertLabGoogleProfile({ name: `Lab Gmail (links ${run})` });
    const senderAddress = await createLabAccount({ provider: 'google', name: 'links' });
    const mailbox = await createMailbox({
      actor: COMMAND_LINE_ACTOR,
      input: { address: senderAddress, ownerId: admin.user.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
    });
    await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
    const started = await startAuthorization({ viewer: admin.user, mailboxId: mailbox.id });
    const callback = await authorizeAsUser({ authorizationUrl: (started as { authorizationUrl: string }).authorizationUrl, email: senderAddress });
    expect((await completeAuthorization({ userId: admin.user.id, query: Object.fromEntries(callback.searchParams) })).outcome.ok).toBe(true);
    await setNotificationSender({ actor: userActor(admin.user), choice: { mailboxId: mailbox.id } });
  });

  it('mails an invitation whose link sets the password, after which the user signs in', async () => {
    const since = new Date();
    const created = await createUserThroughApi({ email: invited.email, role: 'owner', invite: true });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ email: invited.email, invitation: { mailed: true, url: null, reason: null, expiresAt: expect.any(String) } });
    invitedId = created.json.id;
    const token = tokenIn(await waitForReceivedMail({ to: invited.email, subject: 'Your Mailroom account is ready', since }), 'invitation');

    expect(await signsIn(invited.email, invited.password)).toBe(false);
    expect(await getPasswordLinkState({ token })).toMatchObject({ ok: true, purpose: 'invitation', email: invited.email });
    const before = (await getUserByEmail({ email: invited.email }))!;
    expect(await setPasswordThroughLink({ token, password: invited.password, address: ADDRESS })).toEqual({ email: invited.email });
    expect(await signsIn(invited.email, invited.password)).toBe(true);
    expect((await getUserByEmail({ email: invited.email }))!.sessionEpoch).toBe(before.sessionEpoch + 1);

    await expect(setPasswordThroughLink({ token, password: 'another password 777', address: ADDRESS })).rejects.toThrow(/already used/);
    expect(await signsIn(invited.email, invited.password)).toBe(true);
  });

  it('refuses an invitation to a user who has a password, and a reset to one who has none', async () => {
    const invitation = await sendLink('invitation', invitedId);
    expect(invitation.status).toBe(409);
    expect(invitation.json.error.hint).toMatch(/password reset link/);
    const passwordless = await userWithKey(`passwordless-${run}@example.org`, 'owner');
    const reset = await sendLink('password-reset', passwordless.user.id);
    expect(reset.status).toBe(409);
    expect(reset.json.error.hint).toMatch(/Send an invitation/);
  });

  it('writes the invitation in its recipient’s language and time zone, whatever the portal’s default', async () => {
    const env = getEnv();
    const readers = [
      { locale: 'fr', timeZone: 'America/New_York', portalDefault: 'en', subject: 'Votre compte Mailroom est prêt', greeting: 'Bonjour,', says: 'vous a ajouté à Mailroom', until: 'Le lien fonctionne une seule fois, jusqu’au' },
      { locale: 'en', timeZone: 'Asia/Tokyo', portalDefault: 'fr', subject: 'Your Mailroom account is ready', greeting: 'Hello,', says: 'added you to Mailroom', until: 'The link works once, until' },
    ] as const;
    try {
      for (const reader of readers) {
        env.MAILROOM_DEFAULT_LOCALE = reader.portalDefault;
        const { user } = await userWithKey(`reader-${reader.locale}-${run}@example.org`, 'owner');
        await setUserPreferences({ userId: user.id, preferences: { locale: reader.locale, timeZone: reader.timeZone } });
        const since = new Date();
        const sent = await sendLink('invitation', user.id);
        expect(sent.status).toBe(201);
        const mail = await waitForReceivedMail({ to: user.email, subject: reader.subject, since });
        tokenIn(mail, 'invitation');
        const text = mailText(mail);
        expect(text.startsWith(`${reader.greeting}\n\n${admin.user.email} ${reader.says}`)).toBe(true);
        // The link's end, as the reader's own clock shows it.
        const clock = new Intl.DateTimeFormat(reader.locale, { timeZone: reader.timeZone, hour: reader.locale === 'fr' ? '2-digit' : 'numeric', minute: '2-digit' });
        expect(text).toContain(`${reader.until} `);
        expect(text.split(reader.until)[1]).toContain(clock.format(new Date(sent.json.expiresAt)));
      }
    } finally {
      env.MAILROOM_DEFAULT_LOCALE = 'en';
    }
  });

  it('mails a reset link that works once; the old password stops working, the second use changes nothing', async () => {
    const since = new Date();
    const response = await sendLink('password-reset', invitedId);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ mailed: true, url: null });
    const token = tokenIn(await waitForReceivedMail({ to: invited.email, subject: 'Choose a new Mailroom password', since }), 'reset');

    const newPassword = `new password ${run}`;
    await setPasswordThroughLink({ token, password: newPassword, address: ADDRESS });
    expect(await signsIn(invited.email, invited.password)).toBe(false);
    expect(await signsIn(invited.email, newPassword)).toBe(true);

    await expect(setPasswordThroughLink({ token, password: 'third password 999', address: ADDRESS })).rejects.toThrow(/already used, so nothing was changed/);
    expect(await signsIn(invited.email, newPassword)).toBe(true);
    invited.password = newPassword;
  });

  it('refuses an expired link and changes nothing', async () => {
    const since = new Date();
    await sendLink('password-reset', invitedId);
    const token = tokenIn(await waitForReceivedMail({ to: invited.email, subject: 'Choose a new Mailroom password', since }), 'reset');
    await db.update(passwordLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(passwordLinks.userId, invitedId));

    expect(await getPasswordLinkState({ token })).toEqual({ ok: false, reason: 'expired' });
    await expect(setPasswordThroughLink({ token, password: 'too late password 1', address: ADDRESS })).rejects.toThrow(/expired, so nothing was changed/);
    expect(await signsIn(invited.email, invited.password)).toBe(true);
  });

  it('voids an earlier unused link when a new one is sent', async () => {
    const since = new Date();
    await sendLink('password-reset', invitedId);
    const first = tokenIn(await waitForReceivedMail({ to: invited.email, subject: 'Choose a new Mailroom password', since }), 'reset');
    const again = new Date();
    await sendLink('password-reset', invitedId);
    tokenIn(await waitForReceivedMail({ to: invited.email, subject: 'Choose a new Mailroom password', since: again }), 'reset');
    expect(await getPasswordLinkState({ token: first })).toEqual({ ok: false, reason: 'unknown' });
  });

  it('throttles guessed links like sign-ins, from the same address', async () => {
    const guesser = '198.51.100.66';
    const attempt = () =>
      setPasswordThroughLink({ token: randomBytes(32).toString('base64url'), password: 'guessing password 1', address: guesser }).then(
        () => 'set',
        (error: Error) => error.message,
      );
    const messages: string[] = [];
    for (let tries = 0; tries < 21; tries += 1) messages.push(await attempt());
    expect(messages[0]).toMatch(/This link is not valid/);
    expect(messages.at(-1)).toMatch(/Too many failed sign-ins\. Wait \d+ second/);
    expect(await attempt()).toMatch(/Too many failed sign-ins/);
  });

  it('shows the link once to the admin when no sender is set', async () => {
    await setNotificationSender({ actor: userActor(admin.user), choice: null });
    const created = await createUserThroughApi({ email: `handed-${run}@example.org`, role: 'support', invite: true });
    expect(created.status).toBe(201);
    expect(created.json.invitation).toMatchObject({ mailed: false, reason: expect.stringMatching(/no notification sender is set/) });
    expect(created.json.invitation.url).toMatch(/\/invitation\/[A-Za-z0-9_-]{40,}$/);
    secrets.push(created.json.invitation.url.split('/').at(-1));
  });

  it('never shows a password or link token in answers, logs or the audit log', async () => {
    const audit = JSON.stringify(await db.select().from(auditEvents));
    expect(audit).toContain('user.password_set');
    expect(secrets.length).toBeGreaterThan(4);
    for (const secret of [...secrets.slice(0, -1), invited.password]) {
      expect(bodies.join('\n')).not.toContain(secret);
      expect(logs.text()).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    // The one link handed over (no sender) is in its answer, and nowhere else.
    expect(logs.text() + audit).not.toContain(secrets.at(-1));
  });
});
