import { getTableName } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { SecretPlace } from './secrets';

/** The place a secret is bound to, named from the schema so that writer, reader and `keys:rotate` agree. */
export function secretPlace(column: PgColumn, rowId: string): SecretPlace {
  return { table: getTableName(column.table), column: column.name, rowId };
}
