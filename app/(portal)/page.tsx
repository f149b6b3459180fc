import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { getTranslations } from 'next-intl/server';
import { AlertList } from '@/app/_components/alert-list';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { Card, EmptyState, PageHeader } from '@/app/_components/ui';
import { findAlerts } from '@/lib/alerts/find-alerts';
import { requireUser } from '@/lib/auth/session';
import { countMailboxes } from '@/lib/mailboxes/mailboxes';
import { countProfiles } from '@/lib/profiles/profiles';
import { getHealthSummary, type HealthFigure } from '@/lib/tokens/health-summary';
import { countUsers } from '@/lib/users/users';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('overview'))('title') };
}

type Translator = Awaited<ReturnType<typeof getTranslations<'overview'>>>;

/** One line of the health summary: its label, and its count linking to the list that shows those rows. */
function HealthLine({ name, label, value, href, tone }: { name: string; label: string; value: number; href: string | null; tone: HealthFigure['tone'] }) {
  const badge = <StatusBadge tone={toneOf(value > 0 ? tone : 'neutral')}>{value}</StatusBadge>;
  return (
    <li className="flex min-w-0 items-center justify-between gap-3 py-2">
      <span className="min-w-0 text-sm text-slate-700">{label}</span>
      {href ? (
        <Link href={href} data-figure={name} className="shrink-0 rounded-full focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600">
          {badge}
        </Link>
      ) : (
        <span className="shrink-0">{badge}</span>
      )}
    </li>
  );
}

function HealthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card title={title}>
      <ul className="-my-2 divide-y divide-slate-100">{children}</ul>
    </Card>
  );
}

function figureLines(t: Translator, figures: HealthFigure[], group: HealthFigure['group']) {
  return figures
    .filter((figure) => figure.group === group)
    .map((figure) => <HealthLine key={figure.key} name={figure.key} label={t(`health.figures.${figure.key}`)} value={figure.value} href={figure.href} tone={figure.tone} />);
}

export default async function OverviewPage() {
  const user = await requireUser();
  if (user.role === 'owner') redirect('/mailboxes');
  const [profiles, mailboxes, people, alerts, health, t] = await Promise.all([
    countProfiles(),
    countMailboxes({ viewer: user }),
    countUsers(),
    findAlerts(),
    getHealthSummary({ viewer: user }),
    getTranslations('overview'),
  ]);
  const totals = [
    { label: t('figures.profiles'), value: profiles, href: '/profiles' },
    { label: t('figures.mailboxes'), value: mailboxes, href: '/mailboxes' },
    { label: t('figures.users'), value: people, href: user.role === 'admin' ? '/users' : undefined },
  ];
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <div id="alerts">
        <AlertList alerts={alerts} />
      </div>
      <div className="mb-6 grid gap-4 sm:grid-cols-3">
        {totals.map((figure) => (
          <Card key={figure.label}>
            <p className="text-sm text-slate-600">{figure.label}</p>
            <p className="mt-1 text-3xl font-semibold">
              {figure.href ? (
                <Link href={figure.href} className="hover:text-indigo-700">
                  {figure.value}
                </Link>
              ) : (
                figure.value
              )}
            </p>
          </Card>
        ))}
      </div>
      {profiles === 0 ? (
        <EmptyState
          title={t('noProfiles.title')}
          action={user.role === 'admin' ? { href: '/profiles/new', label: t('noProfiles.action') } : undefined}
        >
          {t('noProfiles.body')}
          {user.role === 'admin' ? t('noProfiles.forAdmin') : t('noProfiles.forOthers')}
        </EmptyState>
      ) : mailboxes === 0 ? (
        <EmptyState
          title={t('noMailboxes.title')}
          action={user.role === 'admin' ? { href: '/mailboxes/new', label: t('noMailboxes.action') } : undefined}
        >
          {t('noMailboxes.body')}
          {user.role === 'admin' ? null : t('noMailboxes.forOthers')}
        </EmptyState>
      ) : (
        <section aria-labelledby="health-title">
          <h2 id="health-title" className="mb-3 text-base font-semibold">
            {t('health.title')}
          </h2>
          <div className="grid gap-4 lg:grid-cols-3" data-testid="health-summary">
            <HealthCard title={t('health.mailboxes')}>{figureLines(t, health, 'mailboxes')}</HealthCard>
            <HealthCard title={t('health.tokens')}>{figureLines(t, health, 'tokens')}</HealthCard>
            <HealthCard title={t('health.profilesAndAlerts')}>
              {figureLines(t, health, 'profiles')}
              <HealthLine
                name="alerts"
                label={t('health.figures.alerts')}
                value={alerts.length}
                href={alerts.length > 0 ? '#alerts' : null}
                tone={alerts.some((alert) => alert.tone === 'bad') ? 'bad' : 'warn'}
              />
            </HealthCard>
          </div>
        </section>
      )}
    </>
  );
}
