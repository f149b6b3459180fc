'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { phrase } from '@/lib/i18n/text';
import { sendPasswordLink } from '@/lib/users/password-links';
import { createUserWithAccess, getUserById, updateUser } from '@/lib/users/users';
import { id } from '@/lib/validations/common';
import { changeRoleSchema, createUserSchema, serviceAccountFormSchema, serviceProfilesFormSchema, setActiveSchema } from '@/lib/validations/users';
import { describePasswordLink } from './password-link-text';

export const createUserAction = formAction({ roles: ['admin'], schema: createUserSchema }, async (input, user) => {
  const { user: created, invitation } = await createUserWithAccess({ actor: userActor(user), input });
  revalidatePath('/users');
  const added = { email: created.email, role: phrase(`users.roles.${created.role}`) };
  return {
    message: invitation
      ? phrase('problems.users.results.addedWithLink', { ...added, link: describePasswordLink({ email: created.email, purpose: 'invitation', link: invitation }) })
      : phrase('problems.users.results.added', added),
    data: invitation?.url ? { url: invitation.url } : undefined,
  };
});

export const changeRoleAction = formAction({ roles: ['admin'], schema: changeRoleSchema }, async ({ id, role }, user) => {
  const updated = await updateUser({ actor: userActor(user), id, input: { role } });
  revalidatePath('/users');
  return { message: phrase('problems.users.results.roleChanged', { email: updated.email, role: phrase(`users.roles.${updated.role}`) }) };
});

export const setActiveAction = formAction({ roles: ['admin'], schema: setActiveSchema }, async ({ id, active }, user) => {
  const updated = await updateUser({ actor: userActor(user), id, input: { active } });
  revalidatePath('/users');
  return { message: phrase(active ? 'problems.users.results.reactivated' : 'problems.users.results.deactivated', { email: updated.email }) };
});

const sendPasswordLinkSchema = z.object({
  id,
  purpose: z.enum(['invitation', 'reset'], { error: 'problems.users.fields.choosePurpose' }),
});

export const sendPasswordLinkAction = formAction({ roles: ['admin'], schema: sendPasswordLinkSchema }, async ({ id, purpose }, user) => {
  const link = await sendPasswordLink({ actor: userActor(user), userId: id, purpose });
  const target = await getUserById({ id });
  return {
    message: describePasswordLink({ email: target?.email ?? phrase('problems.users.results.theUser'), purpose, link }),
    data: link.url ? { url: link.url } : undefined,
  };
});

export const createServiceAccountAction = formAction(
  { roles: ['admin'], schema: serviceAccountFormSchema, arrayFields: ['profileIds'] },
  async (input, user) => {
    const { user: created } = await createUserWithAccess({ actor: userActor(user), input });
    revalidatePath('/users');
    return { message: phrase('problems.services.results.added', { name: created.name ?? created.email }) };
  },
);

export const setServiceProfilesAction = formAction(
  { roles: ['admin'], schema: serviceProfilesFormSchema, arrayFields: ['profileIds'] },
  async ({ id, profileIds }, user) => {
    const updated = await updateUser({ actor: userActor(user), id, input: { profileIds } });
    revalidatePath('/users');
    const name = updated.name ?? updated.email;
    return {
      message: profileIds
        ? phrase('problems.services.results.profilesLimited', { name, count: profileIds.length })
        : phrase('problems.services.results.profilesAll', { name }),
    };
  },
);
