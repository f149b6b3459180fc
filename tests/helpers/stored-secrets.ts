import type { PgColumn } from 'drizzle-orm/pg-core';
import type { OauthGrant } from '@/db/schema';
import { oauthGrants } from '@/db/schema';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret } from '@/lib/crypto/secrets';

/** A stored secret in clear, read from the column and row it is bound to. */
export function openStoredSecret(column: PgColumn, rowId: string, stored: string): string {
  return decryptSecret(stored, secretPlace(column, rowId));
}

/** A grant's access or refresh token in clear. */
export function openGrantToken(grant: Pick<OauthGrant, 'id' | 'accessToken' | 'refreshToken'>, token: 'accessToken' | 'refreshToken'): string {
  return openStoredSecret(oauthGrants[token], grant.id, grant[token]!);
}
