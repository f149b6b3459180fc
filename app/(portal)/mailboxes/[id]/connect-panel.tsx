'use client';

import { useRouter } from 'next/navigation';
import { useActionState, useEffect, useState } from 'react';
import { Alert, Button, Card, Field } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import type { ConnectOutcome } from '@/lib/oauth/outcomes';
import { disconnectAction, pollDeviceAction, savePasswordAction, startConnectAction, type DeviceCode } from './connect-actions';

type Props = {
  mailboxId: string;
  connectLabel: string;
  authType: 'oauth2_code' | 'oauth2_device' | 'password';
  connected: boolean;
  passwordHint: string | null;
  outcome: ConnectOutcome | null;
};

function DeviceSignIn({ device, onDone }: { device: DeviceCode; onDone: (outcome: ConnectOutcome) => void }) {
  const [waiting, setWaiting] = useState(device.interval);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async (delaySeconds: number) => {
      timer = setTimeout(async () => {
        const result = await pollDeviceAction(device.authorizationId);
        if (stopped) return;
        if (result.status === 'pending') {
          setWaiting(result.interval);
          void poll(result.interval);
        } else if (result.status === 'done') onDone(result.outcome);
        else onDone({ ok: false, code: 'error', message: result.message, hint: '' });
      }, delaySeconds * 1000);
    };
    void poll(device.interval);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [device, onDone]);
  return (
    <div className="space-y-2 text-sm" data-testid="device-code">
      <p>
        Open{' '}
        <a href={device.verificationUri} target="_blank" rel="noreferrer" className="font-medium text-indigo-700 underline">
          {device.verificationUri}
        </a>{' '}
        and enter the code:
      </p>
      <p className="font-mono text-2xl tracking-widest">{device.userCode}</p>
      <p className="text-slate-500">Waiting for you to finish there (checking every {waiting} s, until {device.expiresAt.slice(11, 16)} UTC)…</p>
    </div>
  );
}

/** Connect, reconnect, enter a password or disconnect: what the owner (or an admin) does to connect. */
export function ConnectPanel({ mailboxId, connectLabel, authType, connected, passwordHint, outcome: initialOutcome }: Props) {
  const router = useRouter();
  const [startState, start, starting] = useActionState(startConnectAction, IDLE);
  const [passwordState, savePassword, saving] = useActionState(savePasswordAction, IDLE);
  const [disconnectState, disconnect, disconnecting] = useActionState(disconnectAction, IDLE);
  const [outcome, setOutcome] = useState(initialOutcome);
  const device = startState.status === 'success' && !outcome ? startState.data : undefined;

  return (
    <Card title="Connection">
      <div className="space-y-4">
        {outcome ? (
          <Alert tone={outcome.ok ? 'success' : 'error'}>
            <p className="font-medium">{outcome.message}</p>
            {outcome.hint ? <p className="mt-1">{outcome.hint}</p> : null}
          </Alert>
        ) : null}
        {authType === 'password' ? (
          <form action={savePassword} className="space-y-3" noValidate>
            <input type="hidden" name="mailboxId" value={mailboxId} />
            <Field
              label={connected ? 'Replace the password' : 'Mailbox password or app password'}
              name="password"
              type="password"
              autoComplete="off"
              hint={passwordHint ? `Set, ends in ${passwordHint}.` : 'Stored encrypted; never shown again.'}
              errors={passwordState.status === 'error' ? passwordState.fieldErrors?.password : undefined}
            />
            <Button type="submit" variant="primary" disabled={saving}>
              Save password
            </Button>
          </form>
        ) : device ? (
          <DeviceSignIn
            device={device}
            onDone={(result) => {
              setOutcome(result);
              router.refresh();
            }}
          />
        ) : (
          <form action={start}>
            <input type="hidden" name="mailboxId" value={mailboxId} />
            <Button type="submit" variant={connected ? 'secondary' : 'primary'} disabled={starting}>
              {connected ? `Reconnect` : connectLabel}
            </Button>
          </form>
        )}
        {connected ? (
          <form action={disconnect}>
            <input type="hidden" name="mailboxId" value={mailboxId} />
            <Button type="submit" variant="danger" disabled={disconnecting}>
              Disconnect
            </Button>
          </form>
        ) : null}
        {[startState, passwordState, disconnectState].map((state, index) =>
          state.status === 'idle' || (state.status === 'success' && index === 0) ? null : (
            <Alert key={index} tone={state.status === 'error' ? 'error' : 'success'}>
              {state.message}
            </Alert>
          ),
        )}
      </div>
    </Card>
  );
}
