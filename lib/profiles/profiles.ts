import 'server-only';
import { asc, count, gt } from 'drizzle-orm';
import { db } from '@/db';
import { serverProfiles } from '@/db/schema';

export async function countProfiles(): Promise<number> {
  const [row] = await db.select({ value: count() }).from(serverProfiles);
  return row?.value ?? 0;
}

/** Profiles in name order; the cursor is the last name of the previous page. */
export async function findProfiles({ limit, cursor }: { limit: number; cursor?: string }) {
  const rows = await db
    .select({
      id: serverProfiles.id,
      name: serverProfiles.name,
      serverType: serverProfiles.serverType,
      authType: serverProfiles.authType,
      isDefault: serverProfiles.isDefault,
      mailboxCount: serverProfiles.mailboxCount,
      mailboxCap: serverProfiles.mailboxCap,
    })
    .from(serverProfiles)
    .where(cursor ? gt(serverProfiles.name, cursor) : undefined)
    .orderBy(asc(serverProfiles.name))
    .limit(limit + 1);
  const profiles = rows.slice(0, limit);
  return { profiles, nextCursor: rows.length > limit ? (profiles.at(-1)?.name ?? null) : null };
}
