'use server';

import { revalidatePath } from 'next/cache';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { notFound } from '@/lib/errors';
import { requestReader } from '@/lib/i18n/request-locale';
import { phrase, renderText } from '@/lib/i18n/text';
import { createProfile, deleteProfile, updateProfile } from '@/lib/profiles/profiles';
import { isId } from '@/lib/validations/common';
import { formToProfileRequest, profileFormSchema, profileIdForm } from '@/lib/validations/profiles';

export const createProfileAction = formAction({ roles: ['admin'], schema: profileFormSchema }, async (values, user) => {
  const created = await createProfile({ actor: userActor(user), input: formToProfileRequest(values) });
  revalidatePath('/profiles');
  return { message: phrase('profiles.actions.created', { name: created.name }), redirectTo: `/profiles/${created.id}` };
});

export const updateProfileAction = formAction({ roles: ['admin'], schema: profileFormSchema }, async (values, user) => {
  if (!values.id || !isId(values.id)) throw notFound('serverProfile');
  const { profile: updated, notices } = await updateProfile({ actor: userActor(user), id: values.id, input: formToProfileRequest(values) });
  revalidatePath('/profiles');
  const saved = phrase('profiles.actions.saved', { name: updated.name });
  // The notices must be read before anything else happens: the form stays, with them, instead of leaving.
  if (notices.length > 0) {
    const { locale } = await requestReader(user);
    return { message: [saved, ...notices].map((text) => renderText(text, locale)).join(' ') };
  }
  return { message: saved, redirectTo: `/profiles/${updated.id}` };
});

export const deleteProfileAction = formAction({ roles: ['admin'], schema: profileIdForm }, async ({ id }, user) => {
  const deleted = await deleteProfile({ actor: userActor(user), id });
  revalidatePath('/profiles');
  return { message: phrase('profiles.actions.deleted', { name: deleted.name }), redirectTo: '/profiles' };
});
