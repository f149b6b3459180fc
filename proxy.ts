import { NextResponse, type NextRequest } from 'next/server';
import { getEnv } from '@/lib/env';

/**
 * Headers a browser enforces, on every answer: pages get a Content-Security-Policy with a fresh
 * nonce that Next.js puts on its own scripts (pages render per request, see app/layout.tsx); API
 * answers get a policy that allows nothing, since they are never meant to render.
 */
function pagePolicy(nonce: string, https: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'nonce-${nonce}'`,
    // Progress bars set a width in a style attribute; attributes cannot run code.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'X-Frame-Options': 'DENY',
};

export function proxy(request: NextRequest) {
  const https = getEnv().MAILROOM_PUBLIC_URL.startsWith('https:');
  const isApi = request.nextUrl.pathname.startsWith('/api/');
  let response: NextResponse;
  let policy: string;
  if (isApi) {
    policy = API_POLICY;
    response = NextResponse.next();
  } else {
    const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
    policy = pagePolicy(nonce, https);
    // Next.js reads the nonce from the request's policy while rendering.
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set('content-security-policy', policy);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  response.headers.set('Content-Security-Policy', policy);
  for (const [name, value] of Object.entries(COMMON_HEADERS)) response.headers.set(name, value);
  if (https) response.headers.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
