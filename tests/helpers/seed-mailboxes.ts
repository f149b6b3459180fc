import { sql } from 'drizzle-orm';
import { db } from '@/db';
import { insertProfile } from './fixtures';

/**
 * The address of the nth seeded mailbox: six digits, then as many as n needs, so that addresses stay
 * distinct at a million mailboxes and beyond.
 */
export function seededAddress(n: number): string {
  return `user${String(n).padStart(6, '0')}@example.org`;
}

/**
 * Seeds `count` mailboxes spread over 1,000 owners and two profiles, with every approval,
 * connection and status represented, in a few set-based statements (a million takes seconds on
 * PostgreSQL).
 */
export async function seedMailboxes({ count }: { count: number }): Promise<{ profileIds: string[] }> {
  const profiles = [await insertProfile({ name: 'Seed Gmail' }), await insertProfile({ name: 'Seed Custom', serverType: 'custom', authType: 'password' })];
  await db.execute(sql`
    insert into users (email, role)
    select 'owner' || lpad(n::text, 4, '0') || '@example.org', 'owner'
    from generate_series(1, 1000) as n`);
  // The owners in an array read once, rather than one lookup per mailbox.
  await db.execute(sql`
    insert into mailboxes (address, owner_id, profile_id, approval, connection, status)
    select
      'user' || lpad(n::text, greatest(6, length(n::text)), '0') || '@example.org',
      owners.ids[n % 1000 + 1],
      case when n % 2 = 0 then ${profiles[0]!.id}::uuid else ${profiles[1]!.id}::uuid end,
      (array['pending', 'approved', 'approved', 'rejected'])[n % 4 + 1]::approval_state,
      (array['not_connected', 'connected', 'connected', 'needs_reconnect'])[n % 4 + 1]::connection_state,
      (array['inactive', 'active', 'active', 'active', 'active', 'active', 'active', 'active', 'failing', 'disabled'])[n % 10 + 1]::mailbox_status
    from generate_series(1, ${count}::int) as n,
      (select array_agg(id order by email) as ids from users where email like 'owner____@example.org') as owners`);
  await db.execute(sql`
    update server_profiles set mailbox_count = (select count(*) from mailboxes where profile_id = server_profiles.id)`);
  await db.execute(sql`analyze`);
  return { profileIds: profiles.map((profile) => profile.id) };
}
