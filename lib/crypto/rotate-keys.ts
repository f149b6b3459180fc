import 'server-only';
import { and, eq, isNotNull, not, like } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { db } from '@/db';
import { mailboxes, oauthAuthorizations, oauthGrants, serverProfiles } from '@/db/schema';
import type { Actor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { getKeyring } from './keys';
import { decryptSecret, encryptSecret } from './secrets';

type EncryptedColumn = { name: string; table: PgTable; id: PgColumn; value: PgColumn; property: string };

/** Every column that holds a secret encrypted with lib/crypto: keys:rotate walks exactly these. */
export const ENCRYPTED_COLUMNS: EncryptedColumn[] = [
  { name: 'server_profiles.client_secret', table: serverProfiles, id: serverProfiles.id, value: serverProfiles.clientSecret, property: 'clientSecret' },
  { name: 'mailboxes.password', table: mailboxes, id: mailboxes.id, value: mailboxes.password, property: 'password' },
  { name: 'oauth_grants.access_token', table: oauthGrants, id: oauthGrants.id, value: oauthGrants.accessToken, property: 'accessToken' },
  { name: 'oauth_grants.refresh_token', table: oauthGrants, id: oauthGrants.id, value: oauthGrants.refreshToken, property: 'refreshToken' },
  {
    name: 'oauth_authorizations.code_verifier',
    table: oauthAuthorizations,
    id: oauthAuthorizations.id,
    value: oauthAuthorizations.codeVerifier,
    property: 'codeVerifier',
  },
  {
    name: 'oauth_authorizations.device_code',
    table: oauthAuthorizations,
    id: oauthAuthorizations.id,
    value: oauthAuthorizations.deviceCode,
    property: 'deviceCode',
  },
];

const BATCH_SIZE = 500;

/**
 * Re-encrypts every stored secret that is not under the current key. Each row is updated only if it
 * still holds the value that was read, so a token refreshed meanwhile is never overwritten.
 */
export async function rotateEncryptionKeys({ actor }: { actor: Actor }): Promise<Record<string, number>> {
  const keyring = getKeyring();
  const currentPrefix = `v1:${keyring.current.id}:%`;
  const counts: Record<string, number> = {};
  for (const column of ENCRYPTED_COLUMNS) {
    let count = 0;
    for (;;) {
      const rows = (await db
        .select({ id: column.id, value: column.value })
        .from(column.table)
        .where(and(isNotNull(column.value), not(like(column.value, currentPrefix))))
        .limit(BATCH_SIZE)) as { id: string; value: string }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const reEncrypted = encryptSecret(decryptSecret(row.value, keyring), keyring);
        const updated = await db
          .update(column.table)
          .set({ [column.property]: reEncrypted } as never)
          .where(and(eq(column.id, row.id), eq(column.value, row.value)))
          .returning({ id: column.id });
        count += updated.length;
      }
    }
    counts[column.name] = count;
  }
  await recordAuditEvent(db, {
    actor,
    action: 'keys.rotate',
    target: { type: 'encryption_key', id: keyring.current.id },
    detail: { reEncrypted: counts },
  });
  return counts;
}
