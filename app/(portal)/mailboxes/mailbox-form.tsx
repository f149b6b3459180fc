'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Field, SelectField } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { createMailboxAction, updateMailboxAction } from './actions';

type ProfileChoice = { id: string; label: string; isDefault: boolean };
type Existing = { id: string; address: string; ownerEmail: string; profileId: string; incoming: string; outgoing: string; shared: boolean; connected: boolean };

/** Adds a mailbox, or edits one when `existing` is given. */
export function MailboxForm({ profiles, existing }: { profiles: ProfileChoice[]; existing?: Existing }) {
  const t = useTranslations('mailboxes.form');
  const tStatus = useTranslations('status');
  const syncOptions = (['server_side', 'none'] as const).map((value) => ({ value, label: tStatus(`sync.${value}`) }));
  const [state, action, pending] = useActionState(existing ? updateMailboxAction : createMailboxAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const values = state.status === 'error' ? state.values : undefined;
  const defaultProfile = existing?.profileId ?? profiles.find((profile) => profile.isDefault)?.id ?? profiles[0]?.id;
  return (
    <form action={action} className="max-w-xl space-y-5" noValidate>
      <ActionMessage state={state} success="hidden" />
      {existing ? <input type="hidden" name="id" value={existing.id} /> : null}
      <Field
        label={t('address')}
        name="address"
        type="email"
        defaultValue={values?.address ?? existing?.address}
        errors={errors?.address}
        hint={existing ? t('addressHintEdit') : t('addressHintNew')}
        required
      />
      <Field
        label={t('ownerEmail')}
        name="ownerEmail"
        type="email"
        defaultValue={values?.ownerEmail ?? existing?.ownerEmail}
        errors={errors?.ownerEmail ?? errors?.ownerId}
        hint={t('ownerHint')}
        required
      />
      <SelectField
        label={t('profile')}
        name="profileId"
        options={profiles.map((profile) => ({ value: profile.id, label: profile.label }))}
        defaultValue={values?.profileId ?? defaultProfile}
        errors={errors?.profileId}
        hint={existing?.connected ? t('moveHint') : undefined}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField label={t('incoming')} name="incoming" options={syncOptions} defaultValue={values?.incoming ?? existing?.incoming ?? 'server_side'} errors={errors?.incoming} />
        <SelectField label={t('outgoing')} name="outgoing" options={syncOptions} defaultValue={values?.outgoing ?? existing?.outgoing ?? 'server_side'} errors={errors?.outgoing} />
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="shared" defaultChecked={existing?.shared} className="mt-1" />
        <span>
          <span className="font-medium">{t('shared')}</span>
          <span className="block text-slate-600">{t('sharedHint')}</span>
        </span>
      </label>
      <Button type="submit" variant="primary" disabled={pending || profiles.length === 0}>
        {pending ? t('saving') : existing ? t('save') : t('add')}
      </Button>
    </form>
  );
}
