'use server';

import { revalidatePath } from 'next/cache';
import { userActor } from '@/lib/audit/actor';
import { createApiKey, revokeApiKey } from '@/lib/auth/api-keys';
import type { ActionState } from '@/lib/auth/form-action-state';
import { formAction } from '@/lib/auth/form-action';
import { createUser, updateUser } from '@/lib/users/users';
import { idParams } from '@/lib/validations/common';
import { changeRoleSchema, createApiKeySchema, createUserSchema, setActiveSchema } from '@/lib/validations/users';

const createUserForm = formAction({ roles: ['admin'], schema: createUserSchema }, async (input, user) => {
  const created = await createUser({ actor: userActor(user), input });
  revalidatePath('/users');
  return { message: `${created.email} was added as ${created.role}.` };
});

const changeRoleForm = formAction({ roles: ['admin'], schema: changeRoleSchema }, async ({ id, role }, user) => {
  const updated = await updateUser({ actor: userActor(user), id, input: { role } });
  revalidatePath('/users');
  return { message: `${updated.email} is now ${updated.role}.` };
});

const setActiveForm = formAction({ roles: ['admin'], schema: setActiveSchema }, async ({ id, active }, user) => {
  const updated = await updateUser({ actor: userActor(user), id, input: { active } });
  revalidatePath('/users');
  return { message: `${updated.email} was ${active ? 'reactivated' : 'deactivated'}.` };
});

const createApiKeyForm = formAction({ roles: ['admin'], schema: createApiKeySchema }, async (input, user) => {
  const created = await createApiKey({ actor: userActor(user), ...input, userId: input.userId ?? user.id });
  revalidatePath('/users');
  return { message: 'Copy the key now: it will not be shown again.', data: { key: created.key } };
});

const revokeApiKeyForm = formAction({ roles: ['admin'], schema: idParams }, async ({ id }, user) => {
  await revokeApiKey({ actor: userActor(user), id });
  revalidatePath('/users');
  return { message: 'The key was revoked: it no longer works.' };
});

export async function createUserAction(previous: ActionState, formData: FormData) {
  return createUserForm(previous, formData);
}

export async function changeRoleAction(previous: ActionState, formData: FormData) {
  return changeRoleForm(previous, formData);
}

export async function setActiveAction(previous: ActionState, formData: FormData) {
  return setActiveForm(previous, formData);
}

export async function createApiKeyAction(previous: ActionState<{ key: string }>, formData: FormData) {
  return createApiKeyForm(previous, formData);
}

export async function revokeApiKeyAction(previous: ActionState, formData: FormData) {
  return revokeApiKeyForm(previous, formData);
}
