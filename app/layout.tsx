import type { Metadata } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { BrowserTimeZone } from './_components/browser-time-zone';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('common');
  return { title: { default: t('appName'), template: `%s · ${t('appName')}` }, description: t('appDescription') };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, so that Next.js can put the request's CSP nonce on its scripts.
  await connection();
  return (
    <html lang={await getLocale()}>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <NextIntlClientProvider>
          <BrowserTimeZone />
          {children}
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
