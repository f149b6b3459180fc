import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { auditEvents, mailboxes, oauthGrants, serverProfiles, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { checkGrant, findGrantsToCheck } from '@/lib/tokens/check-grants';
import { findMailboxTimeline, renderTimelineEntry } from '@/lib/audit/find-mailbox-timeline';
import { getTokenStatus, getTokenStatusRow, tokenStateCondition } from '@/lib/tokens/find-token-statuses';
import { getAccessToken } from '@/lib/tokens/get-access-token';
import { findRefreshAttempts, REFRESHES_KEPT } from '@/lib/tokens/refresh-history';
import { updateProfile } from '@/lib/profiles/profiles';
import { createUser } from '@/lib/users/users';
import { captureLogs } from '../helpers/captured-logs';
import { getLab, imapLogin, labControl, labIsAvailable } from '../helpers/lab';
import { connectLabMailbox, createLabAccount, insertLabGoogleProfile, insertLabMicrosoftProfile } from '../helpers/lab-profiles';
import { openGrantToken } from '../helpers/stored-secrets';

const logs = captureLogs();
let owner: User;
let google: ServerProfile;
let microsoft: ServerProfile;

const connectedMailbox = (address: string, profile: ServerProfile) => connectLabMailbox({ owner, address, profile });

const expireAccessToken = (mailboxId: string) =>
  db.update(oauthGrants).set({ accessTokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(oauthGrants.mailboxId, mailboxId));
const storedGrant = async (mailboxId: string) => (await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId)))[0]!;

describe.skipIf(!labIsAvailable)('keeping tokens alive', () => {
  beforeAll(async () => {
    owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'owner@example.org', role: 'owner' } });
    google = await insertLabGoogleProfile();
    microsoft = await insertLabMicrosoftProfile();
  });

  it('makes exactly one refresh call for 50 concurrent requests of an expired token', async () => {
    // A client of its own, so the lab counts this test's token requests alone.
    const client = await labControl.registerClient({
      persona: 'google',
      redirectUris: ['http://localhost:3000/api/oauth/callback'],
      confidential: true,
    });
    const profile = await insertLabGoogleProfile({ name: 'Lab Gmail (counted)', client });
    const mailboxId = await connectedMailbox('alice@gmail.lab.test', profile);
    await expireAccessToken(mailboxId);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => getAccessToken({ mailboxId })));
    expect((await labControl.tokenRequests({ clientId: client.clientId })).google).toMatchObject({
      authorization_code: 1,
      refresh_token: 1,
    });
    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    await imapLogin({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: 'alice@gmail.lab.test', accessToken: tokens[0]!.accessToken } });
  });

  it('keeps the newest rotated refresh token through 20 rounds of concurrent refreshes', async () => {
    const mailboxId = await connectedMailbox('carol@contoso.lab.test', microsoft);
    const seen = new Set<string>();
    for (let round = 0; round < 20; round += 1) {
      await expireAccessToken(mailboxId);
      await Promise.all(Array.from({ length: 10 }, () => getAccessToken({ mailboxId })));
      seen.add(openGrantToken(await storedGrant(mailboxId), 'refreshToken'));
    }
    // Microsoft rotates on every refresh: 20 rounds gave 20 different refresh tokens, and the one
    // stored last is still accepted (a replaced one would answer invalid_grant).
    expect(seen.size).toBe(20);
    await expireAccessToken(mailboxId);
    const { accessToken } = await getAccessToken({ mailboxId });
    await imapLogin({ endpoint: getLab().mail.microsoft.imap.tls, auth: { user: 'carol@contoso.lab.test', accessToken } });
    expect((await getMailbox({ viewer: owner, id: mailboxId }))!.connection).toBe('connected');
    // Each of the 21 refreshes is in the mailbox's history, newest first, each with its rotation.
    const attempts = await findRefreshAttempts(mailboxId);
    expect(attempts).toHaveLength(21);
    expect(attempts.every((attempt) => attempt.ok && attempt.rotated && attempt.error === null)).toBe(true);
    expect(attempts.map((attempt) => attempt.at.getTime())).toEqual(attempts.map((attempt) => attempt.at.getTime()).sort((a, b) => b - a));
  });

  it('keeps the last refreshes of a mailbox, overwriting the oldest beyond what it keeps', async () => {
    const mailboxId = await connectedMailbox(await createLabAccount({ provider: 'google', name: 'history' }), google);
    const refreshedAt: number[] = [];
    for (let round = 0; round < REFRESHES_KEPT + 6; round += 1) {
      await expireAccessToken(mailboxId);
      await getAccessToken({ mailboxId });
      refreshedAt.push((await storedGrant(mailboxId)).lastRefreshAt!.getTime());
    }
    const attempts = await findRefreshAttempts(mailboxId);
    expect(attempts).toHaveLength(REFRESHES_KEPT);
    // The newest kept is the last refresh; the oldest kept is the one REFRESHES_KEPT back.
    expect(attempts[0]!.at.getTime()).toBeGreaterThanOrEqual(refreshedAt.at(-1)!);
    expect(attempts.at(-1)!.at.getTime()).toBeGreaterThanOrEqual(refreshedAt.at(-REFRESHES_KEPT)!);
    expect(attempts.at(-1)!.at.getTime()).toBeGreaterThan(refreshedAt.at(-REFRESHES_KEPT - 1)!);
    // Google sends no new refresh token on refresh: nothing was rotated.
    expect(attempts.some((attempt) => attempt.rotated)).toBe(false);
  });

  it('leaves the stored tokens intact when the token endpoint answers 500', async () => {
    // A client of its own: the fault must not reach the other test files using the lab meanwhile.
    const client = await labControl.registerClient({ persona: 'google', redirectUris: ['http://localhost:3000/api/oauth/callback'], confidential: true });
    const mailboxId = await connectedMailbox('bob@gmail.lab.test', await insertLabGoogleProfile({ name: 'Lab Gmail (failing)', client }));
    await expireAccessToken(mailboxId);
    const before = await storedGrant(mailboxId);
    await labControl.setTokenFault({ persona: 'google', clientId: client.clientId, fault: 'server_error' });
    await expect(getAccessToken({ mailboxId })).rejects.toMatchObject({ reach: 'temporary', code: 'provider_unavailable' });
    const after = await storedGrant(mailboxId);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect(after.accessToken).toBe(before.accessToken);
    expect(after.version).toBe(before.version);
    expect((await getMailbox({ viewer: owner, id: mailboxId }))!.connection).toBe('connected');

    await labControl.setTokenFault({ persona: 'google', clientId: client.clientId, fault: null });
    await expect(getAccessToken({ mailboxId })).resolves.toMatchObject({ account: 'bob@gmail.lab.test' });
    const [success, failure] = await findRefreshAttempts(mailboxId);
    expect(success).toMatchObject({ ok: true, error: null });
    expect(failure).toMatchObject({ ok: false, error: { code: 'provider_unavailable', temporary: true } });
  });

  it('turns a mailbox whose grant was revoked at the provider to needs_reconnect at the next check, with the reason', async () => {
    const account = await createLabAccount({ provider: 'microsoft', name: 'revoked' });
    const mailboxId = await connectedMailbox(account, microsoft);
    await db.update(mailboxes).set({ status: 'active' }).where(eq(mailboxes.id, mailboxId));
    await db.update(oauthGrants).set({ lastCheckedAt: new Date(Date.now() - 2 * 24 * 3600 * 1000) }).where(eq(oauthGrants.mailboxId, mailboxId));
    await labControl.revokeGrants({ account });

    const due = await findGrantsToCheck();
    const check = due.find((grant) => grant.mailboxId === mailboxId);
    expect(check).toEqual({ mailboxId, prove: true });
    expect(await checkGrant(check!)).toBe('needs_reconnect');
    const mailbox = await getMailbox({ viewer: owner, id: mailboxId });
    expect(mailbox).toMatchObject({
      connection: 'needs_reconnect',
      status: 'failing',
      statusReason: { code: 'invalid_grant', hint: expect.stringMatching(/connects the mailbox again/) },
    });
    // A second check changes nothing and records no second event.
    expect(await checkGrant(check!)).toBe('needs_reconnect');
    const events = await db.select().from(auditEvents).where(eq(auditEvents.mailboxId, mailboxId));
    expect(events.filter((event) => event.action === 'mailbox.needs_reconnect')).toHaveLength(1);
    // Support reads both refusals in the mailbox's timeline, with what fixes them.
    const status = await getTokenStatusRow({ viewer: owner, mailboxId });
    const timeline = (await findMailboxTimeline({ status: status! })).map((entry) => renderTimelineEntry(entry, 'en'));
    const refusals = timeline.filter((entry) => entry.title === 'Refresh refused');
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({ kind: 'failure', detail: expect.any(String), hint: expect.stringMatching(/connects the mailbox again/) });
  });

  it('tells the profile once when the provider refuses its app', async () => {
    const mailboxId = await connectedMailbox(await createLabAccount({ provider: 'microsoft', name: 'refused' }), microsoft);
    await db.update(serverProfiles).set({ clientId: 'unknown-client' }).where(eq(serverProfiles.id, microsoft.id));
    await expireAccessToken(mailboxId);
    await expect(getAccessToken({ mailboxId })).rejects.toMatchObject({ reach: 'profile', code: 'invalid_client' });
    const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, microsoft.id));
    expect(profile!.clientError).toMatchObject({ code: 'invalid_client', hint: expect.stringMatching(/client secret/) });
    expect((await getMailbox({ viewer: owner, id: mailboxId }))!.connection).toBe('connected');

    // Once the provider takes the client again, the refusal ends by itself, and says so once.
    await db.update(serverProfiles).set({ clientId: getLab().personas.microsoft.clients.web!.clientId }).where(eq(serverProfiles.id, microsoft.id));
    await getAccessToken({ mailboxId });
    const [accepted] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, microsoft.id));
    expect(accepted!.clientError).toBeNull();
    await expireAccessToken(mailboxId);
    await getAccessToken({ mailboxId });
    const events = await db.select().from(auditEvents).where(eq(auditEvents.profileId, microsoft.id));
    expect(events.filter((event) => event.action === 'profile.client_accepted')).toHaveLength(1);
  });

  it('ends a profile’s refusal when an admin gives it another client secret', async () => {
    const refused = await insertLabGoogleProfile({
      name: 'Lab Gmail (refused)',
      clientError: { code: 'invalid_client', message: 'Refused.', hint: 'Check the client id and client secret.', at: new Date().toISOString() },
    });
    await updateProfile({ actor: COMMAND_LINE_ACTOR, id: refused.id, input: { name: 'Lab Gmail (renamed)' } });
    expect((await db.select().from(serverProfiles).where(eq(serverProfiles.id, refused.id)))[0]!.clientError).not.toBeNull();
    await updateProfile({ actor: COMMAND_LINE_ACTOR, id: refused.id, input: { clientSecret: 'a-new-secret-from-the-console' } });
    expect((await db.select().from(serverProfiles).where(eq(serverProfiles.id, refused.id)))[0]!.clientError).toBeNull();
  });

  it('logged no token', async () => {
    for (const grant of await db.select().from(oauthGrants)) {
      if (grant.refreshToken) expect(logs.text()).not.toContain(openGrantToken(grant, 'refreshToken'));
      if (grant.accessToken) expect(logs.text()).not.toContain(openGrantToken(grant, 'accessToken'));
    }
  });
});

describe.skipIf(!labIsAvailable)('freshness relative to the token’s lifetime', () => {
  beforeAll(async () => {
    owner ??= await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'owner@example.org', role: 'owner' } });
  });

  /** A mailbox connected through a Google client of its own, whose access tokens live `seconds`. */
  async function mailboxWithTokensOf(seconds: number) {
    const client = await labControl.registerClient({ persona: 'google', redirectUris: ['http://localhost:3000/api/oauth/callback'], confidential: true });
    await labControl.setAccessTokenLifetime({ persona: 'google', clientId: client.clientId, seconds });
    const profile = await insertLabGoogleProfile({ name: `Lab Gmail (${seconds} s tokens) ${client.clientId}`, client });
    const account = await createLabAccount({ provider: 'google', name: `lifetime-${seconds}` });
    const mailboxId = await connectedMailbox(account, profile);
    const refreshes = async () => (await labControl.tokenRequests({ clientId: client.clientId })).google.refresh_token;
    return { mailboxId, refreshes };
  }

  /** Whether the token-status list filtered on `state` holds the mailbox: the SQL twin of what the row shows. */
  async function listedAs(mailboxId: string, state: 'valid' | 'expiring') {
    const rows = await db.select({ id: mailboxes.id }).from(mailboxes)
      .innerJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id))
      .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
      .where(and(eq(mailboxes.id, mailboxId), tokenStateCondition(state)));
    return rows.length === 1;
  }

  it('with 300-second tokens, 30 uses within a minute cause at most one refresh, and token status says valid right after a refresh', async () => {
    const { mailboxId, refreshes } = await mailboxWithTokensOf(300);
    expect((await storedGrant(mailboxId)).accessTokenExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    for (let use = 0; use < 30; use += 1) await getAccessToken({ mailboxId });
    expect(await refreshes()).toBeLessThanOrEqual(1);

    await getAccessToken({ mailboxId, refreshedSince: new Date() });
    expect((await getTokenStatus({ viewer: owner, mailboxId })).state).toBe('valid');
    expect(await listedAs(mailboxId, 'valid')).toBe(true);
    // Not refreshed ahead by the background check: it would be at every check, for nothing.
    expect((await findGrantsToCheck()).map((grant) => grant.mailboxId)).not.toContain(mailboxId);
  });

  it.each([60, 300, 3600])('with %i-second tokens: fresh when issued, refreshed once when stale, valid after', async (seconds) => {
    const { mailboxId, refreshes } = await mailboxWithTokensOf(seconds);
    const before = await getAccessToken({ mailboxId });
    expect(await refreshes()).toBe(0);
    expect((await getTokenStatus({ viewer: owner, mailboxId })).state).toBe('valid');
    expect((await findGrantsToCheck()).map((grant) => grant.mailboxId)).not.toContain(mailboxId);

    // As if two thirds of its life (or all but five minutes) had passed: no longer fresh.
    const margin = Math.min(300, Math.max(5, seconds / 3));
    const shift = (seconds - margin + 1) * 1000;
    const grant = await storedGrant(mailboxId);
    await db.update(oauthGrants).set({
      consentedAt: new Date(grant.consentedAt.getTime() - shift),
      accessTokenExpiresAt: new Date(grant.accessTokenExpiresAt!.getTime() - shift),
    }).where(eq(oauthGrants.mailboxId, mailboxId));
    // Only a token long-lived enough is refreshed ahead by the background check, and shown late until then.
    expect((await findGrantsToCheck()).some((due) => due.mailboxId === mailboxId)).toBe(seconds === 3600);
    expect((await getTokenStatus({ viewer: owner, mailboxId })).state).toBe(seconds === 3600 ? 'expiring' : 'valid');
    expect(await listedAs(mailboxId, 'expiring')).toBe(seconds === 3600);

    const after = await getAccessToken({ mailboxId });
    expect(after.accessToken).not.toBe(before.accessToken);
    for (let use = 0; use < 5; use += 1) await getAccessToken({ mailboxId });
    expect(await refreshes()).toBe(1);
    expect((await getTokenStatus({ viewer: owner, mailboxId })).state).toBe('valid');
  });
});
