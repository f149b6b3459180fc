import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { users } from '@/db/schema';
import type { UserPreferencesInput } from '@/lib/validations/users';

/** Stores the language and time zone a user reads the portal in; the next request applies them. */
export async function setUserPreferences({ userId, preferences }: { userId: string; preferences: UserPreferencesInput }): Promise<void> {
  await db.update(users).set({ locale: preferences.locale, timeZone: preferences.timeZone }).where(eq(users.id, userId));
}
