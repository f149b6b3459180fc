import 'server-only';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Executor } from '@/db';
import { serverProfiles, type StoredError } from '@/db/schema';
import { SYSTEM_ACTOR } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';

/** The provider refused the profile's client (a refresh ended with a profile-wide error): audited once per change of code. */
export async function recordClientRefused(executor: Executor, { profileId, error }: { profileId: string; error: StoredError }): Promise<void> {
  const [profile] = await executor.select().from(serverProfiles).where(eq(serverProfiles.id, profileId)).for('update');
  if (!profile || profile.clientError?.code === error.code) return;
  await executor.update(serverProfiles).set({ clientError: error }).where(eq(serverProfiles.id, profile.id));
  await recordAuditEvent(executor, {
    actor: SYSTEM_ACTOR,
    action: 'profile.client_refused',
    target: { type: 'profile', id: profile.id },
    profileId: profile.id,
    detail: { code: error.code, message: error.message },
  });
}

/**
 * The provider took the profile's client again (a refresh or a consent went through): its refusal
 * ends, for the profile's alert and its mailboxes' next step. One conditional update, a no-op
 * while nothing was refused.
 */
export async function recordClientAccepted(executor: Executor, profileId: string): Promise<void> {
  const [cleared] = await executor
    .update(serverProfiles)
    .set({ clientError: null })
    .where(and(eq(serverProfiles.id, profileId), isNotNull(serverProfiles.clientError)))
    .returning({ id: serverProfiles.id });
  if (!cleared) return;
  await recordAuditEvent(executor, {
    actor: SYSTEM_ACTOR,
    action: 'profile.client_accepted',
    target: { type: 'profile', id: profileId },
    profileId,
    detail: { reason: 'the provider accepted the client again' },
  });
}
