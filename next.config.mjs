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
  experimental: { authInterrupts: true },
};

export default nextConfig;
