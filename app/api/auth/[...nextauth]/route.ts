import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { getAuthOptions } from '@/lib/auth/options';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request, not at import, so that `next build` reads no key or database.
function handler(request: NextRequest, context: Context) {
  return NextAuth(request, context, getAuthOptions());
}

export { handler as GET, handler as POST };
