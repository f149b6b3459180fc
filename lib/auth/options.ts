import 'server-only';
import { hkdfSync } from 'node:crypto';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getKeyring } from '@/lib/crypto/keys';
import { UNUSABLE_PASSWORD_HASH, verifyPassword } from '@/lib/crypto/passwords';
import { getEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { endSessions, getUserByEmail, getUserById, recordSignIn } from '@/lib/users/users';
import { signInSchema } from '@/lib/validations/users';
import { safeCallbackPath } from './callback-url';
import { clientAddress } from './client-address';
import { SERVICE_ACCOUNT_SIGN_IN, throttledSignInMessage } from './sign-in-messages';
import { signInSubjects } from './sign-in-throttle';
import { clearFailedAttempts, getRetryAfterSeconds, recordFailedAttempt } from './throttle';

export const SSO_PROVIDER_ID = 'sso';

declare module 'next-auth' {
  interface Session {
    userId?: string;
    sessionEpoch?: number;
  }
}
declare module 'next-auth/jwt' {
  interface JWT {
    userId?: string;
    /** The user's session epoch at sign-in: a session from an earlier epoch has ended. */
    sessionEpoch?: number;
  }
}

/** Derived from the encryption key unless set, so that one key is all an operator must keep. */
function authSecret(): string {
  const configured = getEnv().MAILROOM_AUTH_SECRET;
  if (configured) return configured;
  const derived = hkdfSync('sha256', getKeyring().current.key, Buffer.alloc(0), 'mailroom session secret', 32);
  return Buffer.from(derived).toString('base64');
}

type SignInRequest = { headers?: Record<string, string | string[] | undefined> };

async function authorizeWithPassword(credentials: Record<string, string> | undefined, request: SignInRequest) {
  const parsed = signInSchema.safeParse(credentials ?? {});
  if (!parsed.success) return null;
  const { email } = parsed.data;
  const address = clientAddress(request.headers ?? {});
  // The route refuses throttled attempts first; this holds for any other way in.
  const waitSeconds = await getRetryAfterSeconds({ subjects: signInSubjects({ email, address }) });
  if (waitSeconds > 0) throw new Error(throttledSignInMessage(waitSeconds));

  const user = await getUserByEmail({ email });
  if (user?.role === 'service' && !user.deactivatedAt) {
    // Counted like a failure, so that this clearer answer cannot be used to sort emails at speed.
    await Promise.all([recordFailedAttempt({ kind: 'account', value: email }), recordFailedAttempt({ kind: 'address', value: address })]);
    throw new Error(SERVICE_ACCOUNT_SIGN_IN);
  }
  const passwordMatches = await verifyPassword(parsed.data.password, user?.passwordHash ?? UNUSABLE_PASSWORD_HASH);
  if (!user || !user.passwordHash || !passwordMatches || user.deactivatedAt) {
    const [accountWait, addressWait] = await Promise.all([
      recordFailedAttempt({ kind: 'account', value: email }),
      recordFailedAttempt({ kind: 'address', value: address }),
    ]);
    const wait = Math.max(accountWait, addressWait);
    if (wait > 0) throw new Error(throttledSignInMessage(wait));
    return null;
  }
  await Promise.all([clearFailedAttempts({ kind: 'account', value: email }), recordSignIn({ userId: user.id })]);
  return { id: user.id, email: user.email, name: user.name };
}

function ssoProvider(): NextAuthOptions['providers'] {
  const env = getEnv();
  if (!env.MAILROOM_OIDC_ISSUER) return [];
  return [
    {
      id: SSO_PROVIDER_ID,
      name: env.MAILROOM_OIDC_NAME,
      type: 'oauth',
      wellKnown: `${env.MAILROOM_OIDC_ISSUER.replace(/\/+$/, '')}/.well-known/openid-configuration`,
      clientId: env.MAILROOM_OIDC_CLIENT_ID,
      clientSecret: env.MAILROOM_OIDC_CLIENT_SECRET,
      authorization: { params: { scope: 'openid email profile' } },
      idToken: true,
      checks: ['pkce', 'state'],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email?.toLowerCase() ?? null, name: profile.name ?? null };
      },
    },
  ];
}

export function getAuthOptions(): NextAuthOptions {
  const env = getEnv();
  // next-auth reads its public URL from the environment itself.
  process.env.NEXTAUTH_URL ??= env.MAILROOM_PUBLIC_URL;
  return {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers: [
      CredentialsProvider({
        id: 'credentials',
        name: 'Email and password',
        credentials: { email: { type: 'email' }, password: { type: 'password' } },
        authorize: authorizeWithPassword,
      }),
      ...ssoProvider(),
    ],
    callbacks: {
      // Single sign-on only signs in people an admin has already added, matched by verified email.
      async signIn({ account, profile }) {
        if (account?.provider !== SSO_PROVIDER_ID) return true;
        const claims = profile as { email?: string; email_verified?: boolean } | undefined;
        if (!claims?.email || claims.email_verified === false) return '/sign-in?error=SsoEmailUnverified';
        const user = await getUserByEmail({ email: claims.email });
        if (!user || user.deactivatedAt) return '/sign-in?error=SsoNotProvisioned';
        if (user.role === 'service') return `/sign-in?error=${SERVICE_ACCOUNT_SIGN_IN}`;
        await recordSignIn({ userId: user.id });
        return true;
      },
      async jwt({ token, user, account }) {
        if (!user) return token;
        const known =
          account?.provider === SSO_PROVIDER_ID
            ? user.email
              ? await getUserByEmail({ email: user.email })
              : null
            : await getUserById({ id: user.id });
        token.userId = known?.id;
        token.sessionEpoch = known?.sessionEpoch;
        return token;
      },
      session({ session, token }) {
        session.userId = token.userId;
        session.sessionEpoch = token.sessionEpoch;
        return session;
      },
      redirect({ url, baseUrl }) {
        return `${baseUrl}${safeCallbackPath(url, baseUrl)}`;
      },
    },
    events: {
      // Signing out ends every session of the user, not only this browser's cookie.
      async signOut({ token }) {
        if (token?.userId) await endSessions({ userId: token.userId });
      },
    },
    logger: {
      error: (code) => logger.error('sign-in error', { code }),
      warn: (code) => logger.warn('sign-in warning', { code }),
      debug: () => {},
    },
  };
}
