import type { Metadata } from 'next';
import Link from 'next/link';
import { AlertList } from '@/app/_components/alert-list';
import { FilterForm, type FilterSelect } from '@/app/_components/filter-form';
import { Time } from '@/app/_components/time';
import { Badge, buttonClass, Card, EmptyState, PageHeader, Table } from '@/app/_components/ui';
import { findAlerts } from '@/lib/alerts/find-alerts';
import { tokenStatusFilters } from '@/lib/api/endpoints/token-status';
import { requireRole } from '@/lib/auth/session';
import { listProfileChoices } from '@/lib/mailboxes/mailboxes';
import { findTokenStatuses } from '@/lib/tokens/find-token-statuses';
import { getTokenOverview } from '@/lib/tokens/overview';
import { TOKEN_STATE_LABELS, TOKEN_STATE_TONES, TOKEN_STATES } from '@/lib/tokens/token-status';
import { ageOf } from './format';
import { TestVerdict } from './test-verdict';

export const metadata: Metadata = { title: 'Token status' };

const PAGE_SIZE = 50;

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
  const [figures, alerts, profiles, page] = await Promise.all([
    getTokenOverview(),
    findAlerts(),
    listProfileChoices(),
    findTokenStatuses({ viewer, filters, sort, limit: PAGE_SIZE, cursor }),
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
      <div className="mb-6 grid gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="overview">
        {figures.map((figure) => (
          <Card key={figure.key} className="!p-4">
            <Link href={figure.href} className="block" data-figure={figure.key}>
              <span className="text-xs text-slate-600">{figure.label}</span>
              <span className="mt-1 block text-2xl font-semibold">
                <Badge tone={figure.value ? figure.tone : 'neutral'}>{figure.value}</Badge>
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
        <Table headers={['Mailbox', 'Profile', 'Token', 'Scopes', 'Access token expires', 'Last refresh', 'Refresh token age', 'Consent', 'Last test', 'Last error']}>
          {page.rows.map((row) => (
            <tr key={row.mailboxId} data-mailbox={row.address} className="align-top">
              <td className="px-4 py-3">
                <Link href={`/mailboxes/${row.mailboxId}/timeline`} className="font-medium text-indigo-700 hover:underline">
                  {row.address}
                </Link>
                <p className="text-xs text-slate-500">{row.ownerEmail}</p>
              </td>
              <td className="px-4 py-3">{row.profileName}</td>
              <td className="px-4 py-3">
                <span data-testid="token-state">
                  <Badge tone={TOKEN_STATE_TONES[row.state]}>{TOKEN_STATE_LABELS[row.state]}</Badge>
                </span>
                {row.account ? <p className="mt-1 text-xs text-slate-500">{row.account}</p> : null}
              </td>
              <td className="px-4 py-3 text-xs">
                {row.scopes.length ? row.scopes.join(' ') : '—'}
                {row.missingScopes.length ? <p className="mt-1 text-red-700">Missing: {row.missingScopes.join(' ')}</p> : null}
              </td>
              <td className="whitespace-nowrap px-4 py-3"><Time value={row.accessTokenExpiresAt} /></td>
              <td className="whitespace-nowrap px-4 py-3"><Time value={row.lastRefreshAt} /></td>
              <td className="whitespace-nowrap px-4 py-3">{ageOf(row.refreshTokenObtainedAt)}</td>
              <td className="whitespace-nowrap px-4 py-3">
                <Time value={row.consentedAt} />
                {row.consentExpiresAt ? <p className="text-xs text-amber-800">ends <Time value={row.consentExpiresAt} /></p> : null}
              </td>
              <td className="whitespace-nowrap px-4 py-3"><TestVerdict test={row.lastTest} /></td>
              <td className="px-4 py-3 text-xs">
                {row.lastError ? (
                  <>
                    <p className="font-medium text-red-800">{row.lastError.message}</p>
                    <p className="mt-1 text-slate-600" data-testid="hint">
                      {row.lastError.hint}
                    </p>
                  </>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </Table>
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
