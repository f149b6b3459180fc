'use client';

import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Field } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { sendTestNotificationAction, setNotificationSenderAction } from './actions';

export function NotificationSenderForm({ currentAddress }: { currentAddress: string | null }) {
  const [state, action, pending] = useActionState(setNotificationSenderAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const value = state.status === 'error' ? state.values?.senderAddress : (currentAddress ?? '');
  return (
    <form action={action} className="space-y-4" noValidate>
      <ActionMessage state={state} />
      <Field
        label="Send notifications from"
        name="senderAddress"
        type="email"
        defaultValue={value}
        key={value}
        errors={errors?.senderAddress}
        hint="The address of a mailbox in Mailroom: mail goes out through its profile’s outgoing server, signed in as that mailbox. Leave empty to send nothing and log instead."
      />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Saving…' : 'Save sender'}
      </Button>
    </form>
  );
}

export function TestNotificationForm() {
  const [state, action, pending] = useActionState(sendTestNotificationAction, IDLE);
  return (
    <form action={action} className="space-y-3">
      <ActionMessage state={state} />
      <Button type="submit" disabled={pending}>
        {pending ? 'Sending…' : 'Send me a test notification'}
      </Button>
    </form>
  );
}
