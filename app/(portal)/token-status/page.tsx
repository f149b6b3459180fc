import type { Metadata } from 'next';
import { cookies } from 'next/headers';
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
import { listProfileChoices } from '@/lib/mailboxes/mailboxes';
import { findTokenStatuses } from '@/lib/tokens/find-token-statuses';
import { getTokenOverview } from '@/lib/tokens/overview';
import { TOKEN_STATE_LABELS, TOKEN_STATE_TONES, TOKEN_STATES } from '@/lib/tokens/token-status';
import { ageOf, testOutcome } from './format';

export const metadata: Metadata = { title: 'Token status' };

const PAGE_SIZE = 50;

/** Every column after the mailbox and its token state, in table order; people choose which they see. */
const CHOOSABLE_COLUMNS = [
  { key: 'profile', label: 'Profile' },
  { key: 'scopes', label: 'Scopes' },
  { key: 'expires', label: 'Access token expires' },
  { key: 'last_refresh', label: 'Last refresh' },
  { key: 'refresh_age', label: 'Refresh token age' },
  { key: 'consent', label: 'Consent' },
  { key: 'last_test', label: 'Last test' },
  { key: 'last_error', label: 'Last error' },
];
const SHOWN_BY_DEFAULT = ['expires', 'last_test', 'last_error'];
const COLUMNS_COOKIE = 'token-status-columns';

/** The columns a person chose (a cookie they wrote, so only known names are kept), or the default ones. */
function shownColumns(cookie: string | undefined): string[] {
  if (!cookie) return SHOWN_BY_DEFAULT;
  return cookie.split('.').filter((key) => CHOOSABLE_COLUMNS.some((column) => column.key === key));
}

const SELECTS: readonly FilterSelect[] = [
  { name: 'state', label: 'Token', options: TOKEN_STATES.map((state) => [state, TOKEN_STATE_LABELS[state]] as const) },
  { name: 'status', label: 'Status', options: (['inactive', 'active', 'failing', 'disabled'] as const).map((value) => [value, value] as const) },
  {
    name: 'connection',
    label: 'Connection',
    options: [
      ['not_connected', 'not connected'],
      ['connected', 'connected'],
      ['needs_reconnect', 'needs reconnect'],
    ] as const,
  },
  { name: 'approval', label: 'Approval', options: (['pending', 'approved', 'rejected'] as const).map((value) => [value, value] as const) },
  {
    name: 'due',
    label: 'Attention',
    options: [
      ['token', 'token expiring soon'],
      ['consent', 'consent ending soon'],
      ['failing_day', 'failing for a day'],
      ['microsoft_stale', 'Microsoft token not renewed for 60 days'],
    ] as const,
  },
  {
    name: 'sort',
    label: 'Sort by',
    optional: false,
    options: [
      ['address', 'address'],
      ['expiry', 'access token expiry'],
      ['last_refresh', 'last refresh (oldest first)'],
      ['refresh_age', 'refresh token age (oldest first)'],
      ['consent', 'consent date (oldest first)'],
      ['failing_since', 'failing since (longest first)'],
    ] as const,
  },
];

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
  const [figures, alerts, profiles, page, cookieStore] = await Promise.all([
    getTokenOverview(),
    findAlerts(),
    listProfileChoices(),
    findTokenStatuses({ viewer, filters, sort, limit: PAGE_SIZE, cursor }),
    cookies(),
  ]);
  const query = new URLSearchParams(Object.entries({ ...filters, sort }).flatMap(([key, value]) => (value ? [[key, String(value)]] : [])));
  return (
    <>
      <PageHeader
        title="Token status"
        description="Every mailbox’s tokens and connection health: why a connection fails and what fixes it. Tokens themselves are never shown."
        actions={
          <a href={`/api/token-status/export?${query}`} className={buttonClass('secondary')} download>
            Export CSV
          </a>
        }
      />
      <AlertList alerts={alerts} />
      <div className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="overview">
        {figures.map((figure) => (
          <Card key={figure.key} className="!p-4">
            <Link href={figure.href} className="block" data-figure={figure.key}>
              <span className="text-xs text-slate-600">{figure.label}</span>
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
        selects={SELECTS}
      />
      {page.rows.length === 0 ? (
        <EmptyState title="No mailbox matches">Change the filters, or add mailboxes on the Mailboxes page.</EmptyState>
      ) : (
        <ColumnMenu cookie={COLUMNS_COOKIE} columns={CHOOSABLE_COLUMNS} initiallyShown={shownColumns(cookieStore.get(COLUMNS_COOKIE)?.value)}>
          <Table headers={['Mailbox', 'Token', ...CHOOSABLE_COLUMNS.map(({ key, label }) => ({ label, column: key }))]}>
            {page.rows.map((row) => (
              <tr key={row.mailboxId} data-mailbox={row.address} className="align-top">
                <td data-label="Mailbox" className="px-4 py-3 md:max-w-56">
                  <div className="min-w-0">
                    <Link href={`/mailboxes/${row.mailboxId}/timeline`} title={row.address} className="block truncate font-medium text-indigo-700 hover:underline">
                      {row.address}
                    </Link>
                    <p className="truncate text-xs text-slate-600" title={row.ownerEmail}>
                      {row.ownerEmail}
                    </p>
                  </div>
                </td>
                <td data-label="Token" className="px-4 py-3">
                  <div className="min-w-0">
                    <span data-testid="token-state">
                      <StatusBadge tone={toneOf(TOKEN_STATE_TONES[row.state])}>{TOKEN_STATE_LABELS[row.state]}</StatusBadge>
                    </span>
                    {row.account ? (
                      <p className="mt-1 truncate text-xs text-slate-600" title={row.account}>
                        {row.account}
                      </p>
                    ) : null}
                  </div>
                </td>
                <td data-label="Profile" data-column="profile" className="px-4 py-3">
                  <span className="block truncate md:max-w-40" title={row.profileName}>
                    {row.profileName}
                  </span>
                </td>
                <td data-label="Scopes" data-column="scopes" className="px-4 py-3 text-xs [overflow-wrap:anywhere]">
                  <div className="min-w-0">
                    {row.scopes.length ? row.scopes.join(' ') : '—'}
                    {row.missingScopes.length ? <p className="mt-1 text-red-700">Missing: {row.missingScopes.join(' ')}</p> : null}
                  </div>
                </td>
                <td data-label="Access token expires" data-column="expires" className="px-4 py-3">
                  <Time value={row.accessTokenExpiresAt} />
                </td>
                <td data-label="Last refresh" data-column="last_refresh" className="px-4 py-3">
                  <Time value={row.lastRefreshAt} />
                </td>
                <td data-label="Refresh token age" data-column="refresh_age" className="px-4 py-3">
                  {ageOf(row.refreshTokenObtainedAt)}
                </td>
                <td data-label="Consent" data-column="consent" className="px-4 py-3">
                  <div>
                    <Time value={row.consentedAt} />
                    {row.consentExpiresAt ? <p className="text-xs text-amber-800">ends <Time value={row.consentExpiresAt} /></p> : null}
                  </div>
                </td>
                <td data-label="Last test" data-column="last_test" className="px-4 py-3">
                  <div className="min-w-0">
                    <StatusBadge tone={!row.lastTest || row.lastTest.ok === null ? 'neutral' : row.lastTest.ok ? 'success' : 'failure'}>{testOutcome(row.lastTest)}</StatusBadge>
                    {row.lastTest ? <p className="mt-1 text-xs text-slate-600"><Time value={row.lastTest.at} /></p> : null}
                  </div>
                </td>
                <td data-label="Last error" data-column="last_error" className="px-4 py-3 text-xs md:min-w-48">
                  {row.lastError ? (
                    <div className="min-w-0">
                      <p className="font-medium text-red-800">{row.lastError.message}</p>
                      <p className="mt-1 text-slate-600" data-testid="hint">
                        {row.lastError.hint}
                      </p>
                    </div>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </Table>
        </ColumnMenu>
      )}
      <div className="mt-3 flex gap-4 text-sm">
        {cursor ? (
          <Link href={`/token-status?${query}`} className="text-indigo-700 hover:underline">
            First page
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link href={`/token-status?${query}&cursor=${encodeURIComponent(page.nextCursor)}`} className="text-indigo-700 hover:underline">
            Next page
          </Link>
        ) : null}
      </div>
    </>
  );
}
