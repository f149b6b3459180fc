import Link from 'next/link';
import { connection } from 'next/server';
import { Alert } from '@/app/_components/ui';
import { refusedLinkMessage } from '@/lib/auth/set-password-with-link';
import { getPasswordLinkState, type PasswordLinkPurpose } from '@/lib/users/password-links';
import { SetPasswordForm } from './set-password-form';

const TEXT = {
  invitation: {
    title: 'Welcome to Mailroom',
    intro: 'Choose the password of your account. You are signed in right after.',
    submit: 'Set password and sign in',
  },
  reset: {
    title: 'Choose a new password',
    intro: 'Your new password replaces the old one, and every session you have open ends. You are signed in right after.',
    submit: 'Set new password and sign in',
  },
} as const;

/** The page an invitation or reset link opens: whose account it is and the form, or why the link no longer works. */
export async function PasswordLinkPage({ token, purpose }: { token: string; purpose: PasswordLinkPurpose }) {
  await connection();
  const state = await getPasswordLinkState({ token });
  const text = TEXT[state.ok ? state.purpose : purpose];
  return (
    <>
      <h1 className="text-xl font-semibold">{text.title}</h1>
      {state.ok ? (
        <>
          <p className="mt-2 text-sm text-slate-600">{text.intro}</p>
          <p className="mt-4 text-sm">
            Account: <span className="font-medium">{state.email}</span>
          </p>
          <SetPasswordForm token={token} email={state.email} submitLabel={text.submit} />
        </>
      ) : (
        <div className="mt-4 space-y-4">
          <Alert tone="failure">{refusedLinkMessage(state.reason)}</Alert>
          <Link href="/sign-in" className="inline-block text-sm text-indigo-700 hover:underline">
            Go to sign-in
          </Link>
        </div>
      )}
    </>
  );
}
