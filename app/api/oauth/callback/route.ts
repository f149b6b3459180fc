import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { getCurrentUser } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { endSignedOutCallback } from '@/lib/connect/end-signed-out-callback';

const callbackQuery = z.object({
  state: z.string().max(500).optional(),
  code: z.string().max(4000).optional(),
  /** RFC 9207: the issuer that answered, checked against the profile's. */
  iss: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

/** Where the provider sends the owner's browser back; it always ends on a page that tells the outcome. */
export async function GET(request: NextRequest) {
  const user = await getCurrentUser();
  const here = request.nextUrl;
  // Behind a proxy the request's own host may be an internal one: answer with the public address.
  const portal = getEnv().MAILROOM_PUBLIC_URL;
  const query = callbackQuery.safeParse(Object.fromEntries(here.searchParams));
  if (!user) {
    // The code and state stop here: the sign-in URL carries only where to go next.
    const { returnTo } = await endSignedOutCallback({ state: query.success ? query.data.state : undefined });
    const signIn = new URL('/sign-in', portal);
    signIn.searchParams.set('callbackUrl', returnTo);
    return NextResponse.redirect(signIn);
  }
  const result = await completeAuthorization({ userId: user.id, query: query.success ? query.data : {} });
  const target = new URL(result.mailboxId ? `/mailboxes/${result.mailboxId}` : '/mailboxes', portal);
  target.searchParams.set('connect', result.authorizationId ?? result.outcome.code);
  return NextResponse.redirect(target);
}
