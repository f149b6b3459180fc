import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { safeCallbackPath } from '@/lib/auth/callback-url';
import { getCurrentUser } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import { countUsers } from '@/lib/users/users';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

const ERRORS: Record<string, string> = {
  SsoNotProvisioned: 'Your single sign-on account has no Mailroom user. Ask an admin to add your email address.',
  SsoEmailUnverified: 'Your identity provider did not confirm your email address, so Mailroom cannot match it to a user.',
  OAuthSignin: 'Single sign-on could not start. Try again, or sign in with your password.',
  OAuthCallback: 'Single sign-on did not complete. Try again, or sign in with your password.',
  AccessDenied: 'Sign-in was refused.',
};

// Only known codes: the query string is the visitor's to write, never the page's text.
function signInError(code: string): string {
  return Object.hasOwn(ERRORS, code) ? ERRORS[code]! : 'Sign-in failed. Try again.';
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
  return (
    <>
      <h1 className="text-xl font-semibold">Sign in</h1>
      <SignInForm
        initialEmail={params.email ?? ''}
        notice={
          params.setup
            ? 'Your admin account is ready. Sign in to continue.'
            : params.changed === 'password'
              ? 'Your password was changed and every session ended: sign in with the new password.'
              : undefined
        }
        error={params.error ? signInError(params.error) : undefined}
        sso={env.MAILROOM_OIDC_ISSUER ? { name: env.MAILROOM_OIDC_NAME } : undefined}
        callbackUrl={safeCallbackPath(params.callbackUrl, env.MAILROOM_PUBLIC_URL)}
      />
    </>
  );
}
