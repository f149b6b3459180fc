'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { phrase } from '@/lib/i18n/text';
import { sendTestNotification } from '@/lib/notifications/send-notification';
import { setNotificationSender } from '@/lib/settings/notification-sender';
import { notificationSenderForm } from '@/lib/validations/settings';

export const setNotificationSenderAction = formAction({ roles: ['admin'], schema: notificationSenderForm }, async ({ senderAddress }, user) => {
  const { sender } = await setNotificationSender({ actor: userActor(user), choice: senderAddress ? { address: senderAddress } : null });
  revalidatePath('/settings');
  return {
    message: sender
      ? phrase('problems.settings.results.senderSet', { address: sender.address, profile: sender.profileName })
      : phrase('problems.settings.results.noSender'),
  };
});

export const sendTestNotificationAction = formAction({ roles: ['admin'], schema: z.object({}) }, async (_input, user) => {
  const { sender, to } = await sendTestNotification({ to: user.email });
  return { message: phrase('problems.settings.results.testSent', { sender, to }) };
});
