import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Mailroom', template: '%s · Mailroom' },
  description: 'Connect your organization’s mailboxes to your business systems.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, so that Next.js can put the request's CSP nonce on its scripts.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">{children}</body>
    </html>
  );
}
