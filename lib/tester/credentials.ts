import { phrase } from '@/lib/i18n/text';
import type { SubmissionSignIn } from '@/lib/mail/submission-transport';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import type { Protocol, TestContext } from './open-server';
import { runStep } from './run-step';

export type SignIn = SubmissionSignIn;

/** The access token (fresh from the token service) or the stored password, as a step of its own for OAuth. */
export async function obtainSignIn(protocol: Protocol, context: TestContext): Promise<SignIn> {
  const { credentials } = context;
  if (credentials.kind === 'password') return { user: credentials.user, pass: credentials.password };
  const accessToken = await runStep(
    {
      name: 'accessToken',
      stage: 'token',
      protocol,
      context,
      evidence: (error) =>
        error instanceof OAuthFailure ? { oauth: { reach: error.reach, code: error.code, message: error.message, hint: error.hint } } : {},
    },
    async () => {
      const token = await credentials.getAccessToken();
      context.secrets.add(token.accessToken);
      const minutes = Math.max(0, Math.round((token.expiresAt.getTime() - Date.now()) / 60_000));
      return { value: token.accessToken, detail: phrase('tester.details.tokenRefreshed', { account: token.account, minutes }) };
    },
  );
  context.freshToken = true;
  return { user: credentials.user, accessToken };
}

/** The XOAUTH2 initial response (RFC-less, Google's and Microsoft's format). */
export function xoauth2Response(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`).toString('base64');
}
