// Issue 19, part 4: a profile shows the mailboxes business systems sent through this week, with their failure rate.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { outboxMessages, type Mailbox, type ServerProfile } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { findProfileSenders } from '@/lib/outbox/profile-senders';
import { createUser } from '@/lib/users/users';
import { insertMailboxRow, insertProfile } from '../helpers/fixtures';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date();
let profile: ServerProfile;
let busy: Mailbox;
let quiet: Mailbox;
let elsewhere: Mailbox;

/** Messages as the outbox leaves them, `ago` ms before now. */
function messages(mailbox: Mailbox, statuses: ('queued' | 'sending' | 'sent' | 'failed')[], ago = 60_000) {
  const createdAt = new Date(now.getTime() - ago);
  return db.insert(outboxMessages).values(
    statuses.map((status) => ({
      mailboxId: mailbox.id,
      requestHash: randomUUID(),
      status,
      recipients: ['someone@example.org'],
      subject: 'Invoice',
      messageIdHeader: `<${randomUUID()}@example.org>`,
      expiresAt: new Date(createdAt.getTime() + DAY),
      createdAt,
    })),
  );
}

describe('a profile’s senders', () => {
  beforeAll(async () => {
    const owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `senders-${randomUUID()}@example.org`, role: 'owner' } });
    profile = await insertProfile();
    const other = await insertProfile();
    [busy, quiet, elsewhere] = await Promise.all([
      insertMailboxRow(owner, profile, { address: `busy-${randomUUID()}@example.org` }),
      insertMailboxRow(owner, profile, { address: `quiet-${randomUUID()}@example.org` }),
      insertMailboxRow(owner, other, { address: `elsewhere-${randomUUID()}@example.org` }),
    ]);
    await messages(busy, ['sent', 'sent', 'sent', 'failed', 'queued']);
    // Older than the week: not counted.
    await messages(busy, ['failed', 'failed'], 8 * DAY);
    await messages(quiet, ['sending']);
    await messages(elsewhere, ['failed']);
  });

  it('lists the mailboxes that sent this week, the busiest first, with sent, failed, waiting and the failure rate of those that ended', async () => {
    expect(await findProfileSenders({ profileId: profile.id, now })).toEqual([
      { mailboxId: busy.id, address: busy.address, sent: 3, failed: 1, waiting: 1, failureRate: 0.25 },
      { mailboxId: quiet.id, address: quiet.address, sent: 0, failed: 0, waiting: 1, failureRate: null },
    ]);
  });
});
