import { count, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import * as mailboxesRoute from '@/app/api/v1/mailboxes/route';
import { db } from '@/db';
import { mailboxes, serverProfiles } from '@/db/schema';
import { callRoute } from '../helpers/api';
import { insertProfile, userWithKey } from '../helpers/fixtures';

it('ends 200 simultaneous creates into a profile with 100 places with exactly 100 mailboxes', async () => {
  const admin = await userWithKey('admin@example.org', 'admin');
  await userWithKey('owner@example.org', 'owner');
  const profile = await insertProfile({ name: 'Gmail', mailboxCap: 100 });

  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, index) =>
      callRoute(mailboxesRoute.POST, {
        method: 'POST',
        path: '/api/v1/mailboxes',
        key: admin.key,
        body: { address: `person${index}@example.org`, ownerEmail: 'owner@example.org', profileId: profile.id },
      }),
    ),
  );

  const statuses = answers.map((answer) => (answer.status === 409 ? answer.json.error.code : answer.status));
  expect(statuses.filter((status) => status === 201)).toHaveLength(100);
  expect(statuses.filter((status) => status === 'PROFILE_FULL')).toHaveLength(100);
  const [attached] = await db.select({ value: count() }).from(mailboxes).where(eq(mailboxes.profileId, profile.id));
  expect(attached!.value).toBe(100);
  const [stored] = await db.select({ count: serverProfiles.mailboxCount }).from(serverProfiles).where(eq(serverProfiles.id, profile.id));
  expect(stored!.count).toBe(100);
});
