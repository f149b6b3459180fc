import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { connection } from 'next/server';
import { safeCallbackPath } from '@/lib/auth/callback-url';
import { getCurrentUser } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import { countUsers } from '@/lib/users/users';
import { SignInForm } from './sign-in-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('signIn'))('title') };
}

const ERROR_CODES = ['SsoNotProvisioned', 'SsoEmailUnverified', 'ServiceAccount', 'OAuthSignin', 'OAuthCallback', 'AccessDenied'] as const;

// Only known codes: the query string is the visitor's to write, never the page's text.
function signInErrorKey(code: string): (typeof ERROR_CODES)[number] | 'other' {
  return ERROR_CODES.find((known) => known === code) ?? 'other';
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; email?: string; setup?: string; changed?: string; callbackUrl?: string }>;
}) {
  await connection(); // read per request, never prerendered at build time
  if ((await countUsers()) === 0) redirect('/setup');
  if (await getCurrentUser()) redirect('/');
  const params = await searchParams;
  const env = getEnv();
  const t = await getTranslations('signIn');
  return (
    <>
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <SignInForm
        initialEmail={params.email ?? ''}
        notice={
          params.setup
            ? t('notices.setup')
            : params.changed === 'password'
              ? t('notices.passwordChanged')
              : undefined
        }
        error={params.error ? t(`errors.${signInErrorKey(params.error)}`) : undefined}
        sso={env.MAILROOM_OIDC_ISSUER ? { name: env.MAILROOM_OIDC_NAME } : undefined}
        callbackUrl={safeCallbackPath(params.callbackUrl, env.MAILROOM_PUBLIC_URL)}
      />
    </>
  );
}
