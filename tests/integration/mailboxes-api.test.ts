import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import * as approveRoute from '@/app/api/v1/mailboxes/[id]/approve/route';
import * as rejectRoute from '@/app/api/v1/mailboxes/[id]/reject/route';
import * as mailboxRoute from '@/app/api/v1/mailboxes/[id]/route';
import * as bulkApproveRoute from '@/app/api/v1/mailboxes/approve/route';
import * as importRoute from '@/app/api/v1/mailboxes/import/route';
import * as moveRoute from '@/app/api/v1/mailboxes/move/route';
import * as mailboxesRoute from '@/app/api/v1/mailboxes/route';
import { db } from '@/db';
import { mailboxes, serverProfiles, type ServerProfile } from '@/db/schema';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { callRoute } from '../helpers/api';
import { insertProfile, userWithKey } from '../helpers/fixtures';
import { importThroughApi, workImportJobs } from '../helpers/mailbox-import';

let admin: { key: string };
let support: { key: string };
let alice: { key: string; user: { id: string } };
let bob: { key: string; user: { id: string } };
let gmail: ServerProfile;
let spare: ServerProfile;

const create = (body: unknown, key = admin.key) =>
  callRoute(mailboxesRoute.POST, { method: 'POST', path: '/api/v1/mailboxes', key, body });
const get = (id: string, key: string) => callRoute(mailboxRoute.GET, { path: `/api/v1/mailboxes/${id}`, key, params: { id } });
const list = (query: string, key = admin.key) => callRoute(mailboxesRoute.GET, { path: `/api/v1/mailboxes?${query}`, key });
const placesUsed = async (profileId: string) =>
  (await db.select({ count: serverProfiles.mailboxCount }).from(serverProfiles).where(eq(serverProfiles.id, profileId)))[0]!.count;

beforeAll(async () => {
  admin = await userWithKey('admin@example.org', 'admin');
  support = await userWithKey('support@example.org', 'support');
  alice = await userWithKey('alice@example.org', 'owner');
  bob = await userWithKey('bob@example.org', 'owner');
});

describe('creating mailboxes', () => {
  it('asks for a profile when none is the default', async () => {
    const { status, json } = await create({ address: 'alice@example.org', ownerEmail: 'alice@example.org' });
    expect(status).toBe(422);
    expect(json.error.fields.profileId[0]).toMatch(/No profile is the default/);
  });

  it('attaches to the default profile, pending approval and not connected', async () => {
    gmail = await insertProfile({ name: 'Gmail', isDefault: true, mailboxCap: 100 });
    spare = await insertProfile({ name: 'Gmail spare', mailboxCap: 2 });
    const { status, json } = await create({ address: ' Alice@Example.org ', ownerId: alice.user.id });
    expect(status).toBe(201);
    expect(json).toMatchObject({
      address: 'alice@example.org',
      ownerEmail: 'alice@example.org',
      profileId: gmail.id,
      approval: 'pending',
      connection: 'not_connected',
      status: 'inactive',
      incoming: 'server_side',
      outgoing: 'server_side',
      incomingStatus: 'not_run',
      nextStep: 'Waiting for approval',
    });
    expect(await placesUsed(gmail.id)).toBe(1);
  });

  it('names the field for an unknown owner, a duplicate address and bad values, and creates nothing', async () => {
    const unknown = await create({ address: 'new@example.org', ownerEmail: 'nobody@example.org' });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.fields.ownerEmail[0]).toMatch(/No user has this email/);

    const duplicate = await create({ address: 'alice@example.org', ownerEmail: 'alice@example.org' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error.fields.address).toBeDefined();

    const invalid = await create({ address: 'not an address', incoming: 'sometimes' });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.json.error.fields).sort()).toEqual(['address', 'incoming', 'ownerId']);
    expect((await list('limit=200')).json.data).toHaveLength(1);
  });

  it('refuses a full profile with PROFILE_FULL, naming its cap and the profiles with room', async () => {
    await create({ address: 'one@example.org', ownerEmail: 'bob@example.org', profileId: spare.id });
    await create({ address: 'two@example.org', ownerEmail: 'bob@example.org', profileId: spare.id });
    const { status, json } = await create({ address: 'three@example.org', ownerEmail: 'bob@example.org', profileId: spare.id });
    expect(status).toBe(409);
    expect(json.error.code).toBe('PROFILE_FULL');
    expect(json.error.message).toMatch(/“Gmail spare” serves at most 2 mailboxes and is full/);
    expect(json.error.message).toMatch(/Profiles with room: Gmail \(99 free\)/);
    expect(await placesUsed(spare.id)).toBe(2);
  });

  it('is for admins only', async () => {
    expect((await create({ address: 'x@example.org', ownerEmail: 'bob@example.org' }, support.key)).status).toBe(403);
    expect((await create({ address: 'x@example.org', ownerEmail: 'bob@example.org' }, bob.key)).status).toBe(403);
  });
});

describe('who sees which mailbox', () => {
  it('shows owners only their own, and another owner’s mailbox is not found', async () => {
    const aliceList = await list('', alice.key);
    expect(aliceList.json.data.map((mailbox: { address: string }) => mailbox.address)).toEqual(['alice@example.org']);
    const bobList = await list('', bob.key);
    expect(bobList.json.data.map((mailbox: { address: string }) => mailbox.address)).toEqual(['one@example.org', 'two@example.org']);

    const aliceMailbox = aliceList.json.data[0];
    expect((await get(aliceMailbox.id, alice.key)).status).toBe(200);
    const forBob = await get(aliceMailbox.id, bob.key);
    expect(forBob.status).toBe(404);
    expect(forBob.text).not.toContain('alice');
    expect((await get(aliceMailbox.id, support.key)).json.address).toBe('alice@example.org');
  });

  it('filters by profile, approval and a prefix of the address or the owner’s email, a page at a time', async () => {
    const byProfile = await list(`profileId=${spare.id}`);
    expect(byProfile.json.data).toHaveLength(2);
    const byOwner = await list('q=BOB@');
    expect(byOwner.json.data.map((mailbox: { address: string }) => mailbox.address)).toEqual(['one@example.org', 'two@example.org']);
    const byAddress = await list('q=tw');
    expect(byAddress.json.data.map((mailbox: { address: string }) => mailbox.address)).toEqual(['two@example.org']);
    const wildcard = await list('q=%25');
    expect(wildcard.json.data).toEqual([]);
    const firstPage = await list('limit=2');
    expect(firstPage.json.nextCursor).toBe('one@example.org');
    const secondPage = await list(`limit=2&cursor=${encodeURIComponent(firstPage.json.nextCursor)}`);
    expect(secondPage.json.data.map((mailbox: { address: string }) => mailbox.address)).toEqual(['two@example.org']);
    expect(secondPage.json.nextCursor).toBeNull();
    const badFilter = await list('status=sleeping');
    expect(badFilter.status).toBe(422);
    expect(badFilter.json.error.fields.status).toBeDefined();
  });
});

describe('approval and status', () => {
  it('approves an address once, refuses a repeat with the reason, and a new address goes back to pending', async () => {
    const [mailbox] = (await list('q=alice')).json.data;
    const approved = await callRoute(approveRoute.POST, { method: 'POST', path: '', key: admin.key, params: { id: mailbox.id } });
    expect(approved.json).toMatchObject({ approval: 'approved', nextStep: 'Connect to Gmail' });
    const again = await callRoute(approveRoute.POST, { method: 'POST', path: '', key: admin.key, params: { id: mailbox.id } });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe('This address is already approved.');

    const renamed = await callRoute(mailboxRoute.PATCH, {
      method: 'PATCH',
      path: '',
      key: admin.key,
      params: { id: mailbox.id },
      body: { address: 'alice.smith@example.org' },
    });
    expect(renamed.json).toMatchObject({ address: 'alice.smith@example.org', approval: 'pending', nextStep: 'Waiting for approval' });
  });

  it('approves many at once, counting those already approved', async () => {
    const ids = (await list('')).json.data.map((mailbox: { id: string }) => mailbox.id);
    const first = await callRoute(bulkApproveRoute.POST, { method: 'POST', path: '', key: admin.key, body: { ids } });
    expect(first.json).toEqual({ changed: 3, unchanged: 0 });
    const second = await callRoute(bulkApproveRoute.POST, { method: 'POST', path: '', key: admin.key, body: { ids } });
    expect(second.json).toEqual({ changed: 0, unchanged: 3 });
    const owner = await callRoute(bulkApproveRoute.POST, { method: 'POST', path: '', key: bob.key, body: { ids } });
    expect(owner.status).toBe(403);
  });

  it('stops an active mailbox whose address is rejected', async () => {
    const [mailbox] = (await list('q=one@')).json.data;
    await db.update(mailboxes).set({ connection: 'connected', status: 'active' }).where(eq(mailboxes.id, mailbox.id));
    const rejected = await callRoute(rejectRoute.POST, { method: 'POST', path: '', key: admin.key, params: { id: mailbox.id } });
    expect(rejected.json).toMatchObject({ approval: 'rejected', status: 'inactive', nextStep: 'Address rejected by an admin' });
  });
});

describe('moving mailboxes between profiles', () => {
  it('refuses a move beyond the target’s cap and moves nothing', async () => {
    const ids = (await list(`profileId=${gmail.id}`)).json.data.map((mailbox: { id: string }) => mailbox.id);
    await db.update(serverProfiles).set({ mailboxCap: 2 }).where(eq(serverProfiles.id, gmail.id));
    const target = await insertProfile({ name: 'Tiny', mailboxCap: 0 + 1 });
    await create({ address: 'filler@example.org', ownerEmail: 'bob@example.org', profileId: target.id });
    const { status, json } = await callRoute(moveRoute.POST, { method: 'POST', path: '', key: admin.key, body: { ids, profileId: target.id } });
    expect(status).toBe(409);
    expect(json.error.code).toBe('PROFILE_FULL');
    expect(json.error.message).toMatch(/“Tiny” serves at most 1 mailbox and is full/);
    expect((await list(`profileId=${gmail.id}`)).json.data).toHaveLength(1);
  });

  it('moves within the cap; a connected mailbox needs a reconnect and is deactivated', async () => {
    const [two] = (await list('q=two@')).json.data;
    await db.update(mailboxes).set({ connection: 'connected', status: 'active', incomingStatus: 'success' }).where(eq(mailboxes.id, two.id));
    const { json } = await callRoute(moveRoute.POST, { method: 'POST', path: '', key: admin.key, body: { ids: [two.id], profileId: gmail.id } });
    expect(json).toEqual({ moved: 1, needReconnect: 1 });
    const moved = (await get(two.id, admin.key)).json;
    expect(moved).toMatchObject({
      profileId: gmail.id,
      connection: 'needs_reconnect',
      status: 'inactive',
      incomingStatus: 'not_run',
      nextStep: 'Reconnect: connect to Gmail',
    });
    expect(await placesUsed(spare.id)).toBe(1);
    expect(await placesUsed(gmail.id)).toBe(2);
    const { events } = await findAuditEvents({ limit: 5, mailboxId: two.id });
    expect(events[0]).toMatchObject({ action: 'mailbox.move', actorLabel: 'admin@example.org' });
  });

  it('frees the place of a deleted mailbox', async () => {
    const [two] = (await list('q=two@')).json.data;
    const deleted = await callRoute(mailboxRoute.DELETE, { method: 'DELETE', path: '', key: admin.key, params: { id: two.id } });
    expect(deleted.status).toBe(204);
    expect(await placesUsed(gmail.id)).toBe(1);
    expect((await get(two.id, admin.key)).status).toBe(404);
  });
});

describe('CSV import', () => {
  const post = (csv: string) =>
    callRoute(importRoute.POST, { method: 'POST', path: '/api/v1/mailboxes/import', key: admin.key, body: { csv } });

  beforeAll(workImportJobs);

  it('previews without writing, then reports created, skipped and refused rows', async () => {
    await db.update(serverProfiles).set({ mailboxCap: 100 }).where(eq(serverProfiles.id, gmail.id));
    const csv = [
      'Address,Owner email,Profile',
      'carol@example.org,alice@example.org,',
      'alice.smith@example.org,alice@example.org,',
      'carol@example.org,bob@example.org,',
      'not-an-address,bob@example.org,',
      'dan@example.org,nobody@example.org,',
      'erin@example.org,bob@example.org,Nope',
      'frank@example.org,bob@example.org,Tiny',
      'grace@example.org,bob@example.org,gmail spare',
    ].join('\n');
    const preview = await importThroughApi(csv, { key: admin.key, dryRun: true });
    expect(preview).toMatchObject({ state: 'completed', dryRun: true, progress: { done: 8, total: 8 } });
    expect((await list('q=carol')).json.data).toEqual([]);

    const json = await importThroughApi(csv, { key: admin.key });
    expect(json).toMatchObject({ state: 'completed', dryRun: false, error: null });
    const byLine = Object.fromEntries(json.rows.map((row: { line: number }) => [row.line, row]));
    expect(json.rows.map((row: { outcome: string }) => row.outcome)).toEqual(preview.rows.map((row: { outcome: string }) => row.outcome));
    expect(byLine[2]).toMatchObject({ outcome: 'created', reason: null });
    expect(byLine[3]).toMatchObject({ outcome: 'skipped', reason: 'A mailbox with this address already exists.' });
    expect(byLine[4]).toMatchObject({ outcome: 'skipped', reason: 'The same address appears earlier in the file.' });
    expect(byLine[5]).toMatchObject({ outcome: 'refused', reason: 'Invalid address “not-an-address”.' });
    expect(byLine[6]).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/Unknown owner nobody@example.org/) });
    expect(byLine[7]).toMatchObject({ outcome: 'refused', reason: 'Unknown profile “Nope”.' });
    expect(byLine[8]).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/“Tiny” serves at most 1 mailbox and is full/) });
    expect(byLine[9]).toMatchObject({ outcome: 'created' });
    expect(json.summary).toEqual({ created: 2, skipped: 2, refused: 4 });
    expect((await list('q=carol')).json.data[0]).toMatchObject({ profileName: 'Gmail', ownerEmail: 'alice@example.org' });
    expect((await list('q=grace')).json.data[0]).toMatchObject({ profileName: 'Gmail spare' });
  });

  it('changes nothing for a malformed file, refused before any job is queued', async () => {
    const before = (await list('limit=200')).json.data.length;
    for (const [csv, message] of [
      ['address,owner email\n"hank@example.org,bob@example.org\n', /not valid CSV/],
      ['address,owner email\nivy@example.org,bob@example.org\njack@example.org,bob@example.org,extra\n', /not valid CSV/],
      ['mailbox\nkim@example.org\n', /missing owner email/],
      ['address,owner\n', /no mailbox rows/],
    ] as const) {
      const { status, json } = await post(csv);
      expect(status).toBe(422);
      expect(json.error.fields.csv[0]).toMatch(message);
    }
    expect((await list('limit=200')).json.data.length).toBe(before);
  });
});
