'use server';

import { revalidatePath } from 'next/cache';
import { userActor } from '@/lib/audit/actor';
import { createApiKey, revokeApiKey } from '@/lib/auth/api-keys';
import { changeOwnPassword } from '@/lib/auth/change-password';
import { formAction } from '@/lib/auth/form-action';
import { phrase } from '@/lib/i18n/text';
import { keyOwnerFor } from '@/lib/auth/key-owner';
import { setUserPreferences } from '@/lib/users/set-user-preferences';
import { idParams } from '@/lib/validations/common';
import { changePasswordSchema, createApiKeySchema, userPreferencesSchema } from '@/lib/validations/users';

/** Anyone makes keys for themselves; admins also for the user they name (from the Users page). */
export const createApiKeyAction = formAction({ roles: ['admin', 'owner', 'support'], schema: createApiKeySchema }, async (input, user) => {
  const created = await createApiKey({ actor: userActor(user), ...input, userId: keyOwnerFor(user, input.userId) });
  revalidatePath('/account');
  revalidatePath('/users');
  return { message: phrase('account.apiKeys.created'), data: { key: created.key } };
});

/** Anyone revokes their own keys; admins anyone's. */
export const revokeApiKeyAction = formAction({ roles: ['admin', 'owner', 'support'], schema: idParams }, async ({ id }, user) => {
  await revokeApiKey({ actor: userActor(user), id, ownerId: user.role === 'admin' ? undefined : user.id });
  revalidatePath('/account');
  revalidatePath('/users');
  return { message: phrase('account.apiKeys.revoked') };
});

export const changePasswordAction = formAction({ roles: ['admin', 'owner', 'support'], schema: changePasswordSchema }, async (input, user) => {
  await changeOwnPassword({ user, currentPassword: input.currentPassword, newPassword: input.newPassword });
  return { message: phrase('account.password.changed'), redirectTo: '/sign-in?changed=password' };
});

/** Everyone chooses their own language and time zone; the form says so in the language just chosen. */
export const savePreferencesAction = formAction({ roles: ['admin', 'owner', 'support'], schema: userPreferencesSchema }, async (preferences, user) => {
  await setUserPreferences({ userId: user.id, preferences });
  return { message: phrase('problems.auth.results.preferencesSaved') };
});
