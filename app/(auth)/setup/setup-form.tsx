'use client';

import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Field } from '@/app/_components/ui';
import { IDLE, type ActionState } from '@/lib/auth/form-action-state';
import { createFirstAdminAction } from './actions';

type State = ActionState<{ email: string }>;

/**
 * Creates the first admin, then signs them in with the password just chosen through next-auth's own
 * credentials sign-in (CSRF token included); should that fail, sign-in opens with their email.
 */
export function SetupForm() {
  const t = useTranslations('setup');
  const router = useRouter();
  const [state, action, pending] = useActionState(async (previous: State, formData: FormData): Promise<State> => {
    const result = await createFirstAdminAction(previous, formData);
    if (result.status !== 'success' || !result.data) return result;
    const signedIn = await signIn('credentials', { email: result.data.email, password: String(formData.get('password') ?? ''), redirect: false });
    router.replace(signedIn?.ok && !signedIn.error ? '/' : `/sign-in?${new URLSearchParams({ setup: '1', email: result.data.email })}`);
    router.refresh();
    return result;
  }, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const values = state.status === 'error' ? state.values : undefined;
  return (
    <form action={action} className="mt-6 space-y-4" noValidate>
      <ActionMessage state={state} success="hidden" />
      <Field label={t('email')} name="email" type="email" autoComplete="username" defaultValue={values?.email} errors={errors?.email} required />
      <Field label={t('name')} name="name" autoComplete="name" defaultValue={values?.name} errors={errors?.name} />
      <Field
        label={t('password')}
        name="password"
        type="password"
        autoComplete="new-password"
        hint={t('passwordHint')}
        errors={errors?.password}
        required
      />
      <Field label={t('confirmPassword')} name="confirmPassword" type="password" autoComplete="new-password" errors={errors?.confirmPassword} required />
      <Button type="submit" variant="primary" className="w-full" disabled={pending || state.status === 'success'}>
        {pending ? t('submitting') : t('submit')}
      </Button>
    </form>
  );
}
