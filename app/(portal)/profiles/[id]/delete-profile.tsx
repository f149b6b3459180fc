'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useActionState, useState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { deleteProfileAction } from '../actions';

export function DeleteProfile({ profile }: { profile: { id: string; name: string; mailboxCount: number } }) {
  const t = useTranslations('profiles.delete');
  const [state, action, pending] = useActionState(deleteProfileAction, IDLE);
  const [confirming, setConfirming] = useState(false);
  const moveLink = (
    <Link href={`/mailboxes?profileId=${profile.id}`} className="font-medium underline">
      {t('moveMailboxes')}
    </Link>
  );
  return (
    <div className="space-y-3">
      <ActionMessage state={state} success="hidden">
        {moveLink}
      </ActionMessage>
      {confirming ? (
        <form action={action} className="flex flex-wrap items-center gap-2">
          <input type="hidden" name="id" value={profile.id} />
          <p className="text-sm">{t('confirm', { name: profile.name })}</p>
          <Button type="submit" variant="danger" disabled={pending}>
            {pending ? t('deleting') : t('yes')}
          </Button>
          <Button type="button" onClick={() => setConfirming(false)}>
            {t('cancel')}
          </Button>
        </form>
      ) : (
        <Button type="button" variant="danger" onClick={() => setConfirming(true)}>
          {t('button')}
        </Button>
      )}
      {profile.mailboxCount > 0 && state.status !== 'error' ? (
        <p className="text-xs text-slate-500">
          {t('inUse', { count: profile.mailboxCount })} {moveLink} {t('inUseThen')}
        </p>
      ) : null}
    </div>
  );
}
