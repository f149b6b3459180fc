import 'server-only';
import { parse } from 'csv-parse/sync';
import { inArray } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { mailboxes, serverProfiles } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { AppError } from '@/lib/errors';
import type { Locale } from '@/lib/i18n/locales';
import { phrase, renderText, type Phrase, type Text } from '@/lib/i18n/text';
import { emailAddress } from '@/lib/validations/common';
import { insertMailbox } from './mailboxes';
import { problemTexts } from './status';

export type ImportOutcome = 'created' | 'skipped' | 'refused';

export type ImportRowResult = {
  /** The line in the file, counting the header as line 1. */
  line: number;
  address: string;
  ownerEmail: string;
  profile: string | null;
  outcome: ImportOutcome;
  reason: Text | null;
};

export type ImportResult<R extends ImportRowResult = ImportRowResult> = {
  dryRun: boolean;
  rows: R[];
  summary: Record<ImportOutcome, number>;
};

/** An import's result with each row's reason in one language, as the API answers it. */
export function renderImportResult(result: ImportResult, locale: Locale): ImportResult<ImportRowResult & { reason: string | null }> {
  return { ...result, rows: result.rows.map((row) => ({ ...row, reason: row.reason === null ? null : renderText(row.reason, locale) })) };
}

/** What the admin reads after a preview or an import. */
export function importSummary({ dryRun, summary }: ImportResult): Phrase {
  return phrase(dryRun ? 'mailboxes.import.done.preview' : 'mailboxes.import.done.imported', summary);
}

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

function malformed(why: Phrase): AppError {
  return new AppError('INVALID_INPUT', phrase('mailboxes.import.problems.malformed', { why }), { fields: { csv: [why] } });
}

/** Reads the file whole before anything is written, so a malformed file changes nothing. */
function readCsv(csv: string): CsvRow[] {
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
  if (body.length > MAX_ROWS) throw malformed(phrase('mailboxes.import.malformed.tooMany', { count: body.length, max: MAX_ROWS }));
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
    const result = (outcome: ImportOutcome, reason: Text | null): ImportRowResult => ({ ...row, outcome, reason });
    const address = emailAddress.safeParse(row.address);
    const owner = emailAddress.safeParse(row.ownerEmail);
    if (!address.success) {
      results.push(result('refused', phrase('mailboxes.import.reasons.invalidAddress', { address: row.address })));
    } else if (seen.has(address.data)) {
      results.push(result('skipped', phrase('mailboxes.import.reasons.duplicateInFile')));
    } else if (existing.has(address.data)) {
      seen.add(address.data);
      results.push(result('skipped', phrase('mailbox.fields.addressTaken')));
    } else if (!owner.success) {
      results.push(result('refused', phrase('mailboxes.import.reasons.invalidOwner', { owner: row.ownerEmail })));
    } else if (row.profile && !profileIdByName.has(row.profile.toLowerCase())) {
      results.push(result('refused', phrase('mailboxes.import.reasons.unknownProfile', { profile: row.profile })));
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
        const reason =
          error.code === 'INVALID_INPUT' && error.fields?.ownerEmail
            ? phrase('mailboxes.import.reasons.unknownOwner', { owner: owner.data })
            : problemTexts(error).message;
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
