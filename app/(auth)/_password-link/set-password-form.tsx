'use client';

import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Field } from '@/app/_components/ui';
import { IDLE, type ActionState } from '@/lib/auth/form-action-state';
import { setPasswordWithLinkAction } from './actions';

type State = ActionState<{ email: string }>;

/**
 * Sets the password through the link, then signs the person in with it through next-auth's own
 * credentials sign-in (CSRF token included); should that fail, sign-in opens with their email.
 */
export function SetPasswordForm({ token, email, submitLabel }: { token: string; email: string; submitLabel: string }) {
  const t = useTranslations('passwordLink');
  const router = useRouter();
  const [state, action, pending] = useActionState(async (previous: State, formData: FormData): Promise<State> => {
    const result = await setPasswordWithLinkAction(previous, formData);
    if (result.status !== 'success' || !result.data) return result;
    const signedIn = await signIn('credentials', { email: result.data.email, password: String(formData.get('password') ?? ''), redirect: false });
    router.replace(signedIn?.ok && !signedIn.error ? '/' : `/sign-in?${new URLSearchParams({ email: result.data.email })}`);
    router.refresh();
    return result;
  }, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <form action={action} className="mt-6 space-y-4" noValidate>
      <ActionMessage state={state} />
      <input type="hidden" name="token" value={token} />
      {/* For password managers: the account this password belongs to. */}
      <input type="hidden" name="username" autoComplete="username" value={email} />
      <Field label={t('password')} name="password" type="password" autoComplete="new-password" hint={t('passwordHint')} errors={errors?.password} required />
      <Field label={t('confirmPassword')} name="confirmPassword" type="password" autoComplete="new-password" errors={errors?.confirmPassword} required />
      <Button type="submit" variant="primary" className="w-full" disabled={pending || state.status === 'success'}>
        {pending ? t('saving') : submitLabel}
      </Button>
    </form>
  );
}
