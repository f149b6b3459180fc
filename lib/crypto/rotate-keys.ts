import 'server-only';
import { and, asc, eq, gt, isNotNull, not, like, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { db } from '@/db';
import { mailboxes, oauthAuthorizations, oauthGrants, serverProfiles } from '@/db/schema';
import { SYSTEM_ACTOR, type AuditActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { logger } from '@/lib/logger';
import { getKeyring, type EncryptionKeyring } from './keys';
import { secretPlace } from './secret-place';
import { decryptSecret, encryptSecret, SecretDecryptionError, secretKeyId } from './secrets';

type EncryptedColumn = { name: string; table: PgTable; id: PgColumn; value: PgColumn; property: string };

function encryptedColumn<Table extends PgTable & { id: PgColumn }>(table: Table, property: keyof Table & string): EncryptedColumn {
  const value = table[property] as PgColumn;
  const place = secretPlace(value, '');
  return { name: `${place.table}.${place.column}`, table, id: table.id, value, property };
}

/** Every column that holds a secret encrypted with lib/crypto: keys:rotate walks exactly these. */
export const ENCRYPTED_COLUMNS: EncryptedColumn[] = [
  encryptedColumn(serverProfiles, 'clientSecret'),
  encryptedColumn(mailboxes, 'password'),
  encryptedColumn(oauthGrants, 'accessToken'),
  encryptedColumn(oauthGrants, 'refreshToken'),
  encryptedColumn(oauthAuthorizations, 'codeVerifier'),
  encryptedColumn(oauthAuthorizations, 'deviceCode'),
];

const BATCH_SIZE = 500;

export type UnreadableSecret = { column: string; rowId: string };
export type KeyRotationResult = { reEncrypted: Record<string, number>; unreadable: UnreadableSecret[] };

type Walk = {
  /** The stored values to re-encrypt. */
  selects: (column: EncryptedColumn) => SQL;
  /** The keyring whose current key seals the value again. */
  sealingKeyring: (stored: string) => EncryptionKeyring;
  /** Whether a secret under a key that is not configured stops the walk, rather than being reported. */
  stopOnUnknownKey: boolean;
};

/**
 * Re-encrypts, bound to its row, every stored secret the walk selects. Each row is updated only if
 * it still holds the value that was read, so a token refreshed meanwhile is never overwritten, and
 * several instances may walk at once. A secret that no key can open because it was altered or
 * copied from another row is left as it is and reported (its mailbox must be reconnected).
 */
async function reEncryptSecrets(keyring: EncryptionKeyring, walk: Walk): Promise<KeyRotationResult> {
  const result: KeyRotationResult = { reEncrypted: {}, unreadable: [] };
  for (const column of ENCRYPTED_COLUMNS) {
    let count = 0;
    let lastId: string | undefined;
    for (;;) {
      const rows = (await db
        .select({ id: column.id, value: column.value })
        .from(column.table)
        .where(and(isNotNull(column.value), walk.selects(column), lastId ? gt(column.id, lastId) : undefined))
        .orderBy(asc(column.id))
        .limit(BATCH_SIZE)) as { id: string; value: string }[];
      if (rows.length === 0) break;
      lastId = rows.at(-1)!.id;
      for (const row of rows) {
        const place = secretPlace(column.value, row.id);
        let plaintext: string;
        try {
          plaintext = decryptSecret(row.value, place, keyring);
        } catch (error) {
          if (!(error instanceof SecretDecryptionError) || (error.reason === 'unknown_key' && walk.stopOnUnknownKey)) throw error;
          logger.warn('A stored secret cannot be decrypted and was left as it is', { column: column.name, rowId: row.id, reason: error.reason });
          result.unreadable.push({ column: column.name, rowId: row.id });
          continue;
        }
        const updated = await db
          .update(column.table)
          .set({ [column.property]: encryptSecret(plaintext, place, walk.sealingKeyring(row.value)) } as never)
          .where(and(eq(column.id, row.id), eq(column.value, row.value)))
          .returning({ id: column.id });
        count += updated.length;
      }
    }
    result.reEncrypted[column.name] = count;
  }
  return result;
}

/**
 * Re-encrypts every stored secret that is not bound to its row under the current key: secrets under
 * an older key, and unbound ones from before secrets named their row. A secret under a key that is
 * not configured stops the rotation, since dropping that key would lose it.
 */
export async function rotateEncryptionKeys({ actor }: { actor: AuditActor }): Promise<KeyRotationResult> {
  const keyring = getKeyring();
  const currentPrefix = `v2:${keyring.current.id}:%`;
  const result = await reEncryptSecrets(keyring, {
    selects: (column) => not(like(column.value, currentPrefix)),
    sealingKeyring: () => keyring,
    stopOnUnknownKey: true,
  });
  await recordAuditEvent(db, {
    actor,
    action: 'keys.rotate',
    target: { type: 'encryption_key', id: keyring.current.id },
    detail: { reEncrypted: result.reEncrypted, unreadable: result.unreadable },
  });
  return result;
}

/**
 * Binds to its row every secret written before secrets named their row, under the key it already
 * has (changing keys stays the admin's `keys:rotate`). Run at every start, after the migrations: a
 * no-op once nothing is unbound, and safe while other instances start too. Audited only when it
 * bound something.
 */
export async function bindUnboundSecrets(keyring: EncryptionKeyring = getKeyring()): Promise<KeyRotationResult> {
  const result = await reEncryptSecrets(keyring, {
    selects: (column) => like(column.value, 'v1:%'),
    sealingKeyring: (stored) => ({ ...keyring, current: keyring.all.get(secretKeyId(stored)!)! }),
    stopOnUnknownKey: false,
  });
  const bound = Object.values(result.reEncrypted).reduce((sum, count) => sum + count, 0);
  if (bound > 0 || result.unreadable.length > 0) {
    logger.info('Stored secrets were bound to their rows', { bound: result.reEncrypted, unreadable: result.unreadable.length });
    await recordAuditEvent(db, {
      actor: SYSTEM_ACTOR,
      action: 'keys.bind',
      target: { type: 'encryption_key', id: keyring.current.id },
      detail: { bound: result.reEncrypted, unreadable: result.unreadable },
    });
  }
  return result;
}
