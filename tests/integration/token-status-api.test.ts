// Issue 8, acceptance 2: the token status, test history and audit endpoints by role; support and
// admin read all, owners only their own, and no response ever carries a token or a secret.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { oauthGrants, serverProfiles, type ServerProfile, type User } from '@/db/schema';
import { GET as getAudit } from '@/app/api/v1/audit/route';
import { POST as postTest } from '@/app/api/v1/mailboxes/[id]/test/route';
import { GET as getTests } from '@/app/api/v1/mailboxes/[id]/tests/route';
import { GET as getToken } from '@/app/api/v1/mailboxes/[id]/token/route';
import { GET as getAlerts } from '@/app/api/v1/alerts/route';
import { GET as getMailboxAlerts } from '@/app/api/v1/mailboxes/[id]/alerts/route';
import { GET as getTimeline } from '@/app/api/v1/mailboxes/[id]/timeline/route';
import { GET as getTokenStatuses } from '@/app/api/v1/token-status/route';
import { GET as getOverview } from '@/app/api/v1/token-status/overview/route';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { applyMailboxEvent, createMailbox } from '@/lib/mailboxes/mailboxes';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { checkGrant } from '@/lib/tokens/check-grants';
import { findTokenStatuses } from '@/lib/tokens/find-token-statuses';
import { authorizeAsUser } from '../../scripts/lab/headless-user';
import { callRoute } from '../helpers/api';
import { userWithKey } from '../helpers/fixtures';
import { labControl, labIsAvailable } from '../helpers/lab';
import { createLabAccount, insertLabGoogleProfile } from '../helpers/lab-profiles';
import { openGrantToken, openStoredSecret } from '../helpers/stored-secrets';

type Person = { user: User; key: string };
let admin: Person;
let support: Person;
let owner: Person;
let otherOwner: Person;
let profile: ServerProfile;
let account: string;
let connectedId: string;
let otherId: string;
/** Every response body of this file, searched at the end for the lab's real tokens and secrets. */
const bodies: string[] = [];

async function call(handler: Parameters<typeof callRoute>[0], options: Parameters<typeof callRoute>[1]) {
  const response = await callRoute(handler, options);
  bodies.push(response.text);
  return response;
}

const token = (key: string | undefined, id: string) => call(getToken, { path: `/api/v1/mailboxes/${id}/token`, key, params: { id } });
const tests = (key: string, id: string) => call(getTests, { path: `/api/v1/mailboxes/${id}/tests`, key, params: { id } });
const audit = (key: string, query = '') => call(getAudit, { path: `/api/v1/audit${query}`, key });

async function mailboxOf(person: Person, address: string): Promise<string> {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: person.user.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  return mailbox.id;
}

describe.skipIf(!labIsAvailable)('token status API by role', () => {
  beforeAll(async () => {
    [admin, support, owner, otherOwner] = await Promise.all([
      userWithKey('admin@example.org', 'admin'),
      userWithKey('support@example.org', 'support'),
      userWithKey('owner@example.org', 'owner'),
      userWithKey('other@example.org', 'owner'),
    ]);
    profile = await insertLabGoogleProfile({ name: 'Lab Gmail (token status)' });
    account = await createLabAccount({ provider: 'google', name: 'status' });
    connectedId = await mailboxOf(owner, account);
    otherId = await mailboxOf(otherOwner, 'nobody-yet@gmail.lab.test');
    const started = await startAuthorization({ viewer: owner.user, mailboxId: connectedId });
    const callback = await authorizeAsUser({ authorizationUrl: (started as { authorizationUrl: string }).authorizationUrl, email: account });
    const { outcome } = await completeAuthorization({ userId: owner.user.id, query: Object.fromEntries(callback.searchParams) });
    expect(outcome.ok).toBe(true);
  });

  it('gives admin, support and the owner the token status in API.md’s shape', async () => {
    for (const person of [admin, support, owner]) {
      const response = await token(person.key, connectedId);
      expect(response.status).toBe(200);
      expect(Object.keys(response.json).sort()).toEqual(
        [
          'state',
          'account',
          'scopes',
          'missingScopes',
          'accessTokenExpiresAt',
          'lastRefreshAt',
          'refreshTokenObtainedAt',
          'consentExpiresAt',
          'lastError',
          'protocols',
          'resource',
          'lastSystemUse',
        ].sort(),
      );
      expect(response.json).toMatchObject({ state: 'valid', account, missingScopes: [], consentExpiresAt: null, lastError: null, lastSystemUse: null });
      // Google's one token serves every protocol: it names no resource.
      expect(response.json).toMatchObject({ protocols: { incoming: 'imap', outgoing: 'smtp' }, resource: null });
      expect(response.json.scopes).toContain('https://mail.google.com/');
    }
  });

  it('answers 404 for another owner’s mailbox, 401 without a key', async () => {
    expect((await token(otherOwner.key, connectedId)).status).toBe(404);
    expect((await token(owner.key, otherId)).status).toBe(404);
    expect((await token(undefined, connectedId)).status).toBe(401);
    expect((await token(admin.key, 'not-an-id')).status).toBe(404);
    expect((await token(otherOwner.key, otherId)).json).toMatchObject({ state: 'none', account: null });
  });

  it('gives the test history to support, admin and the owner, not to another owner', async () => {
    const run = await call(postTest, { method: 'POST', path: `/api/v1/mailboxes/${connectedId}/test`, key: support.key, params: { id: connectedId }, body: {} });
    expect(run.status).toBe(200);
    for (const person of [admin, support, owner]) {
      const response = await tests(person.key, connectedId);
      expect(response.status).toBe(200);
      expect(response.json.data[0]).toMatchObject({ id: run.json.id, incoming: { steps: expect.any(Array) } });
    }
    expect((await tests(otherOwner.key, connectedId)).status).toBe(404);
  });

  it('lists audit events to admin and support only, by mailbox or profile, a page at a time', async () => {
    for (const person of [admin, support]) {
      const response = await audit(person.key, `?mailboxId=${connectedId}`);
      expect(response.status).toBe(200);
      expect(response.json.data.length).toBeGreaterThan(0);
      expect(response.json.data.every((event: { mailboxId: string }) => event.mailboxId === connectedId)).toBe(true);
    }
    expect((await audit(owner.key)).status).toBe(403);
    const first = await audit(support.key, `?profileId=${profile.id}&limit=1`);
    expect(first.json.data).toHaveLength(1);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await audit(support.key, `?profileId=${profile.id}&limit=1&cursor=${first.json.nextCursor}`);
    expect(second.json.data[0].id).not.toBe(first.json.data[0].id);
    expect((await audit(support.key, '?mailboxId=nope')).status).toBe(422);
  });

  it('shows a grant revoked at the provider as revoked, with the hint, once the check has run', async () => {
    await labControl.revokeGrants({ account });
    expect(await checkGrant({ mailboxId: connectedId, prove: true })).toBe('needs_reconnect');
    const response = await token(support.key, connectedId);
    expect(response.json).toMatchObject({
      state: 'revoked',
      lastError: { code: 'invalid_grant', hint: expect.stringMatching(/connects the mailbox again/) },
    });
    expect(response.json.lastError).not.toHaveProperty('key');
    // Support staff who read French see the same reason in French, with the same code.
    const french = await call(getToken, { path: `/api/v1/mailboxes/${connectedId}/token`, key: support.key, params: { id: connectedId }, headers: { 'accept-language': 'fr' } });
    expect(french.json).toMatchObject({
      state: 'revoked',
      lastError: {
        code: 'invalid_grant',
        message: expect.stringMatching(/^Le fournisseur n’accepte plus l’autorisation de cette boîte aux lettres \(invalid_grant/),
        hint: 'Le consentement a été révoqué, a expiré ou a été remplacé\u00a0: le propriétaire connecte de nouveau la boîte aux lettres.',
        at: response.json.lastError.at,
      },
    });
    expect(Object.keys(french.json.lastError).sort()).toEqual(['at', 'code', 'hint', 'message']);
    const { rows } = await findTokenStatuses({ viewer: support.user, filters: { state: 'revoked' }, limit: 10 });
    expect(rows.map((row) => row.mailboxId)).toEqual([connectedId]);
  });

  it('gives support and admins the token status list, overview, alerts and timeline; owners only their mailbox’s alerts', async () => {
    for (const person of [admin, support]) {
      const list = await call(getTokenStatuses, { path: `/api/v1/token-status?profileId=${profile.id}&state=revoked`, key: person.key });
      expect(list.status).toBe(200);
      expect(list.json.data).toHaveLength(1);
      expect(list.json.data[0]).toMatchObject({ mailboxId: connectedId, address: account, ownerEmail: owner.user.email, state: 'revoked', connection: 'needs_reconnect' });

      const overview = await call(getOverview, { path: '/api/v1/token-status/overview', key: person.key });
      expect(overview.json.figures.find((figure: { key: string }) => figure.key === 'needs_reconnect')).toMatchObject({
        value: 1,
        href: '/token-status?connection=needs_reconnect',
      });
      expect((await call(getAlerts, { path: '/api/v1/alerts', key: person.key })).json.data).toEqual(expect.any(Array));

      const timeline = await call(getTimeline, { path: `/api/v1/mailboxes/${connectedId}/timeline`, key: person.key, params: { id: connectedId } });
      expect(timeline.json.data.map((entry: { title: string }) => entry.title)).toEqual(
        expect.arrayContaining(['Token refused: needs reconnect', 'Refresh refused', `Connected as ${account}`, 'Address approved']),
      );
      expect(timeline.json.data.find((entry: { testId: string | null }) => entry.testId)).toBeDefined();
    }
    const paged = await call(getTokenStatuses, { path: `/api/v1/token-status?profileId=${profile.id}&limit=1&sort=expiry`, key: support.key });
    const next = await call(getTokenStatuses, { path: `/api/v1/token-status?profileId=${profile.id}&limit=1&sort=expiry&cursor=${paged.json.nextCursor}`, key: support.key });
    expect([paged.json.data[0].mailboxId, next.json.data[0].mailboxId].sort()).toEqual([connectedId, otherId].sort());
    expect((await call(getTokenStatuses, { path: '/api/v1/token-status?state=bogus', key: support.key })).status).toBe(422);

    for (const path of ['/api/v1/token-status', '/api/v1/token-status/overview', '/api/v1/alerts']) {
      expect((await call(path.endsWith('alerts') ? getAlerts : path.endsWith('overview') ? getOverview : getTokenStatuses, { path, key: owner.key })).status).toBe(403);
    }
    expect((await call(getTimeline, { path: `/api/v1/mailboxes/${connectedId}/timeline`, key: owner.key, params: { id: connectedId } })).status).toBe(403);
    const ownAlerts = await call(getMailboxAlerts, { path: `/api/v1/mailboxes/${connectedId}/alerts`, key: owner.key, params: { id: connectedId } });
    expect(ownAlerts.status).toBe(200);
    expect(ownAlerts.json.data).toEqual(expect.any(Array));
    expect((await call(getMailboxAlerts, { path: `/api/v1/mailboxes/${connectedId}/alerts`, key: otherOwner.key, params: { id: connectedId } })).status).toBe(404);
  });

  it('never answered with a token or a secret', async () => {
    const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, connectedId));
    const [stored] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, profile.id));
    const secrets = [
      [grant!.accessToken!, openGrantToken(grant!, 'accessToken')],
      [grant!.refreshToken!, openGrantToken(grant!, 'refreshToken')],
      [stored!.clientSecret!, openStoredSecret(serverProfiles.clientSecret, stored!.id, stored!.clientSecret!)],
    ].flat();
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const everything = bodies.join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
