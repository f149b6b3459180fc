'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { credentialsSchema } from '@/lib/api/endpoints/connections';
import { formAction } from '@/lib/auth/form-action';
import { serverAction } from '@/lib/auth/server-action';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { disconnectMailbox } from '@/lib/tokens/disconnect-mailbox';
import { getConnectProgress } from '@/lib/connect/get-connect-state';
import { startAuthorization } from '@/lib/connect/start-authorization';
import type { ConnectOutcome } from '@/lib/oauth/outcomes';
import { phrase, type Phrase } from '@/lib/i18n/text';
import { id } from '@/lib/validations/common';
import { toDeviceSignInView } from './device-sign-in-view';

export type DeviceCode = { authorizationId: string; userCode: string; verificationUri: string; expiresAt: string };

/** A sign-in as the connect panel shows it: the code while pending, the outcome once ended. */
export type DeviceSignInView = { state: 'pending' | 'ended'; device: DeviceCode | null; outcome: ConnectOutcome | null };

/** Starts connecting: the code flow leaves for the provider's sign-in page, the device flow shows a code. */
export const startConnectAction = formAction(
  { roles: ['owner', 'admin'], schema: z.object({ mailboxId: id }) },
  async ({ mailboxId }, user): Promise<{ message: Phrase; data?: DeviceCode; redirectTo?: string }> => {
    const started = await startAuthorization({ viewer: user, mailboxId });
    if (started.flow !== 'device') return { message: phrase('mailbox.connect.results.toProvider'), redirectTo: started.authorizationUrl };
    return {
      message: phrase('mailbox.connect.results.enterCode'),
      data: {
        authorizationId: started.authorizationId,
        userCode: started.userCode,
        verificationUri: started.verificationUri,
        expiresAt: started.expiresAt.toISOString(),
      },
    };
  },
);

/** Reads where a device sign-in stands; the server polls the provider on its own, this only looks. */
export const deviceSignInAction = serverAction(
  { roles: ['owner', 'admin'], schema: z.object({ mailboxId: id, authorizationId: id }) },
  async (input, user): Promise<DeviceSignInView> => {
    const progress = await getConnectProgress({ viewer: user, ...input });
    if (progress.state !== 'pending') revalidatePath(`/mailboxes/${input.mailboxId}`);
    return toDeviceSignInView(progress);
  },
);

export const savePasswordAction = formAction(
  { roles: ['owner', 'admin'], schema: credentialsSchema.extend({ mailboxId: id }) },
  async ({ mailboxId, password }, user) => {
    await setMailboxPassword({ viewer: user, mailboxId, password });
    revalidatePath(`/mailboxes/${mailboxId}`);
    return { message: phrase('mailbox.connect.results.passwordSaved') };
  },
);

export const disconnectAction = formAction({ roles: ['owner', 'admin'], schema: z.object({ mailboxId: id }) }, async ({ mailboxId }, user) => {
  const { revoked } = await disconnectMailbox({ viewer: user, mailboxId });
  revalidatePath(`/mailboxes/${mailboxId}`);
  return { message: phrase(revoked ? 'mailbox.connect.results.disconnectedRevoked' : 'mailbox.connect.results.disconnected') };
});
