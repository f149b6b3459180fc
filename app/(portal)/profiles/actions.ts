'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { Tone } from '@/app/_components/status-badge';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { notFound, renderProblem } from '@/lib/errors';
import { requestReader } from '@/lib/i18n/request-locale';
import { phrase, renderText } from '@/lib/i18n/text';
import { createProfileReconnectLinks } from '@/lib/oauth/reconnect-links';
import { createProfile, deleteProfile, updateProfile } from '@/lib/profiles/profiles';
import { switchProfileToApi } from '@/lib/profiles/switch-profile-protocol';
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

/** The switch dialog: the profile, and the API root it shows filled in from the preset (a lab or a national cloud names its own). */
const apiSwitchForm = profileIdForm.extend({ 'endpoints.api': z.string().trim().max(2048).optional() });

export const switchProfileToApiAction = formAction({ roles: ['admin'], schema: apiSwitchForm }, async (values, user) => {
  const { profile, notices, apiProtocol } = await switchProfileToApi({
    actor: userActor(user),
    profileId: values.id,
    apiEndpoint: values['endpoints.api'],
  });
  revalidatePath('/profiles');
  revalidatePath(`/profiles/${profile.id}`);
  // The page stays, with what the switch did, and offers the reconnect links next.
  const { locale } = await requestReader(user);
  const done = phrase('profiles.apiSwitch.done', { name: profile.name, api: apiProtocol });
  return { message: [done, ...notices].map((text) => renderText(text, locale)).join(' ') };
});

export type ReconnectLinksResult = {
  tone: Exclude<Tone, 'neutral'>;
  notMailed: { address: string; ownerEmail: string; reason: string; url: string }[];
  refused: { address: string; reason: string }[];
};

export const sendProfileReconnectLinksAction = formAction(
  { roles: ['admin', 'support'], schema: profileIdForm },
  async ({ id }, user) => {
    const { mailed, notMailed, refused } = await createProfileReconnectLinks({ viewer: user, profileId: id });
    const reader = await requestReader(user);
    const data: ReconnectLinksResult = {
      tone: notMailed.length + refused.length > 0 ? 'warning' : 'success',
      // Each link is shown this once: only its SHA-256 is stored.
      notMailed: notMailed.map((link) => ({ address: link.address, ownerEmail: link.ownerEmail, reason: renderText(link.reason, reader), url: link.url })),
      refused: refused.map((mailbox) => ({ address: mailbox.address, reason: renderProblem(mailbox.problem, reader).message })),
    };
    return {
      message: phrase('profiles.reconnectLinks.result', { mailed: mailed.length, notMailed: notMailed.length, refused: refused.length }),
      data,
    };
  },
);
