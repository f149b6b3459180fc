import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * "Starts with", as a byte-wise range the text_pattern_ops indexes answer even with a bound
 * parameter (a LIKE pattern would only be indexable as a literal).
 */
export function startsWith(column: AnyPgColumn, prefix: string): SQL {
  const last = prefix.charCodeAt(prefix.length - 1);
  const upper = prefix.slice(0, -1) + String.fromCharCode(last + 1);
  return sql`(${column} ~>=~ ${prefix} and ${column} ~<~ ${upper})`;
}
