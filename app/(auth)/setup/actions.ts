'use server';

import { formAction } from '@/lib/auth/form-action';
import { phrase } from '@/lib/i18n/text';
import { createFirstAdmin } from '@/lib/users/users';
import { setupSchema } from '@/lib/validations/users';

/** Needs no sign-in: it only ever works on a database without users. The form then signs the admin in. */
export const createFirstAdminAction = formAction({ roles: 'public', schema: setupSchema }, async (input) => {
  const admin = await createFirstAdmin({ input });
  return { message: phrase('problems.users.results.firstAdminCreated'), data: { email: admin.email } };
});
