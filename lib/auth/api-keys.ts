import 'server-only';
import { and, desc, eq, gt, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { db } from '@/db';
import { apiKeys, users, type ApiKey, type User } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { randomToken, sha256 } from '@/lib/crypto/tokens';
import { AppError, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import type { ApiKeyResponse } from '@/lib/validations/users';

const KEY_PREFIX = 'mr_';

const keyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  userId: apiKeys.userId,
  userEmail: users.email,
  createdAt: apiKeys.createdAt,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};
type ApiKeySummary = Pick<ApiKey, 'id' | 'name' | 'prefix' | 'userId' | 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'revokedAt'> & {
  userEmail: string;
};

export function toApiKeyResponse(key: ApiKeySummary): ApiKeyResponse {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    userId: key.userId,
    userEmail: key.userEmail,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

/** Creates a key for a user; the key itself is returned once and only its hash is kept. */
export async function createApiKey({
  actor,
  userId,
  name,
  expiresAt,
}: {
  actor: AuditActor;
  userId: string;
  name?: string;
  expiresAt?: Date;
}): Promise<{ id: string; key: string; prefix: string; summary: ApiKeySummary }> {
  const key = `${KEY_PREFIX}${randomToken(32)}`;
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  return db.transaction(async (tx) => {
    const [owner] = await tx
      .select({ id: users.id, email: users.email, deactivatedAt: users.deactivatedAt })
      .from(users)
      .where(eq(users.id, userId));
    if (!owner) throw notFound('user');
    if (owner.deactivatedAt) throw new AppError('CONFLICT', phrase('problems.auth.keyOwnerDeactivated', { email: owner.email }));
    const [created] = await tx
      .insert(apiKeys)
      .values({ userId, name: name ?? 'API key', keyHash: sha256(key), prefix, expiresAt: expiresAt ?? null, createdById: actor.userId })
      .returning();
    await recordAuditEvent(tx, {
      actor,
      action: 'api_key.create',
      target: { type: 'api_key', id: created!.id },
      detail: { user: owner.email, prefix, name: created!.name, expiresAt: created!.expiresAt?.toISOString() ?? null },
    });
    return { id: created!.id, key, prefix, summary: { ...created!, userEmail: owner.email } };
  });
}

/**
 * The active user a bearer key belongs to, or null for an unknown, revoked or expired key or a
 * deactivated user.
 */
export async function authenticateApiKey({ key }: { key: string }): Promise<User | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const now = new Date();
  const [row] = await db
    .select({ user: users, keyId: apiKeys.id })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(
      and(
        eq(apiKeys.keyHash, sha256(key)),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
        isNull(users.deactivatedAt),
      ),
    )
    .limit(1);
  if (!row) return null;
  await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.keyId));
  return row.user;
}

/** Keys newest first, a page at a time (the cursor is the last key's id); never the keys themselves. */
export async function findApiKeys({ userId, limit, cursor }: { userId?: string; limit: number; cursor?: string }) {
  let after: SQL | undefined;
  if (cursor) {
    const [last] = await db.select({ createdAt: apiKeys.createdAt }).from(apiKeys).where(eq(apiKeys.id, cursor));
    if (!last) return { keys: [], nextCursor: null };
    after = or(lt(apiKeys.createdAt, last.createdAt), and(eq(apiKeys.createdAt, last.createdAt), lt(apiKeys.id, cursor)));
  }
  const rows = await db
    .select({ ...keyColumns, expired: sql<boolean>`coalesce(${apiKeys.expiresAt} <= now(), false)` })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(userId ? eq(apiKeys.userId, userId) : undefined, after))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(limit + 1);
  const keys = rows.slice(0, limit);
  return { keys, nextCursor: rows.length > limit ? (keys.at(-1)?.id ?? null) : null };
}

/**
 * Revokes a key at once; `ownerId` limits it to that user's keys (anyone else's is not found).
 * Revoking twice changes nothing.
 */
export async function revokeApiKey({ actor, id, ownerId }: { actor: AuditActor; id: string; ownerId?: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [key] = await tx
      .select({ id: apiKeys.id, prefix: apiKeys.prefix, revokedAt: apiKeys.revokedAt, userEmail: users.email })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(and(eq(apiKeys.id, id), ownerId ? eq(apiKeys.userId, ownerId) : undefined))
      .for('update', { of: apiKeys });
    if (!key) throw notFound('apiKey');
    if (key.revokedAt) return;
    await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
    await recordAuditEvent(tx, {
      actor,
      action: 'api_key.revoke',
      target: { type: 'api_key', id },
      detail: { user: key.userEmail, prefix: key.prefix },
    });
  });
}
