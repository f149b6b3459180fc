import 'server-only';
import { lte } from 'drizzle-orm';
import { serverProfiles } from '@/db/schema';
import { nearCapCondition } from '@/lib/profiles/profile-capacity';
import { phrase, type Phrase } from '@/lib/i18n/text';
import { countDueMailboxes } from './find-token-statuses';
import { countMailboxStates, countProfilesWhere } from './health-summary';

const CLIENT_SECRET_WARNING_MS = 30 * 24 * 60 * 60 * 1000;

export type OverviewFigure = { key: string; label: Phrase; value: number; href: string; tone: 'neutral' | 'good' | 'bad' | 'warn' };

/** The figures at the top of the token status page, each linking to the list filtered the same way. */
export async function getTokenOverview({ now = new Date() }: { now?: Date } = {}): Promise<OverviewFigure[]> {
  const [{ active, failing, needsReconnect, notConnected, pending }, expiring, consentEnding, nearCap, secretsExpiring] = await Promise.all([
    countMailboxStates(null),
    countDueMailboxes({ due: 'token', now }),
    countDueMailboxes({ due: 'consent', now }),
    countProfilesWhere(nearCapCondition),
    countProfilesWhere(lte(serverProfiles.clientSecretExpiresAt, new Date(now.getTime() + CLIENT_SECRET_WARNING_MS))),
  ]);
  const list = '/token-status';
  return [
    { key: 'active', label: phrase('tokenStatus.figures.active'), value: active, href: `${list}?status=active`, tone: 'good' },
    { key: 'failing', label: phrase('tokenStatus.figures.failing'), value: failing, href: `${list}?status=failing`, tone: failing ? 'bad' : 'neutral' },
    { key: 'needs_reconnect', label: phrase('tokenStatus.figures.needs_reconnect'), value: needsReconnect, href: `${list}?connection=needs_reconnect`, tone: needsReconnect ? 'bad' : 'neutral' },
    { key: 'not_connected', label: phrase('tokenStatus.figures.not_connected'), value: notConnected, href: `${list}?connection=not_connected`, tone: 'neutral' },
    { key: 'pending', label: phrase('tokenStatus.figures.pending'), value: pending, href: `${list}?approval=pending`, tone: pending ? 'warn' : 'neutral' },
    { key: 'expiring', label: phrase('tokenStatus.figures.expiring'), value: expiring, href: `${list}?due=token`, tone: expiring ? 'warn' : 'neutral' },
    { key: 'consent', label: phrase('tokenStatus.figures.consent'), value: consentEnding, href: `${list}?due=consent`, tone: consentEnding ? 'warn' : 'neutral' },
    { key: 'near_cap', label: phrase('tokenStatus.figures.near_cap'), value: nearCap, href: '/profiles?capacity=near', tone: nearCap ? 'warn' : 'neutral' },
    { key: 'secrets', label: phrase('tokenStatus.figures.secrets'), value: secretsExpiring, href: '/profiles', tone: secretsExpiring ? 'warn' : 'neutral' },
  ];
}
