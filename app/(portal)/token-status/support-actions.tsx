'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { CopyButton } from '@/app/_components/copy-button';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Card } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { checkNowAction, runTestAction, sendReconnectLinkAction } from './actions';

export function SupportActions({ mailboxId, connected }: { mailboxId: string; connected: boolean }) {
  const t = useTranslations('tokenStatus.supportActions');
  const [testState, runTest, testing] = useActionState(runTestAction, IDLE);
  const [checkState, checkNow, checking] = useActionState(checkNowAction, IDLE);
  const [linkState, sendLink, sending] = useActionState(sendReconnectLinkAction, IDLE);
  const link = linkState.status === 'success' ? linkState.data?.url : undefined;
  return (
    <Card title={t('title')}>
      <div className="flex flex-wrap gap-2">
        <form action={runTest}>
          <input type="hidden" name="mailboxId" value={mailboxId} />
          <Button type="submit" disabled={testing}>
            {testing ? t('testing') : t('runTest')}
          </Button>
        </form>
        {connected ? (
          <form action={checkNow}>
            <input type="hidden" name="mailboxId" value={mailboxId} />
            <Button type="submit" disabled={checking}>
              {checking ? t('checking') : t('checkNow')}
            </Button>
          </form>
        ) : null}
        <form action={sendLink}>
          <input type="hidden" name="mailboxId" value={mailboxId} />
          <Button type="submit" variant="primary" disabled={sending}>
            {t('sendLink')}
          </Button>
        </form>
      </div>
      <div className="mt-3 space-y-2" aria-live="polite">
        <ActionMessage state={testState} />
        <ActionMessage state={checkState} success={checkState.status === 'success' ? checkState.data?.tone : undefined} />
        <ActionMessage state={linkState} success={linkState.status === 'success' ? linkState.data?.tone : undefined} />
        {link ? (
          <div className="flex min-w-0 items-center gap-2">
            <input readOnly value={link} aria-label={t('link')} data-testid="reconnect-link" className="w-full min-w-0 rounded-md border border-slate-300 px-2 py-1 font-mono text-xs" />
            <CopyButton value={link} />
          </div>
        ) : null}
      </div>
    </Card>
  );
}
