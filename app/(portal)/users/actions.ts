'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { sendPasswordLink } from '@/lib/users/password-links';
import { createUserWithAccess, getUserById, updateUser } from '@/lib/users/users';
import { id } from '@/lib/validations/common';
import { changeRoleSchema, createUserSchema, setActiveSchema } from '@/lib/validations/users';
import { describePasswordLink } from './password-link-text';

export const createUserAction = formAction({ roles: ['admin'], schema: createUserSchema }, async (input, user) => {
  const { user: created, invitation } = await createUserWithAccess({ actor: userActor(user), input });
  revalidatePath('/users');
  const added = `${created.email} was added as ${created.role}.`;
  return {
    message: invitation ? `${added} ${describePasswordLink({ email: created.email, purpose: 'invitation', link: invitation })}` : added,
    data: invitation?.url ? { url: invitation.url } : undefined,
  };
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

const sendPasswordLinkSchema = z.object({
  id,
  purpose: z.enum(['invitation', 'reset'], { error: 'Choose an invitation or a password reset.' }),
});

export const sendPasswordLinkAction = formAction({ roles: ['admin'], schema: sendPasswordLinkSchema }, async ({ id, purpose }, user) => {
  const link = await sendPasswordLink({ actor: userActor(user), userId: id, purpose });
  const target = await getUserById({ id });
  return { message: describePasswordLink({ email: target?.email ?? 'the user', purpose, link }), data: link.url ? { url: link.url } : undefined };
});
