'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { CopyButton } from '@/app/_components/copy-button';
import { Button } from '@/app/_components/ui';
import { IDLE, type ActionState } from '@/lib/auth/form-action-state';
import { sendProfileReconnectLinksAction, type ReconnectLinksResult } from '../actions';

/** One action for every mailbox of the profile that must connect again: a reconnect link to each owner. */
export function ReconnectLinks({ profileId, count }: { profileId: string; count: number }) {
  const t = useTranslations('profiles.reconnectLinks');
  const [state, action, pending] = useActionState<ActionState<ReconnectLinksResult>, FormData>(sendProfileReconnectLinksAction, IDLE);
  const result = state.status === 'success' ? state.data : undefined;
  return (
    <form action={action} className="space-y-3 text-sm">
      <input type="hidden" name="id" value={profileId} />
      <p>{t('intro', { count })}</p>
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? t('sending') : t('button', { count })}
      </Button>
      <div className="space-y-2" aria-live="polite">
        <ActionMessage state={state} success={result?.tone} />
        {result && result.notMailed.length > 0 ? (
          <div>
            <p className="font-medium">{t('notMailed')}</p>
            <ul className="mt-1 space-y-2" data-testid="reconnect-links-not-mailed">
              {result.notMailed.map((link) => (
                <li key={link.address} className="min-w-0">
                  <p>{t('notMailedRow', { address: link.address, owner: link.ownerEmail, reason: link.reason })}</p>
                  <div className="mt-1 flex min-w-0 items-center gap-2">
                    <input
                      readOnly
                      value={link.url}
                      aria-label={t('link', { address: link.address })}
                      className="w-full min-w-0 rounded-md border border-slate-300 px-2 py-1 font-mono text-xs"
                    />
                    <CopyButton value={link.url} />
                  </div>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {result && result.refused.length > 0 ? (
          <div>
            <p className="font-medium">{t('refused')}</p>
            <ul className="mt-1 list-inside list-disc">
              {result.refused.map((mailbox) => (
                <li key={mailbox.address}>{t('refusedRow', { address: mailbox.address, reason: mailbox.reason })}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </form>
  );
}
