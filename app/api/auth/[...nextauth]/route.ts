import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { getAuthOptions } from '@/lib/auth/options';
import { refuseThrottledSignIn } from '@/lib/auth/sign-in-throttle';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request, not at import, so that `next build` reads no key or database.
async function handler(request: NextRequest, context: Context) {
  return (await refuseThrottledSignIn(request)) ?? NextAuth(request, context, getAuthOptions());
}

export { handler as GET, handler as POST };
