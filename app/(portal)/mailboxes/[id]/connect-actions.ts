'use server';

import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { credentialsSchema } from '@/lib/api/endpoints/connections';
import type { ActionState } from '@/lib/auth/form-action-state';
import { formAction } from '@/lib/auth/form-action';
import { requireRole } from '@/lib/auth/session';
import { AppError } from '@/lib/errors';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { disconnectMailbox } from '@/lib/tokens/disconnect-mailbox';
import { getConnectProgress } from '@/lib/oauth/get-connect-state';
import { startAuthorization } from '@/lib/oauth/start-authorization';
import type { ConnectOutcome } from '@/lib/oauth/outcomes';
import { id } from '@/lib/validations/common';
import { toDeviceSignInView } from './device-sign-in-view';

export type DeviceCode = { authorizationId: string; userCode: string; verificationUri: string; expiresAt: string };

/** A sign-in as the connect panel shows it: the code while pending, the outcome once ended. */
export type DeviceSignInView = { state: 'pending' | 'ended'; device: DeviceCode | null; outcome: ConnectOutcome | null };

/** Starts connecting: the code flow leaves for the provider's sign-in page, the device flow shows a code. */
export async function startConnectAction(_previous: ActionState<DeviceCode>, formData: FormData): Promise<ActionState<DeviceCode>> {
  const user = await requireRole('owner', 'admin');
  const parsed = z.object({ mailboxId: id }).safeParse({ mailboxId: formData.get('mailboxId') });
  if (!parsed.success) return { status: 'error', message: 'This mailbox cannot be connected.' };
  let authorizationUrl: string;
  try {
    const started = await startAuthorization({ viewer: user, mailboxId: parsed.data.mailboxId });
    if (started.flow === 'device') {
      return {
        status: 'success',
        message: 'Enter the code at the provider.',
        data: {
          authorizationId: started.authorizationId,
          userCode: started.userCode,
          verificationUri: started.verificationUri,
          expiresAt: started.expiresAt.toISOString(),
        },
      };
    }
    authorizationUrl = started.authorizationUrl;
  } catch (error) {
    if (error instanceof AppError) return { status: 'error', message: error.hint ? `${error.message} ${error.hint}` : error.message };
    throw error;
  }
  redirect(authorizationUrl);
}

/** Reads where a device sign-in stands; the server polls the provider on its own, this only looks. */
export async function deviceSignInAction(input: { mailboxId: string; authorizationId: string }): Promise<DeviceSignInView> {
  const user = await requireRole('owner', 'admin');
  const parsed = z.object({ mailboxId: id, authorizationId: id }).safeParse(input);
  if (!parsed.success) return { state: 'ended', device: null, outcome: { ok: false, code: 'unknown', message: 'Unknown sign-in.', hint: 'Start again with “Connect”.' } };
  const progress = await getConnectProgress({ viewer: user, ...parsed.data });
  if (progress.state !== 'pending') revalidatePath(`/mailboxes/${parsed.data.mailboxId}`);
  return toDeviceSignInView(progress);
}

const passwordForm = formAction(
  { roles: ['owner', 'admin'], schema: credentialsSchema.extend({ mailboxId: id }) },
  async ({ mailboxId, password }, user) => {
    await setMailboxPassword({ viewer: user, mailboxId, password });
    revalidatePath(`/mailboxes/${mailboxId}`);
    return { message: 'The password was saved. Next: test and activate the mailbox.' };
  },
);

const disconnectForm = formAction({ roles: ['owner', 'admin'], schema: z.object({ mailboxId: id }) }, async ({ mailboxId }, user) => {
  const { revoked } = await disconnectMailbox({ viewer: user, mailboxId });
  revalidatePath(`/mailboxes/${mailboxId}`);
  return { message: revoked ? 'Disconnected, and the access was revoked at the provider.' : 'Disconnected: Mailroom forgot the tokens.' };
});

export async function savePasswordAction(previous: ActionState, formData: FormData) {
  return passwordForm(previous, formData);
}

export async function disconnectAction(previous: ActionState, formData: FormData) {
  return disconnectForm(previous, formData);
}
