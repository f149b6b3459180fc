'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { userActor } from '@/lib/audit/actor';
import { formAction } from '@/lib/auth/form-action';
import { sendTestNotification } from '@/lib/notifications/send-notification';
import { setNotificationSender } from '@/lib/settings/notification-sender';
import { notificationSenderForm } from '@/lib/validations/settings';

export const setNotificationSenderAction = formAction({ roles: ['admin'], schema: notificationSenderForm }, async ({ senderAddress }, user) => {
  const { sender } = await setNotificationSender({ actor: userActor(user), choice: senderAddress ? { address: senderAddress } : null });
  revalidatePath('/settings');
  return {
    message: sender
      ? `Notifications are now sent from ${sender.address} through ${sender.profileName}.`
      : 'No notification sender: reconnect links are logged and shown to whoever creates them.',
  };
});

export const sendTestNotificationAction = formAction({ roles: ['admin'], schema: z.object({}) }, async (_input, user) => {
  const { sender, to } = await sendTestNotification({ to: user.email });
  return { message: `A test notification was sent from ${sender} to ${to}.` };
});
