import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { db } from '@/db';
import { apiKeys, users, type User } from '@/db/schema';
import type { Actor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { randomToken, sha256 } from '@/lib/crypto/tokens';
import { notFound } from '@/lib/errors';

const KEY_PREFIX = 'mr_';

/** Creates a key for a user; the key itself is returned once and only its hash is kept. */
export async function createApiKey({
  actor,
  userId,
  name,
}: {
  actor: Actor;
  userId: string;
  name?: string;
}): Promise<{ id: string; key: string; prefix: string }> {
  const key = `${KEY_PREFIX}${randomToken(32)}`;
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  return db.transaction(async (tx) => {
    const [owner] = await tx.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, userId));
    if (!owner) throw notFound('The user');
    const [created] = await tx
      .insert(apiKeys)
      .values({ userId, name: name ?? 'API key', keyHash: sha256(key), prefix, createdById: actor.userId })
      .returning({ id: apiKeys.id });
    await recordAuditEvent(tx, {
      actor,
      action: 'api_key.create',
      target: { type: 'api_key', id: created!.id },
      detail: { user: owner.email, prefix, name: name ?? 'API key' },
    });
    return { id: created!.id, key, prefix };
  });
}

/** The active user a bearer key belongs to, or null for an unknown, revoked or deactivated one. */
export async function authenticateApiKey({ key }: { key: string }): Promise<User | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const [row] = await db
    .select({ user: users, keyId: apiKeys.id })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, sha256(key)), isNull(apiKeys.revokedAt), isNull(users.deactivatedAt)))
    .limit(1);
  if (!row) return null;
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, row.keyId));
  return row.user;
}
