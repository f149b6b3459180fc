import 'server-only';
import { and, asc, eq, gt, isNotNull, not, like } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { db } from '@/db';
import { mailboxes, oauthAuthorizations, oauthGrants, serverProfiles } from '@/db/schema';
import type { Actor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { logger } from '@/lib/logger';
import { getKeyring } from './keys';
import { secretPlace } from './secret-place';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './secrets';

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

/**
 * Re-encrypts every stored secret that is not bound to its row under the current key: secrets under
 * an older key, and unbound ones from before secrets named their row. Each row is updated only if it
 * still holds the value that was read, so a token refreshed meanwhile is never overwritten, and
 * several instances may run this at once. A secret that no key can open because it was altered or
 * copied from another row is left as it is and reported (its mailbox must be reconnected); one under
 * a key that is not configured stops the rotation, since dropping that key would lose it.
 */
export async function rotateEncryptionKeys({ actor }: { actor: Actor }): Promise<KeyRotationResult> {
  const keyring = getKeyring();
  const currentPrefix = `v2:${keyring.current.id}:%`;
  const result: KeyRotationResult = { reEncrypted: {}, unreadable: [] };
  for (const column of ENCRYPTED_COLUMNS) {
    let count = 0;
    let lastId: string | undefined;
    for (;;) {
      const rows = (await db
        .select({ id: column.id, value: column.value })
        .from(column.table)
        .where(and(isNotNull(column.value), not(like(column.value, currentPrefix)), lastId ? gt(column.id, lastId) : undefined))
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
          if (!(error instanceof SecretDecryptionError) || error.reason === 'unknown_key') throw error;
          logger.warn('A stored secret cannot be decrypted and was left as it is', { column: column.name, rowId: row.id, reason: error.reason });
          result.unreadable.push({ column: column.name, rowId: row.id });
          continue;
        }
        const updated = await db
          .update(column.table)
          .set({ [column.property]: encryptSecret(plaintext, place, keyring) } as never)
          .where(and(eq(column.id, row.id), eq(column.value, row.value)))
          .returning({ id: column.id });
        count += updated.length;
      }
    }
    result.reEncrypted[column.name] = count;
  }
  await recordAuditEvent(db, {
    actor,
    action: 'keys.rotate',
    target: { type: 'encryption_key', id: keyring.current.id },
    detail: { reEncrypted: result.reEncrypted, unreadable: result.unreadable },
  });
  return result;
}
