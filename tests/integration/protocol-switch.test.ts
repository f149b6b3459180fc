// Issue 17, parts 4 and 6: a Microsoft 365 profile whose tenant turned SMTP AUTH off is named once
// by the alerts, switched by an admin to Microsoft Graph both ways (scopes and API root from the
// preset, grants ended, audited), its owners sent reconnect links in one action, and the token
// status says which protocols and resource each token is for.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sendProfileReconnectLinksAction, switchProfileToApiAction } from '@/app/(portal)/profiles/actions';
import { GET as getToken } from '@/app/api/v1/mailboxes/[id]/token/route';
import { db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, type ServerProfile, type User } from '@/db/schema';
import { findAlerts } from '@/lib/alerts/find-alerts';
import { findMailboxAlerts } from '@/lib/alerts/find-mailbox-alerts';
import { renderAlert } from '@/lib/alerts/alert';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { IDLE } from '@/lib/auth/form-action-state';
import { getEnv } from '@/lib/env';
import { applyMailboxEvent, createMailbox } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { getApiSwitchOffer, switchProfileToApi } from '@/lib/profiles/switch-profile-protocol';
import { setNotificationSender } from '@/lib/settings/notification-sender';
import { callRoute } from '../helpers/api';
import { userWithKey } from '../helpers/fixtures';
import { getLab, labControl, labIsAvailable, waitForReceivedMail } from '../helpers/lab';
import { connectLabMailbox, createLabAccount, insertLabGenericProfile, insertLabMicrosoftProfile } from '../helpers/lab-profiles';
import { openGrantToken } from '../helpers/stored-secrets';
import { form, interruption } from '../helpers/form-actions';

// The request scope and its session cookie are the one thing a test cannot produce without a
// browser; everything after them (the role check, the parsing, the writes) is real.
const session = vi.hoisted(() => ({ userId: undefined as string | undefined }));
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next-auth')>()),
  getServerSession: async () => (session.userId ? { userId: session.userId, sessionEpoch: 0, expires: '2999-01-01' } : null),
}));
vi.mock('next/server', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/server')>()), connection: async () => {} }));
vi.mock('next/cache', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/cache')>()), revalidatePath: () => {} }));
// next build sets this from next.config.mjs (experimental.authInterrupts) for forbidden().
process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = 'true';

const run = Math.random().toString(36).slice(2, 8);
const GRAPH_SCOPES = ['Mail.ReadWrite', 'Mail.ReadWrite.Shared', 'User.Read', 'Mail.Send', 'Mail.Send.Shared', 'offline_access', 'openid', 'email', 'profile'];

type Person = { user: User; key: string };
let admin: Person;
let support: Person;
let owner: Person;
let profile: ServerProfile;
let mailboxIds: string[];


const tokenStatus = (person: Person, id: string) => callRoute(getToken, { path: `/api/v1/mailboxes/${id}/token`, key: person.key, params: { id } });

async function profileAlerts() {
  return (await findAlerts()).filter((alert) => alert.profileId === profile.id).map((alert) => renderAlert(alert, 'en'));
}

describe.skipIf(!labIsAvailable)('switching a Microsoft 365 profile to Microsoft Graph', () => {
  beforeAll(async () => {
    // No request here carries a browser's language: these callers, who chose none, read English.
    getEnv().MAILROOM_DEFAULT_LOCALE = 'en';
    [admin, support, owner] = await Promise.all([
      userWithKey(`admin-${run}@example.org`, 'admin'),
      userWithKey(`support-${run}@example.org`, 'support'),
      userWithKey(`owner-${run}@example.org`, 'owner'),
    ]);
    profile = await insertLabMicrosoftProfile({ name: `Lab Microsoft 365 (switch ${run})` });
    mailboxIds = [];
    for (const name of ['ada', 'bob']) {
      const address = await createLabAccount({ provider: 'microsoft', name: `switch-${name}` });
      mailboxIds.push(await connectLabMailbox({ owner: owner.user, address, profile }));
    }
    // The tenant refuses SMTP AUTH (535 5.7.139) for both, as their tests recorded it.
    const at = new Date();
    await db
      .update(mailboxes)
      .set({
        status: 'failing',
        outgoingStatus: 'failure',
        failingSince: at,
        statusReason: { code: 'smtp_auth_disabled', message: 'SMTP AUTH is disabled for the tenant.', hint: '', at: at.toISOString() },
      })
      .where(inArray(mailboxes.id, mailboxIds));
  });

  beforeEach(() => {
    session.userId = undefined;
  });

  it('names the tenant’s refusal once for the profile, and the switch that gets past it', async () => {
    const alerts = await profileAlerts();
    expect(alerts).toEqual([
      expect.objectContaining({
        key: `tenant-refusal:smtp_auth_disabled:${profile.id}`,
        title: `2 mailboxes of ${profile.name} fail because SMTP AUTH is turned off for their tenant`,
        detail: expect.stringMatching(/^Microsoft Graph needs neither SMTP AUTH nor IMAP: switch the profile to it/),
        href: `/profiles/${profile.id}#api-switch`,
      }),
    ]);
    const ownerAlerts = await findMailboxAlerts({ viewer: owner.user, mailboxId: mailboxIds[0]! });
    expect(ownerAlerts.map((alert) => renderAlert(alert, 'en'))).toContainEqual(
      expect.objectContaining({
        title: `Microsoft refuses SMTP AUTH for the mailboxes on ${profile.name}, yours among them`,
        detail: expect.stringMatching(/Your admins can move the profile to Microsoft Graph/),
      }),
    );

    expect(await getApiSwitchOffer({ profile })).toEqual({
      apiProtocol: 'graph',
      scopes: GRAPH_SCOPES,
      apiEndpoint: 'https://graph.microsoft.com/v1.0',
      leaving: ['imap', 'smtp'],
      mailboxesToReconnect: 2,
      failing: [{ code: 'smtp_auth_disabled', count: 2 }],
    });
  });

  it('says the token is for IMAP and SMTP at outlook.office.com, never showing it', async () => {
    const { status, json, text } = await tokenStatus(owner, mailboxIds[0]!);
    expect(status, text).toBe(200);
    expect(json).toMatchObject({ state: 'valid', protocols: { incoming: 'imap', outgoing: 'smtp' }, resource: 'https://outlook.office.com' });
    const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxIds[0]!));
    expect(text).not.toContain(openGrantToken(grant!, 'accessToken'));
    expect(text).not.toContain(openGrantToken(grant!, 'refreshToken'));
  });

  it('refuses support and owners the switch, changing nothing, and owners the reconnect links', async () => {
    for (const caller of [support, owner]) {
      session.userId = caller.user.id;
      expect(await interruption(switchProfileToApiAction(IDLE, form({ id: profile.id })))).toMatch(/^NEXT_HTTP_ERROR_FALLBACK;403$/);
    }
    session.userId = owner.user.id;
    expect(await interruption(sendProfileReconnectLinksAction(IDLE, form({ id: profile.id })))).toMatch(/^NEXT_HTTP_ERROR_FALLBACK;403$/);
    const [stored] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, profile.id));
    expect(stored).toMatchObject({ incomingProtocol: 'imap', outgoingProtocol: 'smtp', apiEndpoint: null });
    expect(await db.select().from(oauthGrants).where(inArray(oauthGrants.mailboxId, mailboxIds))).toHaveLength(2);
  });

  it('moves the profile to Graph both ways for an admin: Graph scopes, the API root, grants ended, audited', async () => {
    session.userId = admin.user.id;
    const result = await switchProfileToApiAction(IDLE, form({ id: profile.id, 'endpoints.api': 'https://graph.microsoft.com/v1.0' }));
    expect(result).toMatchObject({
      status: 'success',
      message: `${profile.name} now reads and sends mail through Microsoft Graph. 2 connected mailboxes must reconnect: their tokens were issued for the previous OAuth settings and were deleted.`,
    });

    const [stored] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, profile.id));
    expect(stored).toMatchObject({
      incomingProtocol: 'graph',
      outgoingProtocol: 'graph',
      apiEndpoint: 'https://graph.microsoft.com/v1.0',
      scopes: GRAPH_SCOPES,
      incomingHost: null,
      incomingPort: null,
      outgoingHost: null,
      outgoingSecurity: null,
      // The client secret never goes to the API root: it stays.
      clientSecret: profile.clientSecret,
    });
    expect(await db.select().from(oauthGrants).where(inArray(oauthGrants.mailboxId, mailboxIds))).toEqual([]);
    for (const mailbox of await db.select().from(mailboxes).where(inArray(mailboxes.id, mailboxIds))) {
      expect(mailbox).toMatchObject({ connection: 'needs_reconnect', statusReason: expect.objectContaining({ code: 'oauth_app_changed' }) });
    }

    const { events } = await findAuditEvents({ limit: 20, profileId: profile.id });
    const update = events.find((event) => event.action === 'profile.update');
    expect(update?.actorId).toBe(admin.user.id);
    expect(update?.detail).toMatchObject({
      changes: {
        'incoming.protocol': { from: 'imap', to: 'graph' },
        'outgoing.protocol': { from: 'smtp', to: 'graph' },
        'endpoints.api': { from: null, to: 'https://graph.microsoft.com/v1.0' },
      },
      destinationChanged: ['endpoints.api'],
      grantsEnded: 2,
    });

    // Nothing is refused for SMTP AUTH any more, and there is nothing left to switch.
    expect((await profileAlerts()).map((alert) => alert.key)).not.toContain(`tenant-refusal:smtp_auth_disabled:${profile.id}`);
    expect(await getApiSwitchOffer({ profile: stored! })).toBeNull();
    await expect(switchProfileToApi({ actor: COMMAND_LINE_ACTOR, profileId: profile.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('says the next token is for Microsoft Graph at graph.microsoft.com', async () => {
    const { json } = await tokenStatus(support, mailboxIds[1]!);
    expect(json).toMatchObject({ state: 'none', protocols: { incoming: 'graph', outgoing: 'graph' }, resource: 'https://graph.microsoft.com' });
  });

  it('sends every owner a reconnect link in one action, handing them over when none can be mailed', async () => {
    session.userId = support.user.id;
    const unmailed = await sendProfileReconnectLinksAction(IDLE, form({ id: profile.id }));
    expect(unmailed).toMatchObject({
      status: 'success',
      message: 'No link was mailed. 2 links could not be mailed: give each to its owner yourself.',
      data: { tone: 'warning', refused: [] },
    });
    const notMailed = unmailed.status === 'success' ? unmailed.data!.notMailed : [];
    expect(notMailed).toHaveLength(2);
    for (const link of notMailed) {
      expect(link).toMatchObject({ ownerEmail: owner.user.email, reason: expect.stringMatching(/notification sender/), url: expect.stringMatching(/\/reconnect\/[\w-]+$/) });
    }

    // With a notification sender (a mailbox of a password profile), the links go out by mail. The
    // lab's CA reaches it the way an operator's does: through MAILROOM_EXTRA_CA_FILE.
    const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-ca-')), 'lab-ca.pem');
    writeFileSync(caFile, getLab().caCertificate);
    getEnv().MAILROOM_EXTRA_CA_FILE = caFile;
    const desk = `desk-${run}@imap.lab.test`;
    const password = `desk password ${run}`;
    await labControl.createAccount({ email: desk, provider: 'password', password });
    const generic = await insertLabGenericProfile({ name: `Lab generic (switch ${run})` });
    const sender = await createMailbox({
      actor: COMMAND_LINE_ACTOR,
      input: { address: desk, ownerId: admin.user.id, profileId: generic.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
    });
    await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: sender.id, event: 'approve' });
    await setMailboxPassword({ viewer: admin.user, mailboxId: sender.id, password });
    await setNotificationSender({ actor: COMMAND_LINE_ACTOR, choice: { mailboxId: sender.id } });

    session.userId = admin.user.id;
    const since = new Date();
    const mailed = await sendProfileReconnectLinksAction(IDLE, form({ id: profile.id }));
    expect(mailed).toEqual({
      status: 'success',
      message: '2 links were mailed to their owners.',
      data: { tone: 'success', notMailed: [], refused: [] },
    });
    const [first] = await db.select({ address: mailboxes.address }).from(mailboxes).where(eq(mailboxes.id, mailboxIds[0]!));
    const received = await waitForReceivedMail({ to: owner.user.email, subject: `Reconnect your mailbox ${first!.address}`, since });
    expect(received.envelopeFrom).toBe(desk);

    const { events } = await findAuditEvents({ limit: 50, profileId: profile.id });
    expect(events.filter((event) => event.action === 'mailbox.reconnect_link')).toHaveLength(4);
  });
});
