// Issue 18, item 3: the CSV import as a job, written in batches: what each row becomes, the profile
// caps held exactly, one audit event per created mailbox, and an import that stops midway going on
// where it stopped when its job is retried.
import { and, count, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as importJobRoute from '@/app/api/v1/mailboxes/import/[jobId]/route';
import * as importRoute from '@/app/api/v1/mailboxes/import/route';
import * as openApiRoute from '@/app/api/v1/openapi.json/route';
import { db, databaseKind } from '@/db';
import { auditEvents, mailboxImports, mailboxes, serverProfiles, users, type ServerProfile } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { readImportResults, runMailboxImport } from '@/lib/mailboxes/import-run';
import { callRoute } from '../helpers/api';
import { insertProfile, userWithKey } from '../helpers/fixtures';
import { importThroughApi, workImportJobs } from '../helpers/mailbox-import';

type Row = { line: number; address: string; outcome: string; reason: string | null };

let admin: Awaited<ReturnType<typeof userWithKey>>;
let support: Awaited<ReturnType<typeof userWithKey>>;
let main: ServerProfile;
let capped: ServerProfile;

const OWNERS = 10;
const csvOf = (lines: string[]) => ['address,owner email,profile', ...lines].join('\n');

async function placesUsed(profileId: string): Promise<{ counted: number; attached: number }> {
  const [profile] = await db.select({ counted: serverProfiles.mailboxCount }).from(serverProfiles).where(eq(serverProfiles.id, profileId));
  const [attached] = await db.select({ value: count() }).from(mailboxes).where(eq(mailboxes.profileId, profileId));
  return { counted: profile!.counted, attached: attached!.value };
}

async function createdEvents(addresses: string[]) {
  return db
    .select({ mailboxId: auditEvents.mailboxId, actor: auditEvents.actorLabel, detail: auditEvents.detail })
    .from(auditEvents)
    .innerJoin(mailboxes, eq(mailboxes.id, auditEvents.mailboxId))
    .where(and(eq(auditEvents.action, 'mailbox.create'), inArray(mailboxes.address, addresses)));
}

beforeAll(async () => {
  admin = await userWithKey('import-admin@example.org', 'admin');
  support = await userWithKey('import-support@example.org', 'support');
  for (let index = 0; index < OWNERS; index += 1) await userWithKey(`owner${index}@example.org`, 'owner');
  await userWithKey('gone@example.org', 'owner');
  await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.email, 'gone@example.org'));
  main = await insertProfile({ name: 'Main', isDefault: true });
  capped = await insertProfile({ name: 'Capped', mailboxCap: 300 });
  await workImportJobs();
});

describe(`CSV import as a job on ${databaseKind()}`, () => {
  it('imports 1,000 rows in batches: the cap refuses exactly the rows past it, and each created mailbox has one audit event', async () => {
    // 400 rows for a profile with room for 300, 600 for the default one, and a few rows that fail their checks.
    const lines = [
      ...Array.from({ length: 400 }, (_, index) => `capped${index}@example.org,owner${index % OWNERS}@example.org,capped`),
      ...Array.from({ length: 590 }, (_, index) => `main${index}@example.org,owner${index % OWNERS}@example.org,`),
      'main0@example.org,owner1@example.org,',
      'broken-address,owner1@example.org,',
      'lost@example.org,nobody@example.org,',
      'late@example.org,gone@example.org,',
      'nowhere@example.org,owner1@example.org,Elsewhere',
      'capped0@example.org,owner2@example.org,Main',
      ...Array.from({ length: 4 }, (_, index) => `tail${index}@example.org,OWNER3@example.org,`),
    ];
    const csv = csvOf(lines);

    const preview = await importThroughApi(csv, { key: admin.key, dryRun: true });
    expect(preview).toMatchObject({ state: 'completed', dryRun: true, progress: { done: 1000, total: 1000 }, summary: { created: 894, skipped: 2, refused: 104 } });
    expect(await placesUsed(capped.id)).toEqual({ counted: 0, attached: 0 });
    expect(await placesUsed(main.id)).toEqual({ counted: 0, attached: 0 });

    const imported = await importThroughApi(csv, { key: admin.key });
    expect(imported).toMatchObject({ state: 'completed', dryRun: false, error: null, progress: { done: 1000, total: 1000 } });
    expect(imported.summary).toEqual({ created: 894, skipped: 2, refused: 104 });
    expect(imported.rows.map((row: Row) => row.line)).toEqual(Array.from({ length: 1000 }, (_, index) => index + 2));
    expect(imported.rows.map((row: Row) => [row.outcome, row.reason])).toEqual(preview.rows.map((row: Row) => [row.outcome, row.reason]));

    const byAddress = new Map<string, Row>(imported.rows.map((row: Row) => [row.address, row]));
    expect(imported.rows.slice(0, 300).every((row: Row) => row.outcome === 'created')).toBe(true);
    for (const row of imported.rows.slice(300, 400)) {
      expect(row).toMatchObject({ outcome: 'refused', reason: 'The profile “Capped” serves at most 300 mailboxes and is full. Profiles with room: Main (no cap).' });
    }
    expect(imported.rows[990]).toMatchObject({ outcome: 'skipped', reason: 'The same address appears earlier in the file.' });
    expect(byAddress.get('broken-address')).toMatchObject({ outcome: 'refused', reason: 'Invalid address “broken-address”.' });
    expect(byAddress.get('lost@example.org')).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^Unknown owner nobody@example.org/) });
    expect(byAddress.get('late@example.org')).toMatchObject({ outcome: 'refused', reason: 'gone@example.org is deactivated.' });
    expect(byAddress.get('nowhere@example.org')).toMatchObject({ outcome: 'refused', reason: 'Unknown profile “Elsewhere”.' });
    expect(imported.rows[995]).toMatchObject({ address: 'capped0@example.org', outcome: 'skipped', reason: 'The same address appears earlier in the file.' });
    expect(byAddress.get('tail3@example.org')).toMatchObject({ outcome: 'created' });

    expect(await placesUsed(capped.id)).toEqual({ counted: 300, attached: 300 });
    expect(await placesUsed(main.id)).toEqual({ counted: 594, attached: 594 });
    const created = imported.rows.filter((row: Row) => row.outcome === 'created').map((row: Row) => row.address);
    const events = await createdEvents(created);
    expect(events).toHaveLength(894);
    expect(new Set(events.map((event) => event.mailboxId)).size).toBe(894);
    expect(events.every((event) => event.actor === 'import-admin@example.org')).toBe(true);
    const [tail] = await db.select().from(mailboxes).where(eq(mailboxes.address, 'tail0@example.org'));
    expect(tail).toMatchObject({ profileId: main.id, approval: 'pending', status: 'inactive', incoming: 'server_side', outgoing: 'server_side', shared: false });
    expect(events.find((event) => event.mailboxId === tail!.id)?.detail).toEqual({ address: 'tail0@example.org', owner: 'owner3@example.org', profile: 'Main' });

    // The same file again: every row that was created now exists.
    const again = await importThroughApi(csv, { key: admin.key });
    expect(again.summary).toEqual({ created: 0, skipped: 896, refused: 104 });
    expect(await placesUsed(capped.id)).toEqual({ counted: 300, attached: 300 });
  });

  it('goes on after the last saved batch when a stopped import runs again, creating no mailbox twice', async () => {
    const addresses = Array.from({ length: 700 }, (_, index) => `resume${index}@example.org`);
    const csv = csvOf(addresses.map((address, index) => `${address},owner${index % OWNERS}@example.org,`));
    const [stored] = await db
      .insert(mailboxImports)
      .values({ dryRun: false, csv, rowCount: 700, actorId: null, actorLabel: COMMAND_LINE_ACTOR.label })
      .returning();
    // The first attempt stops once its second batch is saved, as a portal instance killed there would.
    const reports: number[] = [];
    const stopping = runMailboxImport({
      importId: stored!.id,
      reportProgress: async ({ done }) => {
        reports.push(done);
        if (reports.length === 3) throw new Error('stopped midway');
      },
    });
    await expect(stopping).rejects.toThrow('stopped midway');
    const createdCount = async () => (await db.select({ value: count() }).from(mailboxes).where(inArray(mailboxes.address, addresses)))[0]!.value;
    expect(await createdCount()).toBe(reports[2]);

    const progress: number[] = [];
    const summary = await runMailboxImport({ importId: stored!.id, reportProgress: async ({ done }) => void progress.push(done) });
    expect(summary).toEqual({ created: 700, skipped: 0, refused: 0 });
    expect(progress[0]).toBe(reports[2]);
    expect(progress.at(-1)).toBe(700);
    expect(await createdCount()).toBe(700);
    expect(await createdEvents(addresses)).toHaveLength(700);
    const { counted, attached } = await placesUsed(main.id);
    expect(counted).toBe(attached);
  });

  /** Imports `csv` by running its job's work here; `meanwhile` runs once, when the first batch is saved. */
  async function importWithChangesBetweenBatches(csv: string, rowCount: number, meanwhile: (firstBatchRows: number) => Promise<void>) {
    const [stored] = await db
      .insert(mailboxImports)
      .values({ dryRun: false, csv, rowCount, actorId: null, actorLabel: COMMAND_LINE_ACTOR.label })
      .returning();
    const reports: number[] = [];
    await runMailboxImport({
      importId: stored!.id,
      reportProgress: async ({ done }) => {
        reports.push(done);
        if (reports.length === 2) await meanwhile(done);
      },
    });
    return readImportResults(stored!.id);
  }

  it('holds the cap exactly when other changes take places between its batches', async () => {
    const before = (await placesUsed(capped.id)).counted;
    const cap = before + 500;
    await db.update(serverProfiles).set({ mailboxCap: cap }).where(eq(serverProfiles.id, capped.id));
    const csv = csvOf(Array.from({ length: 500 }, (_, index) => `full${index}@example.org,owner1@example.org,Capped`));
    let firstBatch = 0;
    // The plan found room for all 500; once the first batch is saved, other changes leave 50 places.
    const results = await importWithChangesBetweenBatches(csv, 500, async (done) => {
      firstBatch = done;
      await db.update(serverProfiles).set({ mailboxCount: cap - 50 }).where(eq(serverProfiles.id, capped.id));
    });
    const created = firstBatch + 50;
    expect(results.slice(0, created).every((row) => row.outcome === 'created')).toBe(true);
    expect(results.slice(created).every((row) => row.outcome === 'refused')).toBe(true);
    expect(results[created]).toMatchObject({ reason: { key: 'problems.profiles.fullOthersHaveRoom.message', values: { name: 'Capped', places: 1, free: 0 } } });
    expect((await placesUsed(capped.id)).counted).toBe(cap);
  });

  it('skips an address created between its batches, and gives its place back', async () => {
    await db.update(serverProfiles).set({ mailboxCap: null }).where(eq(serverProfiles.id, capped.id));
    const before = await placesUsed(capped.id);
    const csv = csvOf(Array.from({ length: 300 }, (_, index) => `race${index}@example.org,owner1@example.org,Capped`));
    let taken = '';
    const results = await importWithChangesBetweenBatches(csv, 300, async (done) => {
      taken = `race${done + 10}@example.org`;
      const [owner] = await db.select().from(users).where(eq(users.email, 'owner2@example.org'));
      await db.insert(mailboxes).values({ address: taken, ownerId: owner!.id, profileId: main.id });
    });
    expect(results.find((row) => row.address === taken)).toMatchObject({ outcome: 'skipped', reason: { key: 'mailbox.fields.addressTaken' } });
    expect(results.filter((row) => row.outcome === 'created')).toHaveLength(299);
    const after = await placesUsed(capped.id);
    expect(after.counted - before.counted).toBe(299);
    expect(after.attached - before.attached).toBe(299);
  });

  it('is for admins only, and answers 404 for an import that does not exist', async () => {
    const body = { csv: csvOf(['x@example.org,owner1@example.org,']) };
    const refused = await callRoute(importRoute.POST, { method: 'POST', path: '/api/v1/mailboxes/import', key: support.key, body });
    expect(refused.status).toBe(403);
    const { json } = await callRoute(importRoute.POST, { method: 'POST', path: '/api/v1/mailboxes/import?dryRun=true', key: admin.key, body });
    const read = (key: string, jobId: string) => callRoute(importJobRoute.GET, { path: `/api/v1/mailboxes/import/${jobId}`, key, params: { jobId } });
    expect((await read(support.key, json.jobId)).status).toBe(403);
    expect((await read(admin.key, '00000000-0000-4000-8000-000000000000')).json.error.code).toBe('NOT_FOUND');
    expect((await read(admin.key, 'not-an-id')).status).toBe(404);
  });

  it('is described in the OpenAPI document as a job: 202 with its id, then its progress and rows', async () => {
    const { json } = await callRoute(openApiRoute.GET, { path: '/api/v1/openapi.json' });
    const post = json.paths['/api/v1/mailboxes/import'].post;
    expect(post.responses['202'].content['application/json'].schema.properties).toHaveProperty('jobId');
    expect(post.parameters).toEqual([expect.objectContaining({ name: 'dryRun', in: 'query', required: false })]);
    const get = json.paths['/api/v1/mailboxes/import/{jobId}'].get;
    expect(get.parameters[0]).toMatchObject({ name: 'jobId', in: 'path', required: true });
    expect(Object.keys(get.responses['200'].content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['state', 'dryRun', 'progress', 'rows', 'summary', 'error']),
    );
  });
});
