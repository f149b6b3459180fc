import { z } from 'zod';
import { emailAddress, id } from './common';

export const notificationSettingsUpdate = z.object({
  notificationMailboxId: id.nullable(),
});

/** The settings form names the sender by its address; an empty field means none. */
export const notificationSenderForm = z.object({
  senderAddress: z.union([z.literal('').transform(() => null), emailAddress]),
});

export const notificationSettingsResponse = z.object({
  sender: z
    .object({
      mailboxId: z.string(),
      address: z.string(),
      profileId: z.string(),
      profileName: z.string(),
      outgoingServer: z.string(),
      problem: z.string().nullable(),
    })
    .nullable(),
  updatedAt: z.string().nullable(),
});
