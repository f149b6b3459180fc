'use server';

import { formAction } from '@/lib/auth/form-action';
import { createFirstAdmin } from '@/lib/users/users';
import { setupSchema } from '@/lib/validations/users';

/** Needs no sign-in: it only ever works on a database without users. The form then signs the admin in. */
export const createFirstAdminAction = formAction({ roles: 'public', schema: setupSchema }, async (input) => {
  const admin = await createFirstAdmin({ input });
  return { message: 'The first admin was created.', data: { email: admin.email } };
});
