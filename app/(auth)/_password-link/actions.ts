'use server';

import { headers } from 'next/headers';
import { clientAddress } from '@/lib/auth/client-address';
import { formAction } from '@/lib/auth/form-action';
import { phrase } from '@/lib/i18n/text';
import { setPasswordThroughLink } from '@/lib/auth/set-password-with-link';
import { setPasswordWithLinkSchema } from '@/lib/validations/users';

/** Public: the link itself is the proof, spent once; failures are throttled like sign-in. */
export const setPasswordWithLinkAction = formAction({ roles: 'public', schema: setPasswordWithLinkSchema }, async (input) => {
  const { email } = await setPasswordThroughLink({ token: input.token, password: input.password, address: clientAddress(await headers()) });
  return { message: phrase('problems.auth.results.passwordSet'), data: { email } };
});
