'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { userActor } from '@/lib/audit/actor';
import type { ActionState } from '@/lib/auth/form-action-state';
import { formAction } from '@/lib/auth/form-action';
import { notFound } from '@/lib/errors';
import { createProfile, deleteProfile, updateProfile } from '@/lib/profiles/profiles';
import { formToProfileRequest, profileFormSchema, profileIdForm } from '@/lib/validations/profiles';
import { id } from '@/lib/validations/common';

const createProfileForm = formAction({ roles: ['admin'], schema: profileFormSchema }, async (values, user) => {
  const created = await createProfile({ actor: userActor(user), input: formToProfileRequest(values) });
  revalidatePath('/profiles');
  return { message: `${created.name} was created.`, data: { id: created.id } };
});

const updateProfileForm = formAction({ roles: ['admin'], schema: profileFormSchema }, async (values, user) => {
  const profileId = id.safeParse(values.id);
  if (!profileId.success) throw notFound('The server profile');
  const updated = await updateProfile({ actor: userActor(user), id: profileId.data, input: formToProfileRequest(values) });
  revalidatePath('/profiles');
  return { message: `${updated.name} was saved.`, data: { id: updated.id } };
});

const deleteProfileForm = formAction({ roles: ['admin'], schema: profileIdForm }, async ({ id: profileId }, user) => {
  const deleted = await deleteProfile({ actor: userActor(user), id: profileId });
  revalidatePath('/profiles');
  return { message: `${deleted.name} was deleted.` };
});

// redirect() throws, so it runs here, outside the try/catch of formAction.
export async function createProfileAction(previous: ActionState<{ id: string }>, formData: FormData) {
  const state = await createProfileForm(previous, formData);
  if (state.status === 'success' && state.data) redirect(`/profiles/${state.data.id}`);
  return state;
}

export async function updateProfileAction(previous: ActionState<{ id: string }>, formData: FormData) {
  const state = await updateProfileForm(previous, formData);
  if (state.status === 'success' && state.data) redirect(`/profiles/${state.data.id}`);
  return state;
}

export async function deleteProfileAction(previous: ActionState, formData: FormData) {
  const state = await deleteProfileForm(previous, formData);
  if (state.status === 'success') redirect('/profiles');
  return state;
}
