'use client';

import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Field } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { createFirstAdminAction } from './actions';

export function SetupForm() {
  const [state, action, pending] = useActionState(createFirstAdminAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const values = state.status === 'error' ? state.values : undefined;
  return (
    <form action={action} className="mt-6 space-y-4" noValidate>
      <ActionMessage state={state} success="hidden" />
      <Field label="Your email" name="email" type="email" autoComplete="username" defaultValue={values?.email} errors={errors?.email} required />
      <Field label="Your name (optional)" name="name" autoComplete="name" defaultValue={values?.name} errors={errors?.name} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters."
        errors={errors?.password}
        required
      />
      <Field label="Repeat the password" name="confirmPassword" type="password" autoComplete="new-password" errors={errors?.confirmPassword} required />
      <Button type="submit" variant="primary" className="w-full" disabled={pending}>
        {pending ? 'Creating…' : 'Create admin account'}
      </Button>
    </form>
  );
}
