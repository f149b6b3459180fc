import { z } from 'zod';
import { idParams } from '@/lib/validations/common';
import { notificationSettingsResponse, notificationSettingsUpdate } from '@/lib/validations/settings';
import type { Endpoint } from '../endpoint';

export const settingsEndpoints = {
  getSettings: {
    method: 'GET',
    path: '/api/v1/settings',
    summary: 'The portal’s settings: the mailbox notifications (reconnect links) are sent from, and what stops it sending',
    roles: ['admin'],
    response: notificationSettingsResponse,
  },
  updateSettings: {
    method: 'PATCH',
    path: '/api/v1/settings',
    summary: 'Choose the notification sender: a mailbox that sends mail, is approved and not disabled; null for none (notifications are logged)',
    roles: ['admin'],
    body: notificationSettingsUpdate,
    response: notificationSettingsResponse,
  },
  sendTestNotification: {
    method: 'POST',
    path: '/api/v1/settings/test-notification',
    summary: 'Send a test notification to the caller from the notification sender: 409 when none is set, 502 when its server refuses',
    roles: ['admin'],
    response: z.object({ sent: z.literal(true), sender: z.string(), to: z.string() }),
  },
  createReconnectLink: {
    method: 'POST',
    path: '/api/v1/mailboxes/{id}/reconnect-link',
    summary:
      'Mail the owner a signed, single-use link to reconnect the mailbox (valid 7 days); `url` is given only when the mail could not be sent, to hand over once',
    roles: ['admin', 'support'],
    params: idParams,
    response: z.object({
      ownerEmail: z.string(),
      expiresAt: z.string(),
      sent: z.boolean(),
      sender: z.string().nullable(),
      reason: z.string().nullable(),
      url: z.string().nullable(),
    }),
    successStatus: 201,
  },
} as const satisfies Record<string, Endpoint>;
