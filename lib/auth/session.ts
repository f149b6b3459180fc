import 'server-only';
import { getServerSession } from 'next-auth';
import { forbidden, redirect } from 'next/navigation';
import { connection } from 'next/server';
import { cache } from 'react';
import type { User, UserRole } from '@/db/schema';
import { getUserById } from '@/lib/users/users';
import { getAuthOptions } from './options';

/**
 * The signed-in user, read from the database on every request so that a deactivation, a role
 * change or a sign-out elsewhere (each bumps the session epoch) takes effect at once rather than
 * when the session expires. Never a service account.
 */
export const getCurrentUser = cache(async (): Promise<User | null> => {
  // Marks the page as per-request before anything reads keys or the database (never at build time).
  await connection();
  const session = await getServerSession(getAuthOptions());
  if (!session?.userId) return null;
  const user = await getUserById({ id: session.userId });
  if (!user || user.deactivatedAt || user.sessionEpoch !== session.sessionEpoch) return null;
  // A business system works through API keys alone: no session is ever its, however one came about.
  if (user.role === 'service') return null;
  return user;
});

export async function requireUser(): Promise<User> {
  const user = await getCurrentUser();
  if (!user) redirect('/sign-in');
  return user;
}

export async function requireRole(...roles: UserRole[]): Promise<User> {
  const user = await requireUser();
  if (!roles.includes(user.role)) forbidden();
  return user;
}
