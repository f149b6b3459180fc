'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { bulkTestMailboxesAction } from '../../mailboxes/actions';

/** Queues a test of every connected mailbox of the profile; the action then opens its progress page. */
export function TestAllMailboxes({ profileId, maxConcurrentConnections }: { profileId: string; maxConcurrentConnections: number }) {
  const t = useTranslations('profiles.testAll');
  const [state, action, pending] = useActionState(bulkTestMailboxesAction, IDLE);
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="profileId" value={profileId} />
      <p className="text-sm text-slate-600">
        {t('intro', { count: maxConcurrentConnections })}
      </p>
      <ActionMessage state={state} success="hidden" />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? t('queuing') : t('button')}
      </Button>
    </form>
  );
}
