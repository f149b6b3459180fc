import { db } from '@/db';
import { mailboxes, serverProfiles, type Mailbox, type ServerProfile, type UserRole } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { createApiKey } from '@/lib/auth/api-keys';
import { createUser } from '@/lib/users/users';

/** A profile row as an admin would have saved it; tests override what they are about. */
export async function insertProfile(overrides: Partial<typeof serverProfiles.$inferInsert> = {}): Promise<ServerProfile> {
  const [profile] = await db
    .insert(serverProfiles)
    .values({
      name: `Profile ${Math.random().toString(36).slice(2, 8)}`,
      serverType: 'gmail',
      authType: 'oauth2_code',
      clientId: 'client-id.apps.googleusercontent.com',
      scopes: ['https://mail.google.com/', 'openid', 'email'],
      incomingHost: 'imap.gmail.com',
      incomingPort: 993,
      incomingSecurity: 'tls',
      outgoingHost: 'smtp.gmail.com',
      outgoingPort: 465,
      outgoingSecurity: 'tls',
      ...overrides,
    })
    .returning();
  return profile!;
}

export async function userWithKey(email: string, role: UserRole) {
  const user = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email, role } });
  const { key } = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: user.id });
  return { user, key };
}

/**
 * A connected, approved, active mailbox row written as it stands, for tests about reading states;
 * it skips the profile's mailbox count, which a test about caps or mass failures sets itself.
 */
export async function insertMailboxRow(
  owner: { id: string },
  profile: { id: string },
  values: Partial<typeof mailboxes.$inferInsert> = {},
): Promise<Mailbox> {
  const [mailbox] = await db
    .insert(mailboxes)
    .values({
      address: `box-${Math.random().toString(36).slice(2, 10)}@example.org`,
      ownerId: owner.id,
      profileId: profile.id,
      approval: 'approved',
      connection: 'connected',
      status: 'active',
      ...values,
    })
    .returning();
  return mailbox!;
}
