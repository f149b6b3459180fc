import 'server-only';
import { hkdfSync } from 'node:crypto';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getKeyring } from '@/lib/crypto/keys';
import { UNUSABLE_PASSWORD_HASH, verifyPassword } from '@/lib/crypto/passwords';
import { getEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { getUserByEmail, recordSignIn } from '@/lib/users/users';
import { signInSchema } from '@/lib/validations/users';

export const SSO_PROVIDER_ID = 'sso';

declare module 'next-auth' {
  interface Session {
    userId?: string;
  }
}
declare module 'next-auth/jwt' {
  interface JWT {
    userId?: string;
  }
}

/** Derived from the encryption key unless set, so that one key is all an operator must keep. */
function authSecret(): string {
  const configured = getEnv().MAILROOM_AUTH_SECRET;
  if (configured) return configured;
  const derived = hkdfSync('sha256', getKeyring().current.key, Buffer.alloc(0), 'mailroom session secret', 32);
  return Buffer.from(derived).toString('base64');
}

async function authorizeWithPassword(credentials: Record<string, string> | undefined) {
  const parsed = signInSchema.safeParse(credentials ?? {});
  if (!parsed.success) return null;
  const user = await getUserByEmail({ email: parsed.data.email });
  const passwordMatches = await verifyPassword(parsed.data.password, user?.passwordHash ?? UNUSABLE_PASSWORD_HASH);
  if (!user || !user.passwordHash || !passwordMatches || user.deactivatedAt) return null;
  await recordSignIn({ userId: user.id });
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
        await recordSignIn({ userId: user.id });
        return true;
      },
      async jwt({ token, user, account }) {
        if (!user) return token;
        if (account?.provider === SSO_PROVIDER_ID) {
          const known = user.email ? await getUserByEmail({ email: user.email }) : null;
          token.userId = known?.id;
        } else {
          token.userId = user.id;
        }
        return token;
      },
      session({ session, token }) {
        session.userId = token.userId;
        return session;
      },
    },
    logger: {
      error: (code) => logger.error('sign-in error', { code }),
      warn: (code) => logger.warn('sign-in warning', { code }),
      debug: () => {},
    },
  };
}
