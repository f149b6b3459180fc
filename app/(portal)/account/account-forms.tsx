'use client';

import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useActionState, useEffect, useState, useSyncExternalStore } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Alert, Button, Field, SelectField } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { LOCALE_NAMES, LOCALES } from '@/lib/i18n/locales';
import { changePasswordAction, createApiKeyAction, revokeApiKeyAction, savePreferencesAction } from './actions';

/** The new key, shown once, right where it was made. */
export function NewApiKey({ keyText }: { keyText: string }) {
  return (
    <p className="break-all rounded bg-slate-900 px-3 py-2 font-mono text-xs text-white" data-testid="new-api-key">
      {keyText}
    </p>
  );
}

export function CreateOwnApiKeyForm() {
  const t = useTranslations('account.apiKeys');
  const [state, action, pending] = useActionState(createApiKeyAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      <ActionMessage state={state} success="hidden" />
      {state.status === 'success' && state.data ? (
        <>
          <Alert tone="success">{t('created')}</Alert>
          <NewApiKey keyText={state.data.key} />
        </>
      ) : null}
      <Field label={t('name')} name="name" errors={errors?.name} />
      <Field label={t('expires')} name="expiresAt" placeholder="2027-01-31T00:00:00Z" errors={errors?.expiresAt} />
      <Button type="submit" disabled={pending}>
        {t('create')}
      </Button>
    </form>
  );
}

export function ChangePasswordForm() {
  const t = useTranslations('account.password');
  const [state, action, pending] = useActionState(changePasswordAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      <ActionMessage state={state} success="hidden" />
      <Field label={t('current')} name="currentPassword" type="password" autoComplete="current-password" errors={errors?.currentPassword} />
      <Field label={t('new')} name="newPassword" type="password" autoComplete="new-password" hint={t('newHint')} errors={errors?.newPassword} />
      <Field label={t('again')} name="confirmPassword" type="password" autoComplete="new-password" errors={errors?.confirmPassword} />
      <p className="text-sm text-slate-600">{t('sessionsEnd')}</p>
      <Button type="submit" disabled={pending}>
        {t('submit')}
      </Button>
    </form>
  );
}

const neverChanges = () => () => {};
const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * Language and time zone. An empty choice follows the browser; the browser's time zone is detected
 * here and offered, since no request carries it. Once saved, the page is fetched again, so that it
 * reads in the new language at once.
 */
export function PreferencesForm({ locale, timeZone, timeZones, example }: { locale: string; timeZone: string; timeZones: string[]; example: string }) {
  const t = useTranslations('account.preferences');
  const tCommon = useTranslations('common');
  const router = useRouter();
  const [state, action, pending] = useActionState(savePreferencesAction, IDLE);
  const detected = useSyncExternalStore(neverChanges, browserTimeZone, () => null);
  const [chosenTimeZone, setChosenTimeZone] = useState(timeZone);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;

  useEffect(() => {
    if (state.status === 'success') router.refresh();
  }, [state, router]);

  return (
    <form action={action} className="space-y-4" noValidate>
      <p className="text-sm text-slate-600">{t('intro')}</p>
      <ActionMessage state={state} success="hidden" />
      {state.status === 'success' ? <Alert tone="success">{t('saved')}</Alert> : null}
      <SelectField
        label={t('language')}
        name="locale"
        defaultValue={state.status === 'error' ? state.values?.locale : locale}
        errors={errors?.locale}
        options={[{ value: '', label: t('browserLanguage') }, ...LOCALES.map((value) => ({ value, label: LOCALE_NAMES[value] }))]}
      />
      <SelectField
        label={t('timeZone')}
        name="timeZone"
        value={chosenTimeZone}
        onChange={(event) => setChosenTimeZone(event.target.value)}
        errors={errors?.timeZone}
        hint={
          detected && chosenTimeZone !== detected ? (
            <>
              {t('detected', { timeZone: detected })}{' '}
              <button type="button" className="font-medium text-indigo-700 underline" onClick={() => setChosenTimeZone(detected)}>
                {t('useDetected', { timeZone: detected })}
              </button>
            </>
          ) : (
            t('example', { example })
          )
        }
        options={[
          { value: '', label: detected ? t('browserTimeZoneNamed', { timeZone: detected }) : t('browserTimeZone') },
          ...timeZones.map((value) => ({ value, label: value.replaceAll('_', ' ') })),
        ]}
      />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? tCommon('saving') : tCommon('save')}
      </Button>
    </form>
  );
}

export function RevokeApiKeyButton({ id, label }: { id: string; label: string }) {
  const t = useTranslations('account.apiKeys');
  const [state, action, pending] = useActionState(revokeApiKeyAction, IDLE);
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <Button type="submit" variant="danger" disabled={pending} aria-label={t('revokeNamed', { key: label })}>
        {t('revoke')}
      </Button>
      <ActionMessage state={state} success="hidden" />
    </form>
  );
}
