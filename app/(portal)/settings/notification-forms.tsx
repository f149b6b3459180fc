'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Field } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { sendTestNotificationAction, setNotificationSenderAction } from './actions';

export function NotificationSenderForm({ currentAddress }: { currentAddress: string | null }) {
  const t = useTranslations('settings.notifications');
  const [state, action, pending] = useActionState(setNotificationSenderAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const value = state.status === 'error' ? state.values?.senderAddress : (currentAddress ?? '');
  return (
    <form action={action} className="space-y-4" noValidate>
      <ActionMessage state={state} />
      <Field
        label={t('senderLabel')}
        name="senderAddress"
        type="email"
        defaultValue={value}
        key={value}
        errors={errors?.senderAddress}
        hint={t('senderHint')}
      />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? t('saving') : t('save')}
      </Button>
    </form>
  );
}

export function TestNotificationForm() {
  const t = useTranslations('settings.notifications');
  const [state, action, pending] = useActionState(sendTestNotificationAction, IDLE);
  return (
    <form action={action} className="space-y-3">
      <ActionMessage state={state} />
      <Button type="submit" disabled={pending}>
        {pending ? t('sending') : t('sendTest')}
      </Button>
    </form>
  );
}
