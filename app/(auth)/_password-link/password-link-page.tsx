import Link from 'next/link';
import { connection } from 'next/server';
import { getLocale, getTranslations } from 'next-intl/server';
import { Alert } from '@/app/_components/ui';
import { refusedLinkMessage } from '@/lib/auth/set-password-with-link';
import { renderText } from '@/lib/i18n/text';
import { getPasswordLinkState, type PasswordLinkPurpose } from '@/lib/users/password-links';
import { SetPasswordForm } from './set-password-form';

/** The page an invitation or reset link opens: whose account it is and the form, or why the link no longer works. */
export async function PasswordLinkPage({ token, purpose }: { token: string; purpose: PasswordLinkPurpose }) {
  await connection();
  const [state, t, locale] = await Promise.all([getPasswordLinkState({ token }), getTranslations('passwordLink'), getLocale()]);
  const shown = state.ok ? state.purpose : purpose;
  return (
    <>
      <h1 className="text-xl font-semibold">{t(`${shown}.title`)}</h1>
      {state.ok ? (
        <>
          <p className="mt-2 text-sm text-slate-600">{t(`${shown}.intro`)}</p>
          <p className="mt-4 text-sm">
            {t.rich('account', { email: state.email, strong: (chunks) => <span className="font-medium">{chunks}</span> })}
          </p>
          <SetPasswordForm token={token} email={state.email} submitLabel={t(`${shown}.submit`)} />
        </>
      ) : (
        <div className="mt-4 space-y-4">
          <Alert tone="failure">{renderText(refusedLinkMessage(state.reason), locale)}</Alert>
          <Link href="/sign-in" className="inline-block text-sm text-indigo-700 hover:underline">
            {t('goToSignIn')}
          </Link>
        </div>
      )}
    </>
  );
}
