import 'server-only';
import { parse } from 'csv-parse/sync';
import { inArray } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { mailboxes, serverProfiles } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { AppError } from '@/lib/errors';
import { emailAddress } from '@/lib/validations/common';
import { insertMailbox } from './mailboxes';

export type ImportOutcome = 'created' | 'skipped' | 'refused';

export type ImportRowResult = {
  /** The line in the file, counting the header as line 1. */
  line: number;
  address: string;
  ownerEmail: string;
  profile: string | null;
  outcome: ImportOutcome;
  reason: string | null;
};

export type ImportResult = {
  dryRun: boolean;
  rows: ImportRowResult[];
  summary: Record<ImportOutcome, number>;
};

const MAX_ROWS = 10_000;
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

type CsvRow = { line: number; address: string; ownerEmail: string; profile: string | null };

function malformed(message: string): AppError {
  return new AppError('INVALID_INPUT', `The file was not imported: ${message}`, { fields: { csv: [message] } });
}

/** Reads the file whole before anything is written, so a malformed file changes nothing. */
function readCsv(csv: string): CsvRow[] {
  let records: string[][];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), { skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    throw malformed(`it is not valid CSV (${error instanceof Error ? error.message : 'unreadable'}).`);
  }
  const [header, ...body] = records;
  if (!header) throw malformed('it is empty.');
  const columns = header.map((name) => HEADER_ALIASES[name.toLowerCase().replace(/\s+/g, ' ')]);
  const missing = (['address', 'ownerEmail'] as const).filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    throw malformed(
      `the first line must name the columns: address, owner email and optionally profile (missing ${missing
        .map((column) => (column === 'ownerEmail' ? 'owner email' : column))
        .join(' and ')}).`,
    );
  }
  if (body.length === 0) throw malformed('it has a header but no mailbox rows.');
  if (body.length > MAX_ROWS) throw malformed(`it has ${body.length} rows; import at most ${MAX_ROWS} at a time.`);
  return body.map((record, index) => {
    const value = (column: 'address' | 'ownerEmail' | 'profile') => {
      const position = columns.indexOf(column);
      return position === -1 ? '' : (record[position] ?? '').trim();
    };
    return { line: index + 2, address: value('address'), ownerEmail: value('ownerEmail'), profile: value('profile') || null };
  });
}

class DryRunRollback extends Error {}

async function importRows(executor: Executor, actor: AuditActor, rows: CsvRow[]): Promise<ImportRowResult[]> {
  const profiles = await executor.select({ id: serverProfiles.id, name: serverProfiles.name }).from(serverProfiles);
  const profileIdByName = new Map(profiles.map((profile) => [profile.name.toLowerCase(), profile.id]));
  const addresses = rows.map((row) => emailAddress.safeParse(row.address)).flatMap((result) => (result.success ? [result.data] : []));
  const existing = new Set(
    addresses.length === 0
      ? []
      : (await executor.select({ address: mailboxes.address }).from(mailboxes).where(inArray(mailboxes.address, addresses))).map(
          (row) => row.address,
        ),
  );
  const seen = new Set<string>();
  const results: ImportRowResult[] = [];
  for (const row of rows) {
    const result = (outcome: ImportOutcome, reason: string | null): ImportRowResult => ({ ...row, outcome, reason });
    const address = emailAddress.safeParse(row.address);
    const owner = emailAddress.safeParse(row.ownerEmail);
    if (!address.success) {
      results.push(result('refused', `Invalid address “${row.address}”.`));
    } else if (seen.has(address.data)) {
      results.push(result('skipped', 'The same address appears earlier in the file.'));
    } else if (existing.has(address.data)) {
      seen.add(address.data);
      results.push(result('skipped', 'A mailbox with this address already exists.'));
    } else if (!owner.success) {
      results.push(result('refused', `Invalid owner email “${row.ownerEmail}”.`));
    } else if (row.profile && !profileIdByName.has(row.profile.toLowerCase())) {
      results.push(result('refused', `Unknown profile “${row.profile}”.`));
    } else {
      seen.add(address.data);
      try {
        await insertMailbox(executor, actor, {
          address: address.data,
          ownerEmail: owner.data,
          profileId: row.profile ? profileIdByName.get(row.profile.toLowerCase()) : undefined,
          incoming: 'server_side',
          outgoing: 'server_side',
          shared: false,
        });
        results.push(result('created', null));
      } catch (error) {
        // Our own refusals are checked before anything is written for the row, so the import goes on.
        if (!(error instanceof AppError)) throw error;
        const reason = error.code === 'INVALID_INPUT' && error.fields?.ownerEmail ? `Unknown owner ${owner.data}: add the person on the Users page first.` : error.message;
        results.push(result('refused', reason));
      }
    }
  }
  return results;
}

/**
 * Imports mailboxes from CSV (address, owner email, optional profile name) in one transaction, with
 * a result for every row. A dry run does exactly the same work and rolls it back: the preview.
 */
export async function importMailboxes({ actor, csv, dryRun }: { actor: AuditActor; csv: string; dryRun: boolean }): Promise<ImportResult> {
  const rows = readCsv(csv);
  let results: ImportRowResult[] = [];
  try {
    await db.transaction(async (tx) => {
      results = await importRows(tx, actor, rows);
      if (dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  const summary = { created: 0, skipped: 0, refused: 0 };
  for (const row of results) summary[row.outcome] += 1;
  return { dryRun, rows: results, summary };
}
