import { beforeAll, describe, expect, it } from 'vitest';
import { findMailboxes } from '@/lib/mailboxes/mailboxes';
import { seedMailboxes } from '../helpers/seed-mailboxes';

const admin = { id: '00000000-0000-4000-8000-000000000000', role: 'admin' } as const;
let profileIds: string[];

beforeAll(async () => {
  ({ profileIds } = await seedMailboxes({ count: 100_000 }));
}, 180_000);

describe('the mailbox list at 100,000 mailboxes', () => {
  it('shows the first page in address order with a cursor to the next', async () => {
    const { mailboxes, nextCursor } = await findMailboxes({ viewer: admin, limit: 50 });
    expect(mailboxes).toHaveLength(50);
    expect(mailboxes[0]!.address).toBe('user000001@example.org');
    expect(mailboxes[49]!.address).toBe('user000050@example.org');
    expect(nextCursor).toBe('user000050@example.org');
    const next = await findMailboxes({ viewer: admin, limit: 50, cursor: nextCursor! });
    expect(next.mailboxes[0]!.address).toBe('user000051@example.org');
  });

  it('filters on the server by profile, status and owner', async () => {
    const { mailboxes } = await findMailboxes({
      viewer: admin,
      limit: 50,
      filters: { profileId: profileIds[0], status: 'failing', q: 'owner0009@' },
    });
    // Owner 9 has mailboxes n ≡ 8 (mod 1000); failing needs n ≡ 8 (mod 10); profile 0 needs n even.
    expect(mailboxes.length).toBe(50);
    for (const mailbox of mailboxes) {
      expect(mailbox).toMatchObject({ profileId: profileIds[0], status: 'failing', ownerEmail: 'owner0009@example.org' });
    }
    expect(mailboxes[0]!.address).toBe('user000008@example.org');
  });
});
