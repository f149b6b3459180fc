'use server';

import { revalidatePath } from 'next/cache';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { createUser, updateUser } from '@/lib/users/users';
import { changeRoleSchema, createUserSchema, setActiveSchema } from '@/lib/validations/users';

export const createUserAction = formAction({ roles: ['admin'], schema: createUserSchema }, async (input, user) => {
  const created = await createUser({ actor: userActor(user), input });
  revalidatePath('/users');
  return { message: `${created.email} was added as ${created.role}.` };
});

export const changeRoleAction = formAction({ roles: ['admin'], schema: changeRoleSchema }, async ({ id, role }, user) => {
  const updated = await updateUser({ actor: userActor(user), id, input: { role } });
  revalidatePath('/users');
  return { message: `${updated.email} is now ${updated.role}.` };
});

export const setActiveAction = formAction({ roles: ['admin'], schema: setActiveSchema }, async ({ id, active }, user) => {
  const updated = await updateUser({ actor: userActor(user), id, input: { active } });
  revalidatePath('/users');
  return { message: `${updated.email} was ${active ? 'reactivated' : 'deactivated'}.` };
});
