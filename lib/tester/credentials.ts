import { phrase } from '@/lib/i18n/text';
import type { SubmissionSignIn } from '@/lib/mail/submission-transport';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import type { TestContext } from './open-server';
import { runStep, type StepOptions } from './run-step';

export type SignIn = SubmissionSignIn;

/** The access token from the token service, and the account it is for, as a step of its own. */
export async function obtainAccessToken(protocol: StepOptions['protocol'], context: TestContext): Promise<{ accessToken: string; account: string }> {
  const { credentials } = context;
  if (credentials.kind === 'password') throw new Error('A password profile has no access token');
  const token = await runStep(
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
      return { value: token, detail: phrase('tester.details.tokenRefreshed', { account: token.account, minutes }) };
    },
  );
  context.freshToken = true;
  return { accessToken: token.accessToken, account: token.account };
}

/** The access token (fresh from the token service) or the stored password, as a step of its own for OAuth. */
export async function obtainSignIn(protocol: StepOptions['protocol'], context: TestContext): Promise<SignIn> {
  const { credentials } = context;
  if (credentials.kind === 'password') return { user: credentials.user, pass: credentials.password };
  const { accessToken } = await obtainAccessToken(protocol, context);
  return { user: credentials.user, accessToken };
}

/** The XOAUTH2 initial response (RFC-less, Google's and Microsoft's format). */
export function xoauth2Response(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`).toString('base64');
}
