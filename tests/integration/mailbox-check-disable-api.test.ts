// Issue 15: "Check now", disable and enable have API twins of the portal's buttons.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServerProfile, User } from '@/db/schema';
import { GET as getAudit } from '@/app/api/v1/audit/route';
import { POST as postDisable } from '@/app/api/v1/mailboxes/[id]/disable/route';
import { POST as postEnable } from '@/app/api/v1/mailboxes/[id]/enable/route';
import { GET as getMailbox } from '@/app/api/v1/mailboxes/[id]/route';
import { POST as postCheck } from '@/app/api/v1/mailboxes/[id]/token/check/route';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { applyMailboxEvent, createMailbox } from '@/lib/mailboxes/mailboxes';
import { callRoute } from '../helpers/api';
import { userWithKey } from '../helpers/fixtures';
import { labControl, labIsAvailable } from '../helpers/lab';
import { connectLabMailbox, createLabAccount, insertLabGoogleProfile } from '../helpers/lab-profiles';

type Person = { user: User; key: string };
let admin: Person;
let support: Person;
let owner: Person;
let profile: ServerProfile;
let unconnectedId: string;

const post = (handler: typeof postCheck, action: string, key: string, id: string) =>
  callRoute(handler, { method: 'POST', path: `/api/v1/mailboxes/${id}/${action}`, key, params: { id } });
const check = (key: string, id: string) => post(postCheck, 'token/check', key, id);
const disable = (key: string, id: string) => post(postDisable, 'disable', key, id);
const enable = (key: string, id: string) => post(postEnable, 'enable', key, id);
const mailbox = (key: string, id: string) => callRoute(getMailbox, { path: `/api/v1/mailboxes/${id}`, key, params: { id } });
const auditActions = async (id: string): Promise<{ action: string; actor: string; detail: Record<string, unknown> }[]> =>
  (await callRoute(getAudit, { path: `/api/v1/audit?mailboxId=${id}`, key: admin.key })).json.data;

describe.skipIf(!labIsAvailable)('check now, disable and enable through the API', () => {
  beforeAll(async () => {
    [admin, support, owner] = await Promise.all([
      userWithKey('admin@example.org', 'admin'),
      userWithKey('support@example.org', 'support'),
      userWithKey('owner@example.org', 'owner'),
    ]);
    profile = await insertLabGoogleProfile({ name: 'Lab Gmail (check now)' });
    const created = await createMailbox({
      actor: COMMAND_LINE_ACTOR,
      input: { address: 'not-yet@gmail.lab.test', ownerId: owner.user.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
    });
    await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: created.id, event: 'approve' });
    unconnectedId = created.id;
  });

  it('refuses the owner, even on their own mailbox: check is for support and admins, disable and enable for admins', async () => {
    expect((await check(owner.key, unconnectedId)).status).toBe(403);
    expect((await disable(owner.key, unconnectedId)).status).toBe(403);
    expect((await enable(owner.key, unconnectedId)).status).toBe(403);
    expect((await disable(support.key, unconnectedId)).status).toBe(403);
    expect((await mailbox(admin.key, unconnectedId)).json.status).not.toBe('disabled');
  });

  it('answers 404 for a mailbox that does not exist', async () => {
    const unknown = randomUUID();
    for (const response of [await check(admin.key, unknown), await disable(admin.key, unknown), await enable(admin.key, unknown)]) {
      expect(response.status).toBe(404);
      expect(response.json.error.code).toBe('NOT_FOUND');
    }
  });

  it('refuses to check a mailbox without a grant, saying what to do, and audits nothing', async () => {
    const response = await check(support.key, unconnectedId);
    expect(response.status).toBe(409);
    expect(response.json.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/no working grant/), hint: expect.stringMatching(/connects it/) });
    expect((await auditActions(unconnectedId)).map((event) => event.action)).not.toContain('mailbox.check');
  });

  it('proves a connected grant at the provider and answers its token status, audited; a revoked grant shows as revoked', async () => {
    const account = await createLabAccount({ provider: 'google', name: 'check-now' });
    const connectedId = await connectLabMailbox({ owner: owner.user, address: account, profile });

    const valid = await check(support.key, connectedId);
    expect(valid.status).toBe(200);
    expect(valid.json).toMatchObject({ state: 'valid', account, lastError: null, lastRefreshAt: expect.any(String) });
    expect(valid.text).not.toMatch(/refresh_?token"\s*:\s*"/i);
    expect(await auditActions(connectedId)).toContainEqual(
      expect.objectContaining({ action: 'mailbox.check', actor: 'support@example.org', detail: { result: 'valid' } }),
    );

    await labControl.revokeGrants({ account });
    const revoked = await check(admin.key, connectedId);
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ state: 'revoked', lastError: { code: 'invalid_grant', hint: expect.any(String) } });
    expect((await mailbox(admin.key, connectedId)).json.connection).toBe('needs_reconnect');
    expect(await auditActions(connectedId)).toContainEqual(expect.objectContaining({ action: 'mailbox.check', detail: { result: 'needs_reconnect' } }));
  });

  it('disables and enables a mailbox, visible on the mailbox and in its audit', async () => {
    const before = (await mailbox(admin.key, unconnectedId)).json.status;
    const disabled = await disable(admin.key, unconnectedId);
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ id: unconnectedId, status: 'disabled' });
    expect((await mailbox(support.key, unconnectedId)).json.status).toBe('disabled');

    const again = await disable(admin.key, unconnectedId);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/already disabled/);

    const enabled = await enable(admin.key, unconnectedId);
    expect(enabled.status).toBe(200);
    expect((await mailbox(admin.key, unconnectedId)).json.status).toBe(before);
    const actions = (await auditActions(unconnectedId)).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['mailbox.disable', 'mailbox.enable']));
    expect(actions.indexOf('mailbox.enable')).toBeLessThan(actions.indexOf('mailbox.disable'));
  });
});
