import type { User } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';

/** Whose keys a caller means: their own, or (admins only) the user they name. */
export function keyOwnerFor(caller: User, requestedUserId: string | undefined): string {
  if (!requestedUserId || requestedUserId === caller.id) return caller.id;
  if (caller.role !== 'admin') throw new AppError('FORBIDDEN', phrase('problems.auth.othersKeys'));
  return requestedUserId;
}
