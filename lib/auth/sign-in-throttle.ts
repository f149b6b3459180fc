import 'server-only';
import { getEnv } from '@/lib/env';
import { signInSchema } from '@/lib/validations/users';
import { clientAddress } from './client-address';
import { throttledSignInMessage } from './sign-in-messages';
import { getRetryAfterSeconds, throttleSubject } from './throttle';

export function signInSubjects({ email, address }: { email: string; address: string }): string[] {
  return [throttleSubject('account', email), throttleSubject('address', address)];
}

/**
 * Answers a password sign-in 429 while its account or address must wait, before the password is
 * even checked; in the shape next-auth's `signIn()` reads, so the form shows how long to wait.
 */
export async function refuseThrottledSignIn(request: Request): Promise<Response | null> {
  if (request.method !== 'POST' || !new URL(request.url).pathname.endsWith('/callback/credentials')) return null;
  const form = await request.clone().formData().catch(() => null);
  const parsed = signInSchema.shape.email.safeParse(form?.get('email'));
  const address = clientAddress(request.headers);
  const subjects = parsed.success ? signInSubjects({ email: parsed.data, address }) : [throttleSubject('address', address)];
  const retryAfterSeconds = await getRetryAfterSeconds({ subjects });
  if (retryAfterSeconds === 0) return null;
  const message = throttledSignInMessage(retryAfterSeconds);
  const url = `${getEnv().MAILROOM_PUBLIC_URL}/sign-in?${new URLSearchParams({ error: message })}`;
  return Response.json(
    { url, error: { code: 'TOO_MANY_REQUESTS', message } },
    { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
  );
}
