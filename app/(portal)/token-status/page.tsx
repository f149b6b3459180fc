import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { getLocale, getTranslations } from 'next-intl/server';
import Link from 'next/link';
import { AlertList } from '@/app/_components/alert-list';
import { ColumnMenu } from '@/app/_components/column-menu';
import { FilterForm, type FilterSelect } from '@/app/_components/filter-form';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { buttonClass, Card, EmptyState, PageHeader, Table } from '@/app/_components/ui';
import { findAlerts } from '@/lib/alerts/find-alerts';
import { tokenStatusFilters } from '@/lib/api/endpoints/token-status';
import { requireRole } from '@/lib/auth/session';
import { renderProblem } from '@/lib/errors';
import { renderText } from '@/lib/i18n/text';
import { listProfileChoices } from '@/lib/mailboxes/mailboxes';
import { findTokenStatuses } from '@/lib/tokens/find-token-statuses';
import { getTokenOverview } from '@/lib/tokens/overview';
import { withLastSystemUse } from '@/lib/tokens/system-use';
import { TOKEN_STATE_TONES, TOKEN_STATES } from '@/lib/tokens/token-status';
import { daysSince, testOutcomeKey } from './format';
import { TokenPurposeText } from './token-purpose';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('tokenStatus'))('title') };
}

const PAGE_SIZE = 50;

type Translator = Awaited<ReturnType<typeof getTranslations<'tokenStatus'>>>;

/** Every column after the mailbox and its token state, in table order; people choose which they see. */
const CHOOSABLE_COLUMNS = ['profile', 'scopes', 'expires', 'last_refresh', 'refresh_age', 'consent', 'last_system_use', 'last_test', 'last_error'] as const;
const SHOWN_BY_DEFAULT = ['expires', 'last_test', 'last_error'];
const COLUMNS_COOKIE = 'token-status-columns';

/** The columns a person chose (a cookie they wrote, so only known names are kept), or the default ones. */
function shownColumns(cookie: string | undefined): string[] {
  if (!cookie) return SHOWN_BY_DEFAULT;
  return cookie.split('.').filter((key) => (CHOOSABLE_COLUMNS as readonly string[]).includes(key));
}

const DUE = ['token', 'consent', 'failing_day', 'microsoft_stale'] as const;
const SORTS = ['address', 'expiry', 'last_refresh', 'refresh_age', 'consent', 'failing_since'] as const;

function filterSelects(t: Translator): FilterSelect[] {
  return [
    { name: 'state', label: t('filters.state'), options: TOKEN_STATES.map((state) => [state, t(`states.${state}`)] as const) },
    {
      name: 'status',
      label: t('filters.status'),
      options: (['inactive', 'active', 'failing', 'disabled'] as const).map((value) => [value, t(`filters.statuses.${value}`)] as const),
    },
    {
      name: 'connection',
      label: t('filters.connection'),
      options: (['not_connected', 'connected', 'needs_reconnect'] as const).map((value) => [value, t(`filters.connections.${value}`)] as const),
    },
    {
      name: 'approval',
      label: t('filters.approval'),
      options: (['pending', 'approved', 'rejected'] as const).map((value) => [value, t(`filters.approvals.${value}`)] as const),
    },
    { name: 'due', label: t('filters.due'), options: DUE.map((value) => [value, t(`filters.dues.${value}`)] as const) },
    { name: 'sort', label: t('filters.sort'), optional: false, options: SORTS.map((value) => [value, t(`filters.sorts.${value}`)] as const) },
  ];
}

type SearchParams = Record<string, string | string[] | undefined>;

function single(params: SearchParams): Record<string, string> {
  return Object.fromEntries(Object.entries(params).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])));
}

export default async function TokenStatusPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const viewer = await requireRole('admin', 'support');
  const raw = single(await searchParams);
  const parsed = tokenStatusFilters.safeParse(raw);
  const { sort, ...filters } = parsed.success ? parsed.data : tokenStatusFilters.parse({});
  const cursor = raw.cursor || undefined;
  const [figures, alerts, profiles, page, cookieStore, t, locale] = await Promise.all([
    getTokenOverview(),
    findAlerts(),
    listProfileChoices(),
    findTokenStatuses({ viewer, filters, sort, limit: PAGE_SIZE, cursor }).then(async (found) => ({ ...found, rows: await withLastSystemUse(found.rows) })),
    cookies(),
    getTranslations('tokenStatus'),
    getLocale(),
  ]);
  const columns = CHOOSABLE_COLUMNS.map((key) => ({ key, label: t(`columns.${key}`) }));
  const refreshAge = (iso: string | null) => {
    const days = daysSince(iso);
    return days === null ? '—' : days === 0 ? t('ageToday') : t('age', { days });
  };
  const query = new URLSearchParams(Object.entries({ ...filters, sort }).flatMap(([key, value]) => (value ? [[key, String(value)]] : [])));
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <a href={`/api/token-status/export?${query}`} className={buttonClass('secondary')} download>
            {t('export')}
          </a>
        }
      />
      <AlertList alerts={alerts} />
      <div className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="overview">
        {figures.map((figure) => (
          <Card key={figure.key} className="!p-4">
            <Link href={figure.href} className="block" data-figure={figure.key}>
              <span className="text-xs text-slate-600">{renderText(figure.label, locale)}</span>
              <span className="mt-1 block text-2xl font-semibold">
                <StatusBadge tone={toneOf(figure.value ? figure.tone : 'neutral')}>{figure.value}</StatusBadge>
              </span>
            </Link>
          </Card>
        ))}
      </div>
      <FilterForm
        action="/token-status"
        values={{ ...(filters as Record<string, string | undefined>), sort }}
        profiles={profiles.map((profile) => ({ id: profile.id, name: profile.name }))}
        selects={filterSelects(t)}
      />
      {page.rows.length === 0 ? (
        Object.values(filters).some(Boolean) ? (
          <EmptyState title={t('empty.title')} action={{ href: '/token-status', label: t('empty.clearFilters') }}>
            {t('empty.body')}
          </EmptyState>
        ) : (
          <EmptyState
            title={t('empty.noneTitle')}
            action={viewer.role === 'admin' ? { href: '/mailboxes/new', label: t('empty.addMailbox') } : undefined}
          >
            {viewer.role === 'admin' ? t('empty.noneAdmin') : t('empty.noneSupport')}
          </EmptyState>
        )
      ) : (
        <ColumnMenu cookie={COLUMNS_COOKIE} columns={columns} initiallyShown={shownColumns(cookieStore.get(COLUMNS_COOKIE)?.value)}>
          <Table headers={[t('columns.mailbox'), t('columns.token'), ...columns.map(({ key, label }) => ({ label, column: key }))]}>
            {page.rows.map((row) => {
              const lastError = row.lastError ? renderProblem(row.lastError, locale) : null;
              return (
              <tr key={row.mailboxId} data-mailbox={row.address} className="align-top">
                <td data-label={t('columns.mailbox')} className="px-4 py-3 md:max-w-56">
                  <div className="min-w-0">
                    <Link href={`/mailboxes/${row.mailboxId}/timeline`} title={row.address} className="block truncate font-medium text-indigo-700 hover:underline">
                      {row.address}
                    </Link>
                    <p className="truncate text-xs text-slate-600" title={row.ownerEmail}>
                      {row.ownerEmail}
                    </p>
                  </div>
                </td>
                <td data-label={t('columns.token')} className="px-4 py-3">
                  <div className="min-w-0">
                    <span data-testid="token-state">
                      <StatusBadge tone={toneOf(TOKEN_STATE_TONES[row.state])}>{t(`states.${row.state}`)}</StatusBadge>
                    </span>
                    {row.account ? (
                      <p className="mt-1 truncate text-xs text-slate-600" title={row.account}>
                        {row.account}
                      </p>
                    ) : null}
                    <p className="mt-1 text-xs text-slate-600" data-testid="token-for">
                      <TokenPurposeText purpose={row} lead />
                    </p>
                  </div>
                </td>
                <td data-label={t('columns.profile')} data-column="profile" className="px-4 py-3">
                  <span className="block truncate md:max-w-40" title={row.profileName}>
                    {row.profileName}
                  </span>
                </td>
                <td data-label={t('columns.scopes')} data-column="scopes" className="px-4 py-3 text-xs [overflow-wrap:anywhere]">
                  <div className="min-w-0">
                    {row.scopes.length ? row.scopes.join(' ') : '—'}
                    {row.missingScopes.length ? <p className="mt-1 text-red-700">{t('missing', { scopes: row.missingScopes.join(' ') })}</p> : null}
                  </div>
                </td>
                <td data-label={t('columns.expires')} data-column="expires" className="px-4 py-3">
                  <Time value={row.accessTokenExpiresAt} />
                </td>
                <td data-label={t('columns.last_refresh')} data-column="last_refresh" className="px-4 py-3">
                  <Time value={row.lastRefreshAt} />
                </td>
                <td data-label={t('columns.refresh_age')} data-column="refresh_age" className="px-4 py-3">
                  {refreshAge(row.refreshTokenObtainedAt)}
                </td>
                <td data-label={t('columns.consent')} data-column="consent" className="px-4 py-3">
                  <div>
                    <Time value={row.consentedAt} />
                    {row.consentExpiresAt ? <p className="text-xs text-amber-800">{t('consentEnds')} <Time value={row.consentExpiresAt} /></p> : null}
                  </div>
                </td>
                <td data-label={t('columns.last_system_use')} data-column="last_system_use" className="px-4 py-3" data-testid="last-system-use">
                  {row.lastSystemUse ? (
                    <div className="min-w-0">
                      <Time value={row.lastSystemUse.at} />
                      <p className="mt-1 truncate text-xs text-slate-600" title={row.lastSystemUse.service ?? undefined}>
                        {row.lastSystemUse.service ?? t('systemUse.removed')}
                      </p>
                    </div>
                  ) : (
                    t('systemUse.never')
                  )}
                </td>
                <td data-label={t('columns.last_test')} data-column="last_test" className="px-4 py-3">
                  <div className="min-w-0">
                    <StatusBadge tone={!row.lastTest || row.lastTest.ok === null ? 'neutral' : row.lastTest.ok ? 'success' : 'failure'}>{t(`test.${testOutcomeKey(row.lastTest)}`)}</StatusBadge>
                    {row.lastTest ? <p className="mt-1 text-xs text-slate-600"><Time value={row.lastTest.at} /></p> : null}
                  </div>
                </td>
                <td data-label={t('columns.last_error')} data-column="last_error" className="px-4 py-3 text-xs md:min-w-48">
                  {lastError ? (
                    <div className="min-w-0">
                      <p className="font-medium text-red-800">{lastError.message}</p>
                      <p className="mt-1 text-slate-600" data-testid="hint">
                        {lastError.hint}
                      </p>
                    </div>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
              );
            })}
          </Table>
        </ColumnMenu>
      )}
      <div className="mt-3 flex gap-4 text-sm">
        {cursor ? (
          <Link href={`/token-status?${query}`} className="text-indigo-700 hover:underline">
            {t('firstPage')}
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link href={`/token-status?${query}&cursor=${encodeURIComponent(page.nextCursor)}`} className="text-indigo-700 hover:underline">
            {t('nextPage')}
          </Link>
        ) : null}
      </div>
    </>
  );
}
