import type { User } from '@/db/schema';
import { AppError } from '@/lib/errors';

/** Whose keys a caller means: their own, or (admins only) the user they name. */
export function keyOwnerFor(caller: User, requestedUserId: string | undefined): string {
  if (!requestedUserId || requestedUserId === caller.id) return caller.id;
  if (caller.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins manage other people’s API keys.');
  return requestedUserId;
}
