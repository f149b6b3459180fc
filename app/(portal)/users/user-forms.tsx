'use client';

import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, CheckboxField, Field, FieldErrors } from '@/app/_components/ui';
import { IDLE, type ActionState } from '@/lib/auth/form-action-state';
import type { UserRole } from '@/lib/users/users';
import { createApiKeyAction } from '../account/actions';
import { NewApiKey } from '../account/account-forms';
import { changeRoleAction, createUserAction, sendPasswordLinkAction, setActiveAction } from './actions';
import { ServiceProfilesForm, type ProfileChoice } from './service-forms';

const ROLE_OPTIONS: UserRole[] = ['owner', 'support', 'admin'];

function RoleSelect({ id, defaultValue, errors }: { id: string; defaultValue?: string; errors?: string[] }) {
  const tCommon = useTranslations('common');
  return (
    <select
      id={id}
      name="role"
      defaultValue={defaultValue}
      aria-describedby={errors?.length ? `${id}-error` : undefined}
      className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
    >
      {ROLE_OPTIONS.map((role) => (
        <option key={role} value={role}>
          {tCommon(`roles.${role}`)}
        </option>
      ))}
    </select>
  );
}

export function CreateUserForm() {
  const t = useTranslations('users.add');
  const [state, action, pending] = useActionState(createUserAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const values = state.status === 'error' ? state.values : undefined;
  return (
    <form action={action} className="space-y-4" noValidate key={state.status === 'success' ? state.message : 'form'}>
      <PasswordLinkResult state={state} />
      <Field label={t('email')} name="email" type="email" defaultValue={values?.email} errors={errors?.email} required />
      <Field label={t('name')} name="name" defaultValue={values?.name} errors={errors?.name} />
      <div>
        <label htmlFor="role" className="block text-sm font-medium text-slate-800">
          {t('role')}
        </label>
        <div className="mt-1">
          <RoleSelect id="role" defaultValue={values?.role ?? 'owner'} errors={errors?.role} />
        </div>
        <FieldErrors id="role-error" errors={errors?.role} />
      </div>
      <CheckboxField
        label={t('invite')}
        name="invite"
        defaultChecked={values ? values.invite === 'on' : true}
        hint={t('inviteHint')}
        errors={errors?.invite}
      />
      <Field
        label={t('password')}
        name="password"
        type="password"
        autoComplete="new-password"
        hint={t('passwordHint')}
        errors={errors?.password}
      />
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? t('submitting') : t('submit')}
      </Button>
    </form>
  );
}

/** A link the admin hands over because it was not mailed: shown once, never stored in the page. */
function PasswordLinkUrl({ url }: { url: string }) {
  return (
    <p className="break-all rounded bg-slate-900 px-3 py-2 font-mono text-xs text-white" data-testid="password-link">
      {url}
    </p>
  );
}

function PasswordLinkResult({ state }: { state: ActionState<{ url: string } | undefined> }) {
  const url = state.status === 'success' ? state.data?.url : undefined;
  return (
    <>
      <ActionMessage state={state} success={url ? 'warning' : 'success'} />
      {url ? <PasswordLinkUrl url={url} /> : null}
    </>
  );
}

type UserSummary = { id: string; email: string; role: UserRole; active: boolean; hasPassword: boolean };

/** A row's actions; a business system (service account) has no role to change and no password, but its profiles. */
export function UserActions({
  user,
  isSelf,
  service,
}: {
  user: UserSummary;
  isSelf: boolean;
  service?: { name: string; profileIds: string[] | null; profiles: ProfileChoice[] };
}) {
  const t = useTranslations('users');
  const [roleState, roleAction, rolePending] = useActionState(changeRoleAction, IDLE);
  const [activeState, activeAction, activePending] = useActionState(setActiveAction, IDLE);
  const [keyState, keyAction, keyPending] = useActionState(createApiKeyAction, IDLE);
  const [linkState, linkAction, linkPending] = useActionState(sendPasswordLinkAction, IDLE);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        {service ? null : (
          <form action={roleAction} className="flex items-center gap-2">
            <input type="hidden" name="id" value={user.id} />
            <label htmlFor={`role-${user.id}`} className="sr-only">
              {t('roleOf', { email: user.email })}
            </label>
            <RoleSelect id={`role-${user.id}`} defaultValue={user.role} />
            <Button type="submit" disabled={rolePending}>
              {t('changeRole')}
            </Button>
          </form>
        )}
        <form action={activeAction}>
          <input type="hidden" name="id" value={user.id} />
          <input type="hidden" name="active" value={String(!user.active)} />
          <Button type="submit" variant={user.active ? 'danger' : 'secondary'} disabled={activePending || (isSelf && user.active)}>
            {user.active ? t('deactivate') : t('reactivate')}
          </Button>
        </form>
        <form action={keyAction}>
          <input type="hidden" name="userId" value={user.id} />
          <Button type="submit" disabled={keyPending || !user.active}>
            {t('newApiKey')}
          </Button>
        </form>
        {service ? null : (
          <form action={linkAction}>
            <input type="hidden" name="id" value={user.id} />
            <input type="hidden" name="purpose" value={user.hasPassword ? 'reset' : 'invitation'} />
            <Button type="submit" disabled={linkPending || !user.active}>
              {user.hasPassword ? t('sendReset') : t('sendInvitation')}
            </Button>
          </form>
        )}
      </div>
      {service ? <ServiceProfilesForm service={{ id: user.id, name: service.name, profileIds: service.profileIds }} profiles={service.profiles} /> : null}
      <PasswordLinkResult state={linkState} />
      {[roleState, activeState, keyState].map((state, index) => (
        <ActionMessage key={index} state={state} />
      ))}
      {keyState.status === 'success' && keyState.data ? <NewApiKey keyText={keyState.data.key} /> : null}
    </div>
  );
}
