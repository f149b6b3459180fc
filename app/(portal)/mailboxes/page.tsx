import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { ProblemAlert } from '@/app/_components/action-message';
import { FilterForm, type FilterSelect } from '@/app/_components/filter-form';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { translatedNextStep } from '@/app/_components/status-labels';
import { buttonClass, EmptyState, PageHeader } from '@/app/_components/ui';
import { requireUser } from '@/lib/auth/session';
import { renderProblem } from '@/lib/errors';
import { findMailboxes, listProfileChoices, profileOf } from '@/lib/mailboxes/mailboxes';
import { getConnectOutcome } from '@/lib/connect/get-connect-outcome';
import { connectionShown } from '@/lib/mailboxes/status';
import { mailboxFilters } from '@/lib/validations/mailboxes';
import { MailboxSelection } from './mailbox-selection';
import { profileChoiceLabel } from './profile-choice';
import { pageCursor } from '@/lib/validations/common';

export async function generateMetadata() {
  return { title: (await getTranslations('mailboxes'))('title') };
}

type SearchParams = Record<string, string | undefined>;

type MailboxesTranslator = Awaited<ReturnType<typeof getTranslations<'mailboxes'>>>;

/** The approval, connection and status filters, each value by its label in the viewer's language. */
function mailboxSelects(t: MailboxesTranslator): FilterSelect[] {
  return [
    { name: 'approval', label: t('filters.approval'), options: (['pending', 'approved', 'rejected'] as const).map((value) => [value, t(`values.approval.${value}`)] as const) },
    {
      name: 'connection',
      label: t('filters.connection'),
      options: (['not_connected', 'connected', 'needs_reconnect'] as const).map((value) => [value, t(`values.connection.${value}`)] as const),
    },
    { name: 'status', label: t('filters.status'), options: (['inactive', 'active', 'failing', 'disabled'] as const).map((value) => [value, t(`values.status.${value}`)] as const) },
  ];
}

export default async function MailboxesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const viewer = await requireUser();
  const params = await searchParams;
  const parsed = mailboxFilters.safeParse(params);
  const filters = parsed.success ? parsed.data : {};
  const [{ mailboxes, nextCursor }, profiles, connectOutcome] = await Promise.all([
    findMailboxes({ viewer, filters, limit: 50, cursor: pageCursor(params.after) }),
    viewer.role === 'owner' ? Promise.resolve([]) : listProfileChoices(),
    params.connect ? getConnectOutcome({ mailboxId: null, reference: params.connect }) : null,
  ]);
  const isOwner = viewer.role === 'owner';
  const filtered = Object.values(filters).some(Boolean);
  const nextPage = new URLSearchParams({ ...(parsed.success ? Object.fromEntries(Object.entries(filters).filter(([, value]) => value)) : {}), after: nextCursor ?? '' });

  const [locale, tm] = await Promise.all([getLocale(), getTranslations('mailboxes')]);
  const rows = mailboxes.map((mailbox) => ({
    id: mailbox.id,
    address: mailbox.address,
    ownerEmail: mailbox.ownerEmail,
    profileName: mailbox.profileName,
    approval: mailbox.approval,
    connection: connectionShown(mailbox, mailbox.grantProblem),
    status: mailbox.status,
    nextStep: translatedNextStep(locale, mailbox, profileOf(mailbox)),
  }));

  return (
    <>
      <PageHeader
        title={isOwner ? tm('ownerTitle') : tm('title')}
        description={
isOwner ? tm('ownerDescription') : tm('description')
        }
        actions={
          viewer.role === 'admin' ? (
            <>
              <Link href="/mailboxes/import" className={buttonClass('secondary')}>
                {tm('importCsv')}
              </Link>
              <Link href="/mailboxes/new" className={buttonClass('primary')}>
                {tm('add')}
              </Link>
            </>
          ) : undefined
        }
      />
      {connectOutcome ? (
        <div className="mb-4">
          <ProblemAlert problem={renderProblem(connectOutcome, await getLocale())} />
        </div>
      ) : null}
      {isOwner ? null : (
        <FilterForm
          action="/mailboxes"
          values={params}
          profiles={profiles.map((profile) => ({ id: profile.id, name: profile.name }))}
          selects={mailboxSelects(tm)}
        />
      )}
      {mailboxes.length === 0 ? (
        <EmptyState
          title={filtered ? tm('empty.noMatch') : isOwner ? tm('empty.ownerNone') : tm('empty.none')}
          action={
            filtered
              ? { href: '/mailboxes', label: tm('empty.clearFilters') }
              : viewer.role === 'admin'
                ? { href: '/mailboxes/new', label: tm('empty.add') }
                : undefined
          }
        >
          {filtered
            ? tm('empty.noMatchHint')
            : isOwner
              ? tm('empty.ownerNoneHint')
              : viewer.role === 'admin'
                ? tm('empty.noneHint')
                : tm('empty.supportNoneHint')}
        </EmptyState>
      ) : isOwner ? (
        <ul className="space-y-3">
          {rows.map((row) => (
            <li key={row.id}>
              <Link
                href={`/mailboxes/${row.id}`}
                className="flex flex-wrap items-center justify-between gap-2 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm hover:border-indigo-300 md:px-5 md:py-4"
              >
                <span className="min-w-0 truncate font-medium" title={row.address}>
                  {row.address}
                </span>
                <StatusBadge tone={toneOf(row.nextStep.tone)}>{row.nextStep.label}</StatusBadge>
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <MailboxSelection
          rows={rows}
          canManage={viewer.role === 'admin'}
          profiles={profiles.map((profile) => ({
            id: profile.id,
            label: profileChoiceLabel(tm, profile),
          }))}
        />
      )}
      {nextCursor ? (
        <Link href={`/mailboxes?${nextPage.toString()}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
          {tm('nextPage')}
        </Link>
      ) : null}
    </>
  );
}
