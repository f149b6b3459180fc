import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { getTranslations } from 'next-intl/server';
import { countUsers } from '@/lib/users/users';
import { SetupForm } from './setup-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('setup'))('metaTitle') };
}

export default async function SetupPage() {
  await connection(); // read per request, never prerendered at build time
  if ((await countUsers()) > 0) redirect('/sign-in');
  const t = await getTranslations('setup');
  return (
    <>
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <p className="mt-2 text-sm text-slate-600">
        {t('intro')}
      </p>
      <SetupForm />
    </>
  );
}
