import type { Metadata } from 'next';
import { getFormatter, getTranslations } from 'next-intl/server';
import { Card, PageHeader } from '@/app/_components/ui';
import { findApiKeys } from '@/lib/auth/api-keys';
import { requireUser } from '@/lib/auth/session';
import { listTimeZones } from '@/lib/i18n/time-zones';
import { ChangePasswordForm, CreateOwnApiKeyForm, PreferencesForm } from './account-forms';
import { ApiKeyTable } from './api-key-table';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('account'))('title') };
}

export default async function AccountPage() {
  const viewer = await requireUser();
  const [{ keys }, t, tCommon, format] = await Promise.all([
    findApiKeys({ userId: viewer.id, limit: 200 }),
    getTranslations('account'),
    getTranslations('common'),
    getFormatter(),
  ]);
  return (
    <>
      <PageHeader title={t('title')} description={t('description', { email: viewer.email, role: tCommon(`roles.${viewer.role}`) })} />
      <h2 className="mb-3 text-lg font-semibold">{t('preferences.title')}</h2>
      <div className="mb-8 max-w-md">
        <Card>
          <PreferencesForm
            locale={viewer.locale ?? ''}
            timeZone={viewer.timeZone ?? ''}
            timeZones={listTimeZones()}
            example={format.dateTime(new Date(), 'dateTime')}
          />
        </Card>
      </div>
      <h2 className="mb-3 text-lg font-semibold">{t('apiKeys.title')}</h2>
      <p className="mb-4 max-w-3xl text-sm text-slate-600">{t('apiKeys.intro')}</p>
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <ApiKeyTable keys={keys} showUser={false} />
        <Card title={t('apiKeys.newKey')}>
          <CreateOwnApiKeyForm />
        </Card>
      </div>
      <h2 className="mb-3 mt-8 text-lg font-semibold">{t('password.title')}</h2>
      <div className="max-w-md">
        {viewer.passwordHash ? (
          <Card title={t('password.change')}>
            <ChangePasswordForm />
          </Card>
        ) : (
          <p className="text-sm text-slate-600">{t('password.sso')}</p>
        )}
      </div>
    </>
  );
}
