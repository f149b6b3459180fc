'use server';

import { revalidatePath } from 'next/cache';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { notFound } from '@/lib/errors';
import { createProfile, deleteProfile, updateProfile } from '@/lib/profiles/profiles';
import { isId } from '@/lib/validations/common';
import { formToProfileRequest, profileFormSchema, profileIdForm } from '@/lib/validations/profiles';

export const createProfileAction = formAction({ roles: ['admin'], schema: profileFormSchema }, async (values, user) => {
  const created = await createProfile({ actor: userActor(user), input: formToProfileRequest(values) });
  revalidatePath('/profiles');
  return { message: `${created.name} was created.`, redirectTo: `/profiles/${created.id}` };
});

export const updateProfileAction = formAction({ roles: ['admin'], schema: profileFormSchema }, async (values, user) => {
  if (!values.id || !isId(values.id)) throw notFound('The server profile');
  const { profile: updated, notices } = await updateProfile({ actor: userActor(user), id: values.id, input: formToProfileRequest(values) });
  revalidatePath('/profiles');
  // The notices must be read before anything else happens: the form stays, with them, instead of leaving.
  if (notices.length > 0) return { message: [`${updated.name} was saved.`, ...notices].join(' ') };
  return { message: `${updated.name} was saved.`, redirectTo: `/profiles/${updated.id}` };
});

export const deleteProfileAction = formAction({ roles: ['admin'], schema: profileIdForm }, async ({ id }, user) => {
  const deleted = await deleteProfile({ actor: userActor(user), id });
  revalidatePath('/profiles');
  return { message: `${deleted.name} was deleted.`, redirectTo: '/profiles' };
});
