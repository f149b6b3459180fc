// Issue 16, item 2: the Account page's language and time zone are the user's own, saved through the
// same zod schema, and a bad choice is refused with the reason, changing nothing.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { savePreferencesAction } from '@/app/(portal)/account/actions';
import type { User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { IDLE } from '@/lib/auth/form-action-state';
import { createUser, getUserById } from '@/lib/users/users';
import { form } from '../helpers/form-actions';

// The request's session is the one thing a test cannot produce without a browser (as in actions-roles.test.ts).
const session = vi.hoisted(() => ({ userId: undefined as string | undefined }));
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next-auth')>()),
  getServerSession: async () => (session.userId ? { userId: session.userId, sessionEpoch: 0, expires: '2999-01-01' } : null),
}));
vi.mock('next/server', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/server')>()),
  connection: async () => {},
}));

let owner: User;
let other: User;

beforeAll(async () => {
  owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'owner@example.org', role: 'owner' } });
  other = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'other@example.org', role: 'support' } });
});

beforeEach(() => {
  session.userId = owner.id;
});

describe('language and time zone on the Account page', () => {
  it('starts unset, so that the browser and the portal’s defaults decide', async () => {
    expect(await getUserById({ id: owner.id })).toMatchObject({ locale: null, timeZone: null });
  });

  it('saves the signed-in user’s choice, and only theirs', async () => {
    const result = await savePreferencesAction(IDLE, form({ locale: 'en', timeZone: 'Asia/Tokyo' }));
    expect(result).toMatchObject({ status: 'success' });
    expect(await getUserById({ id: owner.id })).toMatchObject({ locale: 'en', timeZone: 'Asia/Tokyo' });
    expect(await getUserById({ id: other.id })).toMatchObject({ locale: null, timeZone: null });
  });

  it('refuses a language or a time zone that does not exist, saying which, and keeps the saved one', async () => {
    const result = await savePreferencesAction(IDLE, form({ locale: 'de', timeZone: 'Europe/Lutece' }));
    expect(result).toMatchObject({
      status: 'error',
      fieldErrors: {
        locale: ['Choose Français, English or your browser’s language.'],
        timeZone: ['Choose a time zone from the list, such as Europe/Paris.'],
      },
    });
    expect(await getUserById({ id: owner.id })).toMatchObject({ locale: 'en', timeZone: 'Asia/Tokyo' });
  });

  it('goes back to following the browser with an empty choice', async () => {
    await savePreferencesAction(IDLE, form({ locale: '', timeZone: '' }));
    expect(await getUserById({ id: owner.id })).toMatchObject({ locale: null, timeZone: null });
  });

  it('sends a signed-out visitor to sign in, changing nothing', async () => {
    session.userId = undefined;
    const digest = await savePreferencesAction(IDLE, form({ locale: 'fr', timeZone: 'Europe/Paris' })).catch(
      (error: { digest?: string }) => String(error.digest),
    );
    expect(digest).toMatch(/NEXT_REDIRECT;.*\/sign-in/);
    expect(await getUserById({ id: owner.id })).toMatchObject({ locale: null, timeZone: null });
  });
});
