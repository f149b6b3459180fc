import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFirstAdminAction } from '@/app/(auth)/setup/actions';
import { sendTestNotificationAction, setNotificationSenderAction } from '@/app/(portal)/settings/actions';
import { changePasswordAction, createApiKeyAction, revokeApiKeyAction } from '@/app/(portal)/account/actions';
import { changeRoleAction, createUserAction, setActiveAction } from '@/app/(portal)/users/actions';
import { startMailboxTestAction } from '@/app/(portal)/mailboxes/[id]/test-actions';
import type { User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { findApiKeys } from '@/lib/auth/api-keys';
import { IDLE } from '@/lib/auth/form-action-state';
import { getNotificationSettings } from '@/lib/settings/notification-sender';
import { verifyPassword } from '@/lib/crypto/passwords';
import { getEnv } from '@/lib/env';
import { setUserPreferences } from '@/lib/users/set-user-preferences';
import { countUsers, createUser, getUserByEmail, getUserById } from '@/lib/users/users';
import { insertMailboxRow, insertProfile } from '../helpers/fixtures';
import { form, interruption } from '../helpers/form-actions';

// The request scope and its session cookie are the one thing a test cannot produce without a
// browser; everything after them (loading the user, checking the role, parsing, writing) is real.
const session = vi.hoisted(() => ({ userId: undefined as string | undefined }));
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next-auth')>()),
  getServerSession: async () => (session.userId ? { userId: session.userId, sessionEpoch: 0, expires: '2999-01-01' } : null),
}));
vi.mock('next/server', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/server')>()),
  connection: async () => {},
}));
vi.mock('next/cache', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/cache')>()),
  revalidatePath: () => {},
}));
// next build sets this from next.config.mjs (experimental.authInterrupts) for forbidden().
process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = 'true';


/** Runs `act` while the portal's default language is `locale`, for callers who chose none and whose browser asks for none. */
async function withPortalDefault<T>(locale: 'fr' | 'en', act: () => Promise<T>): Promise<T> {
  const before = getEnv().MAILROOM_DEFAULT_LOCALE;
  getEnv().MAILROOM_DEFAULT_LOCALE = locale;
  try {
    return await act();
  } finally {
    getEnv().MAILROOM_DEFAULT_LOCALE = before;
  }
}

let admin: User;
let support: User;
let owner: User;

beforeAll(async () => {
  // No request here carries a browser's language: callers who chose none read the portal's default,
  // English for these tests; a caller who chose French is answered in French (below).
  getEnv().MAILROOM_DEFAULT_LOCALE = 'en';
  const setup = await createFirstAdminAction(
    IDLE,
    form({ email: 'first@example.org', password: 'first-admin-password', confirmPassword: 'first-admin-password' }),
  );
  // The form then signs the admin in with the password just typed (issue 16): the action names whom.
  expect(setup).toMatchObject({ status: 'success', data: { email: 'first@example.org' } });
  admin = (await getUserByEmail({ email: 'first@example.org' }))!;
  support = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'support@example.org', role: 'support' } });
  owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'owner@example.org', role: 'owner' } });
});

beforeEach(() => {
  session.userId = undefined;
});

describe('first-run setup', () => {
  it('made the first user an admin, and is closed now that a user exists', async () => {
    expect(admin.role).toBe('admin');
    const again = await createFirstAdminAction(
      IDLE,
      form({ email: 'second@example.org', password: 'second-admin-password', confirmPassword: 'second-admin-password' }),
    );
    expect(again).toMatchObject({ status: 'error', message: expect.stringMatching(/already set up/) });
    expect(await getUserByEmail({ email: 'second@example.org' })).toBeNull();
  });
});

describe('server actions check the role on the server', () => {
  it('sends a caller without a session to sign in, changing nothing', async () => {
    const before = await countUsers();
    expect(await interruption(createUserAction(IDLE, form({ email: 'x@example.org', role: 'admin' })))).toMatch(
      /NEXT_REDIRECT;.*\/sign-in/,
    );
    expect(await countUsers()).toBe(before);
  });

  it('refuses support and owners on every users action, changing nothing', async () => {
    for (const caller of [support, owner]) {
      session.userId = caller.id;
      // Started one at a time, so that each refusal is awaited as it happens.
      const attempts = [
        () => createUserAction(IDLE, form({ email: 'intruder@example.org', role: 'admin' })),
        () => changeRoleAction(IDLE, form({ id: caller.id, role: 'admin' })),
        () => setActiveAction(IDLE, form({ id: admin.id, active: 'false' })),
      ];
      for (const attempt of attempts) expect(await interruption(attempt())).toMatch(/^NEXT_HTTP_ERROR_FALLBACK;403$/);
    }
    expect(await getUserByEmail({ email: 'intruder@example.org' })).toBeNull();
    expect((await getUserById({ id: support.id }))?.role).toBe('support');
    expect((await getUserById({ id: admin.id }))?.deactivatedAt).toBeNull();
  });

  it('lets everyone make and revoke their own API keys, and only admins anyone else’s', async () => {
    const adminKeysBefore = (await findApiKeys({ userId: admin.id, limit: 200 })).keys.length;
    for (const caller of [support, owner]) {
      session.userId = caller.id;
      expect(await createApiKeyAction(IDLE, form({ userId: admin.id }))).toMatchObject({
        status: 'error',
        message: 'Only admins manage other people’s API keys.',
      });
      const made = await createApiKeyAction(IDLE, form({ name: `${caller.role} script` }));
      expect(made).toMatchObject({ status: 'success', data: { key: expect.stringMatching(/^mr_/) } });
      const [own] = (await findApiKeys({ userId: caller.id, limit: 1 })).keys;
      expect(own).toMatchObject({ name: `${caller.role} script`, revokedAt: null });
      expect(await revokeApiKeyAction(IDLE, form({ id: own!.id }))).toMatchObject({ status: 'success' });
      expect((await findApiKeys({ userId: caller.id, limit: 1 })).keys[0]!.revokedAt).not.toBeNull();
    }
    expect((await findApiKeys({ userId: admin.id, limit: 200 })).keys).toHaveLength(adminKeysBefore);

    session.userId = admin.id;
    expect(await createApiKeyAction(IDLE, form({ userId: owner.id, name: 'made by an admin' }))).toMatchObject({ status: 'success' });
    const [ownersNew] = (await findApiKeys({ userId: owner.id, limit: 1 })).keys;
    session.userId = support.id;
    // Actions answer in the caller's language: these users chose none, so they read the portal's default, here French.
    expect(await withPortalDefault('fr', () => revokeApiKeyAction(IDLE, form({ id: ownersNew!.id })))).toMatchObject({ status: 'error', message: 'La clé d’API est introuvable.' });
    session.userId = admin.id;
    expect(await revokeApiKeyAction(IDLE, form({ id: ownersNew!.id }))).toMatchObject({ status: 'success' });
  });

  it('lets an admin act, with field errors for bad input that change nothing', async () => {
    session.userId = admin.id;
    const invalid = await createUserAction(IDLE, form({ email: 'nope', role: 'owner', password: 'secret-pass' }));
    expect(invalid).toMatchObject({ status: 'error', fieldErrors: { email: [expect.any(String)], password: [expect.any(String)] } });
    // The password typed is never sent back to the form.
    expect(JSON.stringify(invalid)).not.toContain('secret-pass');
    expect(await getUserByEmail({ email: 'nope' })).toBeNull();

    // Without single sign-on a user needs a password or an invitation (issue 16).
    const unreachable = await createUserAction(IDLE, form({ email: 'new@example.org', role: 'owner', password: '' }));
    expect(unreachable).toMatchObject({ status: 'error', fieldErrors: { password: [expect.stringMatching(/single sign-on is not configured/)] } });
    expect(await getUserByEmail({ email: 'new@example.org' })).toBeNull();

    const created = await createUserAction(IDLE, form({ email: 'new@example.org', role: 'owner', password: 'new owner password 1' }));
    expect(created).toMatchObject({ status: 'success', message: 'new@example.org was added as owner.' });
  });

  it('stops a deactivated admin at once, even with a session still open', async () => {
    const other = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'other-admin@example.org', role: 'admin' } });
    session.userId = admin.id;
    expect(await setActiveAction(IDLE, form({ id: other.id, active: 'false' }))).toMatchObject({ status: 'success' });
    session.userId = other.id;
    expect(await interruption(createUserAction(IDLE, form({ email: 'late@example.org', role: 'owner' })))).toMatch(
      /NEXT_REDIRECT;.*\/sign-in/,
    );
    expect(await getUserByEmail({ email: 'late@example.org' })).toBeNull();
  });
});

describe('settings actions', () => {
  it('refuse support and owners, changing nothing', async () => {
    for (const caller of [support, owner]) {
      session.userId = caller.id;
      expect(await interruption(setNotificationSenderAction(IDLE, form({ senderAddress: 'someone@example.org' })))).toMatch(
        /^NEXT_HTTP_ERROR_FALLBACK;403$/,
      );
      expect(await interruption(sendTestNotificationAction(IDLE, form({})))).toMatch(/^NEXT_HTTP_ERROR_FALLBACK;403$/);
    }
    expect((await getNotificationSettings()).sender).toBeNull();
  });

  it('tell an admin what is wrong with a sender address, changing nothing', async () => {
    session.userId = admin.id;
    expect(await withPortalDefault('fr', () => setNotificationSenderAction(IDLE, form({ senderAddress: 'not an address' })))).toMatchObject({
      status: 'error',
      fieldErrors: { senderAddress: [expect.stringMatching(/adresse e-mail valide/)] },
    });
    expect(await setNotificationSenderAction(IDLE, form({ senderAddress: 'nobody@example.org' }))).toMatchObject({
      status: 'error',
      fieldErrors: { senderAddress: [expect.stringMatching(/No mailbox has this address/)] },
    });
    expect((await getNotificationSettings()).sender).toBeNull();
    // The failure says what to do next as a hint of its own, which the form shows under the message.
    expect(await sendTestNotificationAction(IDLE, form({}))).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/No notification sender is set/),
      hint: expect.stringMatching(/Choose the mailbox notifications are sent from/),
    });
    expect(await setNotificationSenderAction(IDLE, form({ senderAddress: '' }))).toMatchObject({
      status: 'success',
      message: expect.stringMatching(/No notification sender/),
    });
  });
});

describe('changing one’s own password', () => {
  it('needs the current password, then ends every session, this one too', async () => {
    const person = await createUser({
      actor: COMMAND_LINE_ACTOR,
      input: { email: 'changer@example.org', role: 'owner', password: 'the-old-password' },
    });
    session.userId = person.id;
    const wrong = await changePasswordAction(
      IDLE,
      form({ currentPassword: 'not-my-password', newPassword: 'a-brand-new-password', confirmPassword: 'a-brand-new-password' }),
    );
    expect(wrong).toMatchObject({ status: 'error', fieldErrors: { currentPassword: ['This is not your current password.'] } });
    expect(JSON.stringify(wrong)).not.toMatch(/not-my-password|a-brand-new-password/);

    const mismatched = await withPortalDefault('fr', () =>
      changePasswordAction(IDLE, form({ currentPassword: 'the-old-password', newPassword: 'a-brand-new-password', confirmPassword: 'another-new-password' })),
    );
    expect(mismatched).toMatchObject({ status: 'error', fieldErrors: { confirmPassword: ['Les deux mots de passe sont différents.'] } });

    const changed = interruption(
      changePasswordAction(IDLE, form({ currentPassword: 'the-old-password', newPassword: 'a-brand-new-password', confirmPassword: 'a-brand-new-password' })),
    );
    expect(await changed).toMatch(/NEXT_REDIRECT;.*\/sign-in\?changed=password/);
    const stored = (await getUserById({ id: person.id }))!;
    expect(await verifyPassword('a-brand-new-password', stored.passwordHash!)).toBe(true);
    expect(await verifyPassword('the-old-password', stored.passwordHash!)).toBe(false);
    expect(stored.sessionEpoch).toBeGreaterThan(person.sessionEpoch);
    // The session the change was made in was granted under the old password: it has ended.
    expect(await interruption(createApiKeyAction(IDLE, form({ name: 'after the change' })))).toMatch(/NEXT_REDIRECT;.*\/sign-in/);
  });

  it('answers a caller who chose French in French, whatever the portal’s default', async () => {
    const person = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'francophone@example.org', role: 'support', password: 'mon-ancien-mot-de-passe' } });
    await setUserPreferences({ userId: person.id, preferences: { locale: 'fr', timeZone: null } });
    session.userId = person.id;
    const wrong = await changePasswordAction(
      IDLE,
      form({ currentPassword: 'pas-le-bon-mot-de-passe', newPassword: 'un-tout-nouveau-mot-de-passe', confirmPassword: 'un-tout-nouveau-mot-de-passe' }),
    );
    expect(wrong).toMatchObject({
      status: 'error',
      message: 'Votre mot de passe n’a pas été modifié.',
      fieldErrors: { currentPassword: ['Ce n’est pas votre mot de passe actuel.'] },
    });
    const created = await createApiKeyAction(IDLE, form({ name: 'script' }));
    expect(created).toMatchObject({ status: 'success', message: 'Copiez la clé maintenant\u00a0: elle ne sera plus affichée.' });
  });

  it('is not offered to people who sign in through single sign-on', async () => {
    session.userId = owner.id;
    expect(
      await changePasswordAction(IDLE, form({ currentPassword: 'x', newPassword: 'a-brand-new-password', confirmPassword: 'a-brand-new-password' })),
    ).toMatchObject({ status: 'error', message: 'You sign in through single sign-on: your password is changed at your identity provider.' });
  });
});

describe('actions called with an object (serverAction)', () => {
  it('send a caller without a session to sign in, and answer bad input with its fields', async () => {
    const profile = await insertProfile();
    const mailbox = await insertMailboxRow(owner, profile, { connection: 'not_connected', status: 'inactive' });
    expect(await interruption(startMailboxTestAction({ mailboxId: mailbox.id, sendTestMessage: false }))).toMatch(/NEXT_REDIRECT;.*\/sign-in/);

    session.userId = owner.id;
    expect(await startMailboxTestAction({ mailboxId: 'not-an-id', sendTestMessage: false })).toMatchObject({
      status: 'error',
      fieldErrors: { mailboxId: [expect.any(String)] },
    });
  });

  it('answer a failure with its hint, as the API does, and someone else’s mailbox as not found', async () => {
    const profile = await insertProfile();
    const mailbox = await insertMailboxRow(owner, profile, { connection: 'not_connected', status: 'inactive' });
    session.userId = owner.id;
    // The owner chose no language and their browser asks for none: the portal's default, here French.
    expect(await withPortalDefault('fr', () => startMailboxTestAction({ mailboxId: mailbox.id, sendTestMessage: false }))).toEqual({
      status: 'error',
      message: 'Connectez la boîte aux lettres avant de la tester.',
      hint: expect.stringMatching(/^Le propriétaire connecte d’abord la boîte aux lettres/),
    });

    const others = await insertMailboxRow(admin, profile, { connection: 'not_connected', status: 'inactive' });
    expect(await withPortalDefault('fr', () => startMailboxTestAction({ mailboxId: others.id, sendTestMessage: false }))).toMatchObject({
      status: 'error',
      message: 'La boîte aux lettres est introuvable.',
    });
  });
});
