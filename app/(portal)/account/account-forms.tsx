'use client';

import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Field } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { changePasswordAction, createApiKeyAction, revokeApiKeyAction } from './actions';

/** The new key, shown once, right where it was made. */
export function NewApiKey({ keyText }: { keyText: string }) {
  return (
    <p className="break-all rounded bg-slate-900 px-3 py-2 font-mono text-xs text-white" data-testid="new-api-key">
      {keyText}
    </p>
  );
}

export function CreateOwnApiKeyForm() {
  const [state, action, pending] = useActionState(createApiKeyAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      <ActionMessage state={state} />
      {state.status === 'success' && state.data ? <NewApiKey keyText={state.data.key} /> : null}
      <Field label="Name" name="name" errors={errors?.name} />
      <Field
        label="Expires (optional, ISO 8601)"
        name="expiresAt"
        placeholder="2027-01-31T00:00:00Z"
        errors={errors?.expiresAt}
      />
      <Button type="submit" disabled={pending}>
        Create a key
      </Button>
    </form>
  );
}

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <form action={action} className="space-y-4" noValidate>
      <ActionMessage state={state} success="hidden" />
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" errors={errors?.currentPassword} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" hint="At least 12 characters." errors={errors?.newPassword} />
      <Field label="New password again" name="confirmPassword" type="password" autoComplete="new-password" errors={errors?.confirmPassword} />
      <p className="text-sm text-slate-600">Every session you have open ends, this one too: you sign in again with the new password.</p>
      <Button type="submit" disabled={pending}>
        Change password
      </Button>
    </form>
  );
}

export function RevokeApiKeyButton({ id, label }: { id: string; label: string }) {
  const [state, action, pending] = useActionState(revokeApiKeyAction, IDLE);
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <Button type="submit" variant="danger" disabled={pending} aria-label={`Revoke ${label}`}>
        Revoke
      </Button>
      <ActionMessage state={state} success="hidden" />
    </form>
  );
}
