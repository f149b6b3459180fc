'use client';

import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useActionState, useCallback, useEffect, useState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { CopyButton } from '@/app/_components/copy-button';
import { Time } from '@/app/_components/time';
import { Alert, Button, Card, Field } from '@/app/_components/ui';
import { useRenderText } from '@/app/_components/use-text';
import { IDLE } from '@/lib/auth/form-action-state';
import type { ConnectOutcome } from '@/lib/oauth/outcomes';
import {
  deviceSignInAction,
  disconnectAction,
  savePasswordAction,
  startConnectAction,
  type DeviceCode,
  type DeviceSignInView,
} from './connect-actions';

type Props = {
  mailboxId: string;
  connectLabel: string;
  authType: 'oauth2_code' | 'oauth2_device' | 'password';
  connected: boolean;
  /** The stored password, as "set" and when (never any part of it), or null when none is stored. */
  password: { setAt: string | null } | null;
  outcome: ConnectOutcome | null;
  /** The viewer's device sign-in of this mailbox still pending, or recently ended. */
  recentDeviceSignIn: DeviceSignInView | null;
};

/** How often the page looks at the sign-in's state; the server itself polls the provider at the provider's pace. */
const STATE_CHECK_MS = 2_000;

function DeviceSignIn({ mailboxId, device, onDone }: { mailboxId: string; device: DeviceCode; onDone: (outcome: ConnectOutcome) => void }) {
  const t = useTranslations('mailbox.connect');
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const look = () => {
      timer = setTimeout(async () => {
        const answer = await deviceSignInAction({ mailboxId, authorizationId: device.authorizationId });
        if (stopped) return;
        if (answer.status === 'error') onDone({ ok: false, code: 'unknown', message: answer.message, hint: answer.hint ?? t('startAgain') });
        else if (answer.data.state === 'ended' && answer.data.outcome) onDone(answer.data.outcome);
        else look();
      }, STATE_CHECK_MS);
    };
    look();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [mailboxId, device, onDone, t]);
  return (
    <div className="min-w-0 space-y-2 text-sm" data-testid="device-code">
      <p className="[overflow-wrap:anywhere]">
        {t('device.open')}{' '}
        <a href={device.verificationUri} target="_blank" rel="noreferrer" className="font-medium text-indigo-700 underline">
          {device.verificationUri}
        </a>{' '}
        {t('device.enterCode')}
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <p className="min-w-0 break-all rounded-md bg-slate-100 px-3 py-1 font-mono text-xl font-semibold tracking-wider md:text-2xl">{device.userCode}</p>
        <CopyButton value={device.userCode} label={t('device.copy')} />
      </div>
      <p className="text-slate-600">
        {t('device.waitingUntil')} <Time value={device.expiresAt} format="time" />. {t('device.keepsChecking')}
      </p>
    </div>
  );
}

/** Connect, reconnect, enter a password or disconnect: what the owner (or an admin) does to connect. */
export function ConnectPanel({ mailboxId, connectLabel, authType, connected, password, outcome: initialOutcome, recentDeviceSignIn }: Props) {
  const t = useTranslations('mailbox.connect');
  const render = useRenderText();
  const router = useRouter();
  const [startState, start, starting] = useActionState(startConnectAction, IDLE);
  const [passwordState, savePassword, saving] = useActionState(savePasswordAction, IDLE);
  const [disconnectState, disconnect, disconnecting] = useActionState(disconnectAction, IDLE);
  const [outcome, setOutcome] = useState(initialOutcome ?? recentDeviceSignIn?.outcome ?? null);
  const started = startState.status === 'success' ? startState.data : undefined;
  // A sign-in started here replaces the outcome of an earlier one until it ends.
  const [startedShown, setStartedShown] = useState<DeviceCode | undefined>(undefined);
  if (started && started !== startedShown) {
    setStartedShown(started);
    setOutcome(null);
  }
  const device = outcome ? undefined : (started ?? recentDeviceSignIn?.device ?? undefined);
  const shown = outcome ? render.problem(outcome) : null;
  const onDone = useCallback(
    (result: ConnectOutcome) => {
      setOutcome(result);
      router.refresh();
    },
    [router],
  );

  return (
    <Card title={t('title')}>
      <div className="space-y-4">
        {shown ? (
          <Alert tone={outcome?.ok ? 'success' : 'failure'}>
            <p className="font-medium">{shown.message}</p>
            {shown.hint ? <p className="mt-1">{shown.hint}</p> : null}
          </Alert>
        ) : null}
        {authType === 'password' ? (
          <form action={savePassword} className="space-y-3" noValidate>
            <input type="hidden" name="mailboxId" value={mailboxId} />
            <Field
              label={connected ? t('replacePassword') : t('password')}
              name="password"
              type="password"
              autoComplete="off"
              hint={
                password === null ? (
                  t('passwordNotSet')
                ) : password.setAt ? (
                  <span data-testid="password-set">
                    {t('passwordSetOn')} <Time value={password.setAt} />
                  </span>
                ) : (
                  <span data-testid="password-set">{t('passwordSet')}</span>
                )
              }
              errors={passwordState.status === 'error' ? passwordState.fieldErrors?.password : undefined}
            />
            <Button type="submit" variant="primary" disabled={saving}>
              {t('savePassword')}
            </Button>
          </form>
        ) : device ? (
          <DeviceSignIn mailboxId={mailboxId} device={device} onDone={onDone} />
        ) : (
          <form action={start}>
            <input type="hidden" name="mailboxId" value={mailboxId} />
            <Button type="submit" variant={connected ? 'secondary' : 'primary'} disabled={starting}>
              {connected ? t('reconnect') : connectLabel}
            </Button>
          </form>
        )}
        {connected ? (
          <form action={disconnect}>
            <input type="hidden" name="mailboxId" value={mailboxId} />
            <Button type="submit" variant="danger" disabled={disconnecting}>
              {t('disconnect')}
            </Button>
          </form>
        ) : null}
        {/* A started sign-in shows its code instead of a message. */}
        <ActionMessage state={startState} success="hidden" />
        <ActionMessage state={passwordState} />
        <ActionMessage state={disconnectState} />
      </div>
    </Card>
  );
}
