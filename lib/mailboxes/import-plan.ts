import 'server-only';
import { inArray } from 'drizzle-orm';
import { db } from '@/db';
import { mailboxes, serverProfiles, users } from '@/db/schema';
import { phrase, type Text } from '@/lib/i18n/text';
import { profileFullError, type ProfilePlaces } from '@/lib/profiles/profile-capacity';
import { emailAddress } from '@/lib/validations/common';
import type { CsvRow } from './import-csv';
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

/** What inserting a row needs, once every check has passed. */
export type PlannedMailbox = { address: string; ownerId: string; ownerEmail: string; profileId: string; profileName: string };

/** A row's result as the checks see it; `mailbox` is set when the row is to be created. */
export type PlannedRow = { result: ImportRowResult; mailbox: PlannedMailbox | null };

type ProfileState = ProfilePlaces & { id: string; isDefault: boolean };

/** Rows checked between two pauses, so that other requests are answered during a long check. */
const ROWS_PER_PAUSE = 500;
/** Values sent in one `in (…)` list. */
const LOOKUP_CHUNK = 1000;

/**
 * Waits for the event loop's next turn. PGlite answers in the same thread, and a chain of its
 * answers never leaves the microtask queue: without this, no other request is even read meanwhile.
 */
export const letOtherRequestsIn = () => new Promise((resolve) => setImmediate(resolve));

async function inChunks<T>(values: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const found: T[] = [];
  for (let start = 0; start < values.length; start += LOOKUP_CHUNK) {
    if (start > 0) await letOtherRequestsIn();
    found.push(...(await read(values.slice(start, start + LOOKUP_CHUNK))));
  }
  return found;
}

/** The refusal a full profile gives, naming the other profiles with room as they stand in this plan. */
function profileFullReason(full: ProfileState, profiles: ProfileState[]): Text {
  const others = profiles
    .filter((profile) => profile.id !== full.id && (profile.cap === null || profile.count < profile.cap))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, 5);
  return problemTexts(profileFullError({ profile: full, places: 1, others })).message;
}

/**
 * Checks every row in one pass against a few reads (profiles, owners, existing addresses), as the
 * rows come in the file: a row is created unless its address is invalid, appears earlier in the
 * file or exists already, its owner or profile is unknown, or its profile is full (counting the
 * rows before it). Rows of `done` (from an earlier attempt of the same import) keep their result.
 * The import writes what this plans, and checks the cap and the addresses again as it writes.
 */
export async function planImport({ rows, done = new Map() }: { rows: CsvRow[]; done?: Map<number, ImportRowResult> }): Promise<PlannedRow[]> {
  const parsed = [];
  for (const [index, row] of rows.entries()) {
    if (index > 0 && index % ROWS_PER_PAUSE === 0) await letOtherRequestsIn();
    parsed.push({ row, address: emailAddress.safeParse(row.address), owner: emailAddress.safeParse(row.ownerEmail) });
  }
  const pending = parsed.filter(({ row }) => !done.has(row.line));
  const addresses = [...new Set(pending.flatMap(({ address }) => (address.success ? [address.data] : [])))];
  const ownerEmails = [...new Set(pending.flatMap(({ owner }) => (owner.success ? [owner.data] : [])))];
  const [profiles, existing, owners] = await Promise.all([
    db
      .select({ id: serverProfiles.id, name: serverProfiles.name, isDefault: serverProfiles.isDefault, cap: serverProfiles.mailboxCap, count: serverProfiles.mailboxCount })
      .from(serverProfiles),
    inChunks(addresses, (chunk) => db.select({ address: mailboxes.address }).from(mailboxes).where(inArray(mailboxes.address, chunk))),
    inChunks(ownerEmails, (chunk) =>
      db.select({ id: users.id, email: users.email, deactivatedAt: users.deactivatedAt }).from(users).where(inArray(users.email, chunk)),
    ),
  ]);
  const profileByName = new Map<string, ProfileState>(profiles.map((profile) => [profile.name.toLowerCase(), profile]));
  const defaultProfile = profiles.find((profile) => profile.isDefault);
  const existingAddresses = new Set(existing.map((row) => row.address));
  const ownerByEmail = new Map(owners.map((owner) => [owner.email, owner]));

  // Addresses of earlier rows that were created or exist already: a later row with one is a duplicate.
  const seen = new Set<string>();
  const planned: PlannedRow[] = [];
  for (const [index, { row, address, owner }] of parsed.entries()) {
    if (index > 0 && index % ROWS_PER_PAUSE === 0) await letOtherRequestsIn();
    const earlier = done.get(row.line);
    if (earlier) {
      if (earlier.outcome !== 'refused' && address.success) seen.add(address.data);
      planned.push({ result: earlier, mailbox: null });
      continue;
    }
    const result = (outcome: ImportRowResult['outcome'], reason: Text | null): ImportRowResult => ({ ...row, outcome, reason });
    const refuse = (reason: Text) => planned.push({ result: result('refused', reason), mailbox: null });
    if (!address.success) {
      refuse(phrase('mailboxes.import.reasons.invalidAddress', { address: row.address }));
      continue;
    }
    if (seen.has(address.data)) {
      planned.push({ result: result('skipped', phrase('mailboxes.import.reasons.duplicateInFile')), mailbox: null });
      continue;
    }
    if (existingAddresses.has(address.data)) {
      seen.add(address.data);
      planned.push({ result: result('skipped', phrase('mailbox.fields.addressTaken')), mailbox: null });
      continue;
    }
    if (!owner.success) {
      refuse(phrase('mailboxes.import.reasons.invalidOwner', { owner: row.ownerEmail }));
      continue;
    }
    const named = row.profile ? profileByName.get(row.profile.toLowerCase()) : undefined;
    if (row.profile && !named) {
      refuse(phrase('mailboxes.import.reasons.unknownProfile', { profile: row.profile }));
      continue;
    }
    const ownerRow = ownerByEmail.get(owner.data);
    if (!ownerRow) {
      refuse(phrase('mailboxes.import.reasons.unknownOwner', { owner: owner.data }));
      continue;
    }
    if (ownerRow.deactivatedAt) {
      refuse(phrase('mailbox.fields.ownerDeactivated', { email: ownerRow.email }));
      continue;
    }
    const profile = named ?? defaultProfile;
    if (!profile) {
      refuse(phrase('mailbox.fields.noDefaultProfile'));
      continue;
    }
    if (profile.cap !== null && profile.count >= profile.cap) {
      refuse(profileFullReason(profile, profiles));
      continue;
    }
    profile.count += 1;
    seen.add(address.data);
    planned.push({
      result: result('created', null),
      mailbox: { address: address.data, ownerId: ownerRow.id, ownerEmail: ownerRow.email, profileId: profile.id, profileName: profile.name },
    });
  }
  return planned;
}
