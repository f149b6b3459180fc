'use client';

import { useTranslations } from 'next-intl';
import { useActionState, useState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, FieldErrors } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { createServiceAccountAction, setServiceProfilesAction } from './actions';

export type ProfileChoice = { id: string; name: string };

const INPUT_CLASS =
  'mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500';

/** A text field whose id differs from its name: the Users page holds two forms with an email and a name. */
function ServiceField({ id, name, label, hint, errors, defaultValue }: { id: string; name: string; label: string; hint: string; errors?: string[]; defaultValue?: string }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        name={name}
        defaultValue={defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={[`${id}-hint`, errors?.length ? `${id}-error` : null].filter(Boolean).join(' ')}
        className={INPUT_CLASS}
      />
      <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
        {hint}
      </p>
      <FieldErrors id={`${id}-error`} errors={errors} />
    </div>
  );
}

/**
 * “Only the mailboxes of these profiles” and the profiles to check. Held in state rather than left
 * to the form: a form action resets its fields, and these must survive an answer with errors.
 */
function ProfileLimit({ idPrefix, profiles, initial, errors }: { idPrefix: string; profiles: ProfileChoice[]; initial: string[] | null; errors?: string[] }) {
  const t = useTranslations('users.services');
  const [limited, setLimited] = useState(initial !== null);
  const [chosen, setChosen] = useState<string[]>(initial ?? []);
  const toggle = (id: string) => setChosen((current) => (current.includes(id) ? current.filter((other) => other !== id) : [...current, id]));
  return (
    <fieldset className="space-y-2" aria-describedby={errors?.length ? `${idPrefix}-profiles-error` : undefined}>
      <legend className="text-sm font-medium text-slate-800">{t('profiles')}</legend>
      <div className="flex items-center gap-2">
        <input
          id={`${idPrefix}-limit`}
          name="limitProfiles"
          type="checkbox"
          checked={limited}
          onChange={(event) => setLimited(event.target.checked)}
          aria-describedby={`${idPrefix}-limit-hint`}
          className="h-4 w-4 rounded border-slate-300"
        />
        <label htmlFor={`${idPrefix}-limit`} className="text-sm text-slate-800">
          {t('limitProfiles')}
        </label>
      </div>
      <p id={`${idPrefix}-limit-hint`} className="text-xs text-slate-500">
        {t('limitProfilesHint')}
      </p>
      {limited ? (
        profiles.length === 0 ? (
          <p className="text-sm text-slate-600">{t('noProfiles')}</p>
        ) : (
          <ul className="space-y-1 pl-6">
            {profiles.map((profile) => (
              <li key={profile.id} className="flex items-center gap-2">
                <input
                  id={`${idPrefix}-profile-${profile.id}`}
                  name="profileIds"
                  type="checkbox"
                  value={profile.id}
                  checked={chosen.includes(profile.id)}
                  onChange={() => toggle(profile.id)}
                  className="h-4 w-4 rounded border-slate-300"
                />
                <label htmlFor={`${idPrefix}-profile-${profile.id}`} className="text-sm text-slate-800">
                  {profile.name}
                </label>
              </li>
            ))}
          </ul>
        )
      ) : null}
      <FieldErrors id={`${idPrefix}-profiles-error`} errors={errors} />
    </fieldset>
  );
}

/** “Add a business system”: a name, an identifying email and, optionally, its profiles; never a password. */
export function ServiceAccountForm({ profiles }: { profiles: ProfileChoice[] }) {
  const t = useTranslations('users.services');
  const [state, action, pending] = useActionState(createServiceAccountAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const values = state.status === 'error' ? state.values : undefined;
  return (
    <form action={action} className="space-y-4" noValidate key={state.status === 'success' ? state.message : 'form'}>
      <p className="text-sm text-slate-600">{t('description')}</p>
      <ActionMessage state={state} />
      <ServiceField id="service-name" name="name" label={t('name')} hint={t('nameHint')} errors={errors?.name} defaultValue={values?.name} />
      <ServiceField id="service-email" name="email" label={t('email')} hint={t('emailHint')} errors={errors?.email} defaultValue={values?.email} />
      <ProfileLimit idPrefix="service" profiles={profiles} initial={null} errors={errors?.profileIds} />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? t('submitting') : t('submit')}
      </Button>
    </form>
  );
}

/** The profiles a business system reaches, changed in its row of the Users page. */
export function ServiceProfilesForm({ service, profiles }: { service: { id: string; name: string; profileIds: string[] | null }; profiles: ProfileChoice[] }) {
  const t = useTranslations('users.services');
  const [state, action, pending] = useActionState(setServiceProfilesAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-indigo-700">{t('profilesOf', { name: service.name })}</summary>
      <form action={action} className="mt-2 space-y-3" noValidate>
        <input type="hidden" name="id" value={service.id} />
        <ProfileLimit idPrefix={`service-${service.id}`} profiles={profiles} initial={service.profileIds} errors={errors?.profileIds} />
        <Button type="submit" disabled={pending}>
          {pending ? t('saving') : t('saveProfiles')}
        </Button>
        <ActionMessage state={state} />
      </form>
    </details>
  );
}
