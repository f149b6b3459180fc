import 'server-only';
import { parse } from 'csv-parse/sync';
import { AppError } from '@/lib/errors';
import { phrase, type Phrase } from '@/lib/i18n/text';

/** The most rows one file may hold. */
export const MAX_IMPORT_ROWS = 10_000;

/** One mailbox line of the file, as written there. */
export type CsvRow = { line: number; address: string; ownerEmail: string; profile: string | null };

const HEADER_ALIASES: Record<string, 'address' | 'ownerEmail' | 'profile'> = {
  address: 'address',
  email: 'address',
  mailbox: 'address',
  'owner email': 'ownerEmail',
  owner_email: 'ownerEmail',
  owneremail: 'ownerEmail',
  owner: 'ownerEmail',
  profile: 'profile',
  'profile name': 'profile',
  profile_name: 'profile',
};

function malformed(why: Phrase): AppError {
  return new AppError('INVALID_INPUT', phrase('mailboxes.import.problems.malformed', { why }), { fields: { csv: [why] } });
}

/**
 * Reads the file whole, refusing a malformed one before any job is queued, so that such a file
 * changes nothing and its problem is answered at once.
 */
export function readImportCsv(csv: string): CsvRow[] {
  let records: string[][];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), { skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    // The parser's own English words stay as they are: they name the line and what it found there.
    throw malformed(phrase('mailboxes.import.malformed.notCsv', { reply: error instanceof Error ? error.message : 'unreadable' }));
  }
  const [header, ...body] = records;
  if (!header) throw malformed(phrase('mailboxes.import.malformed.empty'));
  const columns = header.map((name) => HEADER_ALIASES[name.toLowerCase().replace(/\s+/g, ' ')]);
  const missing = (['address', 'ownerEmail'] as const).filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    throw malformed(phrase('mailboxes.import.malformed.missingColumns', { missing: missing.length === 2 ? 'both' : missing[0]! }));
  }
  if (body.length === 0) throw malformed(phrase('mailboxes.import.malformed.noRows'));
  if (body.length > MAX_IMPORT_ROWS) throw malformed(phrase('mailboxes.import.malformed.tooMany', { count: body.length, max: MAX_IMPORT_ROWS }));
  const position = { address: columns.indexOf('address'), ownerEmail: columns.indexOf('ownerEmail'), profile: columns.indexOf('profile') };
  return body.map((record, index) => {
    const value = (column: keyof typeof position) => (position[column] === -1 ? '' : (record[position[column]] ?? '').trim());
    return { line: index + 2, address: value('address'), ownerEmail: value('ownerEmail'), profile: value('profile') || null };
  });
}
