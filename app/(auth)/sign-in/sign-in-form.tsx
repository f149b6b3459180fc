'use client';

import { signIn } from 'next-auth/react';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Alert, Button, Field } from '@/app/_components/ui';
import { safeCallbackPath } from '@/lib/auth/callback-url';
import { isServiceAccountSignIn, throttledSignInWait } from '@/lib/auth/sign-in-messages';

type Props = {
  initialEmail: string;
  notice?: string;
  error?: string;
  sso?: { name: string };
  callbackUrl: string;
};

export function SignInForm({ initialEmail, notice, error: initialError, sso, callbackUrl }: Props) {
  const router = useRouter();
  const t = useTranslations('signIn');
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(undefined);
    const form = new FormData(event.currentTarget);
    const result = await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
    });
    if (result?.ok && !result.error) {
      // Checked here too: whatever reached the page, the browser only ever moves within the portal.
      router.replace(safeCallbackPath(callbackUrl, window.location.origin));
      router.refresh();
      return;
    }
    setPending(false);
    const wait = throttledSignInWait(result?.error);
    setError(
      isServiceAccountSignIn(result?.error)
        ? t('errors.ServiceAccount')
        : wait === null
          ? t('wrongCredentials')
          : wait < 120
            ? t('throttledSeconds', { seconds: wait })
            : t('throttledMinutes', { minutes: Math.ceil(wait / 60) }),
    );
  }

  return (
    <div className="mt-6 space-y-4">
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {error ? <Alert tone="failure">{error}</Alert> : null}
      {/* POST, so that a submit before the page is interactive never puts the password in the URL. */}
      <form method="post" onSubmit={submit} className="space-y-4">
        <Field label={t('email')} name="email" type="email" autoComplete="username" defaultValue={initialEmail} required />
        <Field label={t('password')} name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" variant="primary" className="w-full" disabled={pending}>
          {pending ? t('submitting') : t('submit')}
        </Button>
      </form>
      {sso ? (
        <Button type="button" className="w-full" onClick={() => signIn('sso', { callbackUrl })}>
          {t('withSso', { name: sso.name })}
        </Button>
      ) : null}
    </div>
  );
}
