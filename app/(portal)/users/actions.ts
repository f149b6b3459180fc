'use server';

import { revalidatePath } from 'next/cache';
import { userActor } from '@/lib/audit/actor';
import type { ActionState } from '@/lib/auth/form-action-state';
import { formAction } from '@/lib/auth/form-action';
import { createUser, updateUser } from '@/lib/users/users';
import { changeRoleSchema, createUserSchema, setActiveSchema } from '@/lib/validations/users';

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

export async function createUserAction(previous: ActionState, formData: FormData) {
  return createUserForm(previous, formData);
}

export async function changeRoleAction(previous: ActionState, formData: FormData) {
  return changeRoleForm(previous, formData);
}

export async function setActiveAction(previous: ActionState, formData: FormData) {
  return setActiveForm(previous, formData);
}
