'use client';

import * as Dialog from '@radix-ui/react-dialog';
import { useTranslations } from 'next-intl';
import { useActionState, useState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Alert, Button, buttonClass, Card, Field } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import type { ApiSwitchOffer } from '@/lib/profiles/switch-profile-protocol';
import type { ApiProtocol } from '@/lib/providers/provider';
import { switchProfileToApiAction } from '../actions';

type Offer = Pick<ApiSwitchOffer, 'scopes' | 'apiEndpoint' | 'leaving' | 'mailboxesToReconnect' | 'failing'>;

/**
 * The way out of a tenant that turned SMTP AUTH or IMAP off: the profile moves to its provider's web
 * API, after a dialog that says what that means. It stays in place once the profile has moved (no
 * offer left), so that what the switch did is still read there.
 */
export function ApiSwitch({
  profile,
  apiProtocol,
  offer,
  canSwitch,
}: {
  profile: { id: string; name: string };
  apiProtocol: ApiProtocol;
  offer: Offer | null;
  canSwitch: boolean;
}) {
  const t = useTranslations('profiles.apiSwitch');
  const tProtocols = useTranslations('profiles.protocols');
  const [state, action, pending] = useActionState(switchProfileToApiAction, IDLE);
  const [open, setOpen] = useState(false);
  if (!offer) return state.status === 'success' ? <Alert tone="success">{state.message}</Alert> : null;

  const api = tProtocols(apiProtocol);
  const [first, second] = offer.leaving.map((protocol) => tProtocols(protocol));
  const leaving = second ? t('pair', { first: first!, second }) : (first ?? '');
  const highlighted = offer.failing.length > 0;
  const fieldErrors = state.status === 'error' ? (state.fieldErrors ?? {}) : {};
  const otherErrors = Object.entries(fieldErrors).filter(([field]) => field !== 'endpoints.api');
  return (
    <div id="api-switch" className="scroll-mt-6">
      <Card title={t('title', { api })}>
        <div className="space-y-3 text-sm">
          {highlighted ? (
            <Alert tone="failure">
              <ul data-testid="api-switch-failing">
                {offer.failing.map(({ code, count }) => (
                  <li key={code}>{t('failing', { count, code })}</li>
                ))}
              </ul>
            </Alert>
          ) : null}
          <p>{t('why', { api: apiProtocol })}</p>
          {canSwitch ? (
            <Dialog.Root open={open} onOpenChange={setOpen}>
              <Dialog.Trigger className={buttonClass(highlighted ? 'primary' : 'secondary')}>{t('open', { api })}</Dialog.Trigger>
              {/* Our backdrop, not Dialog.Overlay: its scroll lock injects a <style> the Content-Security-Policy refuses. */}
              {open ? <div aria-hidden className="fixed inset-0 z-40 bg-slate-900/40" /> : null}
              <Dialog.Content className="fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[36rem] max-w-[95vw] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-5 shadow-xl focus:outline-none">
                <Dialog.Title className="text-base font-semibold">{t('dialog.title', { name: profile.name, api })}</Dialog.Title>
                <Dialog.Description className="mt-3 text-sm">{t('dialog.what', { api, leaving })}</Dialog.Description>
                <form action={action} className="mt-3 space-y-3 text-sm">
                  <input type="hidden" name="id" value={profile.id} />
                  <p>{t('dialog.noLongerNeeded', { api: apiProtocol })}</p>
                  <div>
                    <p>{t('dialog.scopes', { api: apiProtocol })}</p>
                    <ul className="mt-1 list-inside list-disc" data-testid="api-switch-scopes">
                      {offer.scopes.map((scope) => (
                        <li key={scope}>
                          <code className="text-xs">{scope}</code>
                        </li>
                      ))}
                    </ul>
                  </div>
                  <p className="font-medium" data-testid="api-switch-reconnect">
                    {t('dialog.reconnect', { count: offer.mailboxesToReconnect, leaving })}
                  </p>
                  <Field
                    label={t('dialog.apiEndpoint')}
                    name="endpoints.api"
                    defaultValue={offer.apiEndpoint}
                    hint={t('dialog.apiEndpointHint')}
                    errors={fieldErrors['endpoints.api']}
                  />
                  <ActionMessage state={state} success="hidden" />
                  {otherErrors.length > 0 ? (
                    <ul className="text-red-700">
                      {otherErrors.map(([field, messages]) => (
                        <li key={field}>
                          <code className="text-xs">{field}</code>: {messages.join(' ')}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  <div className="flex flex-wrap justify-end gap-2">
                    <Dialog.Close className={buttonClass('secondary')}>{t('dialog.cancel')}</Dialog.Close>
                    <Button type="submit" variant="primary" disabled={pending}>
                      {pending ? t('dialog.switching') : t('dialog.confirm', { api })}
                    </Button>
                  </div>
                </form>
              </Dialog.Content>
            </Dialog.Root>
          ) : (
            <p className="text-slate-600">{t('adminsOnly')}</p>
          )}
        </div>
      </Card>
    </div>
  );
}
