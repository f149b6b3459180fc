'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Card } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { deleteMailboxAction, mailboxEventAction } from '../actions';

type Props = { id: string; address: string; approval: string; status: string };

export function MailboxAdminActions({ id, address, approval, status }: Props) {
  const t = useTranslations('mailbox.admin');
  const [eventState, applyEvent, applying] = useActionState(mailboxEventAction, IDLE);
  const [deleteState, remove, removing] = useActionState(deleteMailboxAction, IDLE);
  return (
    <Card title={t('title')}>
      <form action={applyEvent} className="flex flex-wrap gap-2">
        <input type="hidden" name="id" value={id} />
        {approval !== 'approved' ? (
          <Button type="submit" name="event" value="approve" variant="primary" disabled={applying}>
            {t('approve')}
          </Button>
        ) : null}
        {approval !== 'rejected' ? (
          <Button type="submit" name="event" value="reject" variant="danger" disabled={applying}>
            {t('reject')}
          </Button>
        ) : null}
        <Button type="submit" name="event" value={status === 'disabled' ? 'enable' : 'disable'} disabled={applying}>
          {status === 'disabled' ? t('enable') : t('disable')}
        </Button>
      </form>
      <form
        action={remove}
        className="mt-4 border-t border-slate-200 pt-4"
        onSubmit={(event) => {
          if (!window.confirm(t('confirmDelete', { address }))) event.preventDefault();
        }}
      >
        <input type="hidden" name="id" value={id} />
        <Button type="submit" variant="danger" disabled={removing}>
          {t('delete')}
        </Button>
      </form>
      <div className="mt-3 space-y-2">
        {[eventState, deleteState].map((state, index) => (
          <ActionMessage key={index} state={state} />
        ))}
      </div>
    </Card>
  );
}
