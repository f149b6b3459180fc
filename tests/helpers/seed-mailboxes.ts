import { sql } from 'drizzle-orm';
import { db } from '@/db';
import { insertProfile } from './fixtures';

/**
 * Seeds `count` mailboxes spread over 1,000 owners and two profiles, with every approval,
 * connection and status represented, in a few set-based statements.
 */
export async function seedMailboxes({ count }: { count: number }): Promise<{ profileIds: string[] }> {
  const profiles = [await insertProfile({ name: 'Seed Gmail' }), await insertProfile({ name: 'Seed Custom', serverType: 'custom', authType: 'password' })];
  await db.execute(sql`
    insert into users (email, role)
    select 'owner' || lpad(n::text, 4, '0') || '@example.org', 'owner'
    from generate_series(1, 1000) as n`);
  await db.execute(sql`
    insert into mailboxes (address, owner_id, profile_id, approval, connection, status)
    select
      'user' || lpad(n::text, 6, '0') || '@example.org',
      (select id from users where email = 'owner' || lpad((n % 1000 + 1)::text, 4, '0') || '@example.org'),
      case when n % 2 = 0 then ${profiles[0]!.id}::uuid else ${profiles[1]!.id}::uuid end,
      (array['pending', 'approved', 'approved', 'rejected'])[n % 4 + 1]::approval_state,
      (array['not_connected', 'connected', 'connected', 'needs_reconnect'])[n % 4 + 1]::connection_state,
      (array['inactive', 'active', 'active', 'active', 'active', 'active', 'active', 'active', 'failing', 'disabled'])[n % 10 + 1]::mailbox_status
    from generate_series(1, ${count}::int) as n`);
  await db.execute(sql`
    update server_profiles set mailbox_count = (select count(*) from mailboxes where profile_id = server_profiles.id)`);
  await db.execute(sql`analyze`);
  return { profileIds: profiles.map((profile) => profile.id) };
}
