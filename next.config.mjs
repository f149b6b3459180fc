import createNextIntlPlugin from 'next-intl/plugin';

// Languages without locale prefixes in URLs: lib/i18n/request.ts picks each request's language.
const withNextIntl = createNextIntlPlugin('./lib/i18n/request.ts');

/** What a browser enforces on every answer; pages add their nonce policy in proxy.ts. */
const COMMON_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
  { key: 'X-Frame-Options', value: 'DENY' },
];

/** API answers are never meant to render: a policy that allows nothing. */
const API_HEADERS = [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native, WASM or Node-only packages that must not be bundled into server chunks.
  serverExternalPackages: [
    '@electric-sql/pglite',
    'postgres',
    'pg-boss',
    'imapflow',
    'nodemailer',
  ],
  poweredByHeader: false,
  // The build checks the app's types only; `npm run typecheck` checks everything, tests included.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
  // forbidden() renders app/forbidden.tsx with a 403 for signed-in users lacking a role.
  // The import form sends what the import API takes (a CSV of up to 5 MB, escaped).
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: '6mb' } },
  async headers() {
    return [
      { source: '/:path*', headers: COMMON_HEADERS },
      { source: '/api/:path*', headers: API_HEADERS },
    ];
  },
};

export default withNextIntl(nextConfig);
