import 'server-only';
import { and, asc, count, eq, gt } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, serverProfiles, users, type User } from '@/db/schema';

/** Owners reach only their own mailboxes; admins and support reach all. */
export function mailboxScope(viewer: Pick<User, 'id' | 'role'>) {
  return viewer.role === 'owner' ? eq(mailboxes.ownerId, viewer.id) : undefined;
}

export async function countMailboxes({ viewer }: { viewer: Pick<User, 'id' | 'role'> }): Promise<number> {
  const [row] = await db.select({ value: count() }).from(mailboxes).where(mailboxScope(viewer));
  return row?.value ?? 0;
}

/** Mailboxes in address order; the cursor is the last address of the previous page. */
export async function findMailboxes({
  viewer,
  limit,
  cursor,
}: {
  viewer: Pick<User, 'id' | 'role'>;
  limit: number;
  cursor?: string;
}) {
  const rows = await db
    .select({
      id: mailboxes.id,
      address: mailboxes.address,
      ownerEmail: users.email,
      profileName: serverProfiles.name,
      approval: mailboxes.approval,
      connection: mailboxes.connection,
      status: mailboxes.status,
    })
    .from(mailboxes)
    .innerJoin(users, eq(users.id, mailboxes.ownerId))
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .where(and(mailboxScope(viewer), cursor ? gt(mailboxes.address, cursor) : undefined))
    .orderBy(asc(mailboxes.address))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { mailboxes: page, nextCursor: rows.length > limit ? (page.at(-1)?.address ?? null) : null };
}
