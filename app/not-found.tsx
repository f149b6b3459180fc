import Link from 'next/link';
import { getTranslations } from 'next-intl/server';

export default async function NotFound() {
  const t = await getTranslations('errors');
  return (
    <main className="mx-auto max-w-xl px-6 py-24 text-center">
      <p className="text-sm font-semibold text-indigo-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold">{t('notFound.title')}</h1>
      <p className="mt-2 text-sm text-slate-600">{t('notFound.body')}</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-700 hover:underline">
        {t('back')}
      </Link>
    </main>
  );
}
