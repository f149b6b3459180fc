// The figures at the top of the token status page, on mailboxes seeded in every state.
import { eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles } from '@/db/schema';
import { getTokenOverview } from '@/lib/tokens/overview';
import { seedMailboxes } from '../helpers/seed-mailboxes';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

beforeAll(async () => {
  const { profileIds } = await seedMailboxes({ count: 400 });
  await db.update(serverProfiles).set({ publishingStatus: 'testing' }).where(eq(serverProfiles.id, profileIds[0]!));
  const now = Date.now();
  const grants = {
    // n = 2: connected, on the Google app in Testing: its token expires soon and its consent ends within a day.
    'user000002@example.org': { expiresIn: 5 * MINUTE, consentedAgo: 6.5 * DAY },
    // n = 6: connected, on the same app, neither due.
    'user000006@example.org': { expiresIn: 2 * 60 * MINUTE, consentedAgo: DAY },
    // n = 1: connected, on the other profile, its token already expired.
    'user000001@example.org': { expiresIn: -MINUTE, consentedAgo: 10 * DAY },
    // n = 3: needs reconnect, and n = 4: not connected: their grants count for neither figure.
    'user000003@example.org': { expiresIn: MINUTE, consentedAgo: 10 * DAY },
    'user000004@example.org': { expiresIn: MINUTE, consentedAgo: 10 * DAY },
  };
  const rows = await db
    .select({ id: mailboxes.id, address: mailboxes.address, profileId: mailboxes.profileId })
    .from(mailboxes)
    .where(inArray(mailboxes.address, Object.keys(grants)));
  await db.insert(oauthGrants).values(
    rows.map((mailbox) => {
      const { expiresIn, consentedAgo } = grants[mailbox.address as keyof typeof grants];
      return {
        mailboxId: mailbox.id,
        profileId: mailbox.profileId,
        account: mailbox.address,
        accessTokenExpiresAt: new Date(now + expiresIn),
        consentedAt: new Date(now - consentedAgo),
      };
    }),
  );
});

describe('the token overview', () => {
  it('counts mailboxes by status, connection and approval, and the tokens and consents due', async () => {
    const figures = Object.fromEntries((await getTokenOverview()).map((figure) => [figure.key, figure.value]));
    // Seeded n = 1..400: status by n mod 10 (1-7 active, 8 failing), connection and approval by n mod 4.
    expect(figures).toEqual({
      active: 280,
      failing: 40,
      needs_reconnect: 100,
      not_connected: 100,
      pending: 100,
      expiring: 2,
      consent: 1,
      near_cap: 0,
      secrets: 0,
    });
  });
});
