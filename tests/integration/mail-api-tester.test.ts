// Issue 17, acceptance 1, 2 and 4 (the API side): Test and activate over Microsoft Graph and the Gmail
// API against the mail lab, each classified failure with its class and hint, a throttled request
// retried within the test's budget, a shared mailbox's Send As; and notifications sent through the APIs.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { oauthGrants, portalSettings, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { getEnv } from '@/lib/env';
import { findAlerts } from '@/lib/alerts/find-alerts';
import { renderAlert } from '@/lib/alerts/alert';
import { renderProblem } from '@/lib/errors';
import { renderText } from '@/lib/i18n/text';
import { getMailbox } from '@/lib/mailboxes/mailboxes';
import { getReader } from '@/lib/notifications/mail-text';
import { sendTestNotification } from '@/lib/notifications/send-notification';
import { oauthCallbackUrl } from '@/lib/oauth/oauth-app';
import { switchProfileToApi } from '@/lib/profiles/switch-profile-protocol';
import { findConnectionTests } from '@/lib/tester/connection-tests';
import { runConnectionTestInProcess } from '@/lib/tester/run-connection-test';
import { createUser } from '@/lib/users/users';
import { captureLogs } from '../helpers/captured-logs';
import { getLab, labControl, labIsAvailable, waitForReceivedMail, type OAuthClient } from '../helpers/lab';
import {
  connectLabMailbox,
  createLabAccount,
  reconnectLabMailbox,
  insertLabGmailApiProfile,
  insertLabGraphProfile,
  insertLabMicrosoftProfile,
} from '../helpers/lab-profiles';
import { openGrantToken } from '../helpers/stored-secrets';

const logs = captureLogs();
const run = randomBytes(3).toString('hex');
let owner: User;
let graph: ServerProfile;
let gmail: ServerProfile;

const trusted = () => ({ trustedCertificates: [getLab().caCertificate] });
const runTest = (mailboxId: string, options: { sendTestMessage?: boolean } = {}) =>
  runConnectionTestInProcess({ mailboxId, startedBy: owner, sendTestMessage: options.sendTestMessage ?? false, ...trusted() });

/** Steps as an English reader sees them: their names are stored as message keys. */
const stepNames = (steps: { name: string; ok: boolean }[]) => steps.map((step) => `${step.ok ? '✓' : '✗'} ${renderText({ key: step.name }, 'en', step.name)}`);
const detailOf = (steps: { name: string; detail: Parameters<typeof renderText>[0] }[], name: string) =>
  renderText(steps.find((step) => step.name === `tester.steps.${name}`)!.detail, 'en');

/** A lab account of this run, connected on the profile: faults set on it touch no other test. */
async function ownMailbox(provider: 'google' | 'microsoft', profile: ServerProfile, name: string): Promise<{ id: string; address: string }> {
  const address = await createLabAccount({ provider, name });
  return { id: await connectLabMailbox({ owner, address, profile }), address };
}

/** The test message a test sent, by the subject its step names (a reference of its own: runs on both databases mail the same people). */
async function testMessageOf(result: { outgoing: { steps: { name: string; detail: Parameters<typeof renderText>[0] }[] } }, address: string) {
  const subject = /^Sent “([^”]+)”/.exec(detailOf(result.outgoing.steps, 'testMessage'))![1]!;
  const received = (await labControl.receivedMessages({ to: address })).filter((message) => message.subject === subject);
  expect(received).toHaveLength(1);
  return received[0]!;
}

describe.skipIf(!labIsAvailable)('the connection tester over Microsoft Graph and the Gmail API, against the mail lab', () => {
  beforeAll(async () => {
    owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `owner-${run}@example.org`, role: 'owner' } });
    [graph, gmail] = await Promise.all([insertLabGraphProfile(), insertLabGmailApiProfile()]);
  });

  it('activates carol over Graph: every step passes, and the test message is in the sink, then in her inbox', async () => {
    const mailboxId = await connectLabMailbox({ owner, address: 'carol@contoso.lab.test', profile: graph });
    const result = await runTest(mailboxId, { sendTestMessage: true });

    expect(result).toMatchObject({ ok: true, activated: true, incoming: { status: 'success', error: null }, outgoing: { status: 'success', error: null } });
    expect(stepNames(result.incoming.steps)).toEqual(['✓ Access token', '✓ Account', '✓ Inbox']);
    expect(stepNames(result.outgoing.steps)).toEqual(['✓ Access token', '✓ Account', '✓ Send right', '✓ Test message', '✓ Test message arrived']);
    expect(detailOf(result.incoming.steps, 'apiAccount')).toBe('Microsoft Graph answers for carol@contoso.lab.test (Carol Contoso)');
    expect(detailOf(result.incoming.steps, 'apiInbox')).toMatch(/^The inbox holds \d+ messages?, \d+ unread$/);
    expect(detailOf(result.outgoing.steps, 'sendRight')).toMatch(/Mail\.Send/);
    expect(detailOf(result.outgoing.steps, 'testMessageArrived')).toMatch(/^Seen in the inbox after [\d.]+ seconds?$/);

    const message = await testMessageOf(result, 'carol@contoso.lab.test');
    expect(message.envelopeFrom).toBe('carol@contoso.lab.test');
    const inbox = await labControl.inbox({ account: 'carol@contoso.lab.test' });
    expect(inbox.map((item) => item.subject)).toContain(message.subject);
    expect(await getMailbox({ viewer: owner, id: mailboxId })).toMatchObject({ status: 'active', incomingStatus: 'success', outgoingStatus: 'success' });

    // Neither the access token nor the refresh token appears in steps, results or logs.
    const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId));
    const shown = JSON.stringify(result) + JSON.stringify(await findConnectionTests({ mailboxId, limit: 50 })) + logs.text();
    for (const secret of [openGrantToken(grant!, 'accessToken'), openGrantToken(grant!, 'refreshToken')]) expect(shown).not.toContain(secret);
  });

  it('activates alice over the Gmail API, her test message found in her inbox by its Message-ID', async () => {
    const mailboxId = await connectLabMailbox({ owner, address: 'alice@gmail.lab.test', profile: gmail });
    const result = await runTest(mailboxId, { sendTestMessage: true });

    expect(result).toMatchObject({ ok: true, activated: true });
    expect(stepNames(result.incoming.steps)).toEqual(['✓ Access token', '✓ Account', '✓ Inbox']);
    expect(stepNames(result.outgoing.steps)).toEqual(['✓ Access token', '✓ Account', '✓ Send right', '✓ Test message', '✓ Test message arrived']);
    expect(detailOf(result.incoming.steps, 'apiAccount')).toBe('The Gmail API answers for alice@gmail.lab.test');
    const sentDetail = detailOf(result.outgoing.steps, 'testMessage');
    expect(sentDetail).toMatch(/^Sent “Mailroom connection test [0-9a-f]{8}” to alice@gmail\.lab\.test through the Gmail API \(Message-ID <.+@gmail\.lab\.test>\)$/);

    const message = await testMessageOf(result, 'alice@gmail.lab.test');
    expect(message.envelopeFrom).toBe('alice@gmail.lab.test');
    const inInbox = (await labControl.inbox({ account: 'alice@gmail.lab.test' })).find((item) => item.subject === message.subject);
    expect(sentDetail).toContain(inInbox!.messageId!);
  });

  it('tests without sending anything unless asked: the send right is read from the grant', async () => {
    const { id } = await ownMailbox('microsoft', graph, 'nosend');
    const since = new Date();
    const result = await runTest(id);
    expect(stepNames(result.outgoing.steps)).toEqual(['✓ Access token', '✓ Account', '✓ Send right']);
    const { address } = (await getMailbox({ viewer: owner, id }))!;
    expect((await labControl.receivedMessages({ to: address })).filter((message) => Date.parse(message.receivedAt) >= since.getTime())).toEqual([]);
  });

  it('waits as a 429 with Retry-After: 1 asks, sends the request again, and the test passes', async () => {
    const { id, address } = await ownMailbox('microsoft', graph, 'throttled');
    const before = await labControl.apiRequests({ service: 'graph', account: address });
    await labControl.setApiThrottle({ service: 'graph', account: address, requests: 1, retryAfterSeconds: 1 });

    const result = await runTest(id);
    expect(result).toMatchObject({ ok: true, activated: true });
    const after = await labControl.apiRequests({ service: 'graph', account: address });
    expect((after.byStatus['429'] ?? 0) - (before.byStatus['429'] ?? 0)).toBe(1);
    // Account and inbox (incoming), account (outgoing), one of them sent twice.
    expect(after.total - before.total).toBe(4);
    const details = [...result.incoming.steps, ...result.outgoing.steps].map((step) => renderText(step.detail, 'en'));
    expect(details.filter((detail) => detail.includes('(Microsoft Graph asked to wait: sent again after 1 second)'))).toHaveLength(1);
  });

  it('fails as throttled when Graph asks to wait longer than the test can, for the owner to test again later', async () => {
    const { id, address } = await ownMailbox('microsoft', graph, 'overlimit');
    await labControl.setApiThrottle({ service: 'graph', account: address, requests: 10, retryAfterSeconds: 120 });
    const result = await runTest(id);
    await labControl.setApiThrottle({ service: 'graph', account: address, requests: 0, retryAfterSeconds: 0 });

    expect(result.incoming.error).toMatchObject({
      code: 'throttled',
      message: expect.stringMatching(/^Microsoft Graph is limiting requests for this mailbox and asked to wait 120 seconds, longer than the test could: 429 ApplicationThrottled/),
      hint: expect.stringMatching(/^Test again in a few minutes/),
    });
    expect(await getMailbox({ viewer: owner, id })).toMatchObject({ status: 'failing', statusReason: { code: 'throttled' } });
  });

  describe('Graph’s refusals, in Microsoft’s words', () => {
    const faults = [
      { fault: 'InvalidAuthenticationToken', code: 'auth_failed', message: /Lifetime validation failed, the token is expired\./, hint: /^Test again \(a fresh token is requested\)/ },
      { fault: 'ErrorAccessDenied', code: 'api_access_denied', message: /Access is denied/, hint: /application access policy or Conditional Access policy/ },
      { fault: 'MailboxNotEnabledForRESTAPI', code: 'api_disabled', message: /inactive, soft-deleted, or is hosted on-premise/, hint: /only active Exchange Online mailboxes/ },
    ] as const;

    for (const { fault, code, message, hint } of faults) {
      it(`${fault}: ${code}, in both directions`, async () => {
        const { id, address } = await ownMailbox('microsoft', graph, fault.toLowerCase());
        await labControl.setApiFault({ service: 'graph', account: address, fault });
        const result = await runTest(id);
        await labControl.setApiFault({ service: 'graph', account: address, fault: null });

        for (const direction of [result.incoming, result.outgoing]) {
          expect(direction.error).toMatchObject({ code, message: expect.stringMatching(message), hint: expect.stringMatching(hint) });
          expect(stepNames(direction.steps)).toEqual(['✓ Access token', '✗ Account']);
        }
      });
    }

    it('a token for outlook.office.com at Graph: the profile’s scopes are not Graph’s', async () => {
      const imapScopes = await insertLabGraphProfile({ scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access', 'openid', 'email', 'profile'] });
      const { id } = await ownMailbox('microsoft', imapScopes, 'audience');
      const result = await runTest(id);
      expect(result.incoming.error).toMatchObject({
        code: 'scope_missing',
        message: expect.stringMatching(/issued for another resource than Graph.*Invalid audience/),
        hint: expect.stringMatching(/must be Microsoft Graph’s/),
      });
    });

    it('a grant without Mail.ReadWrite: the inbox names the scope to add', async () => {
      const sendOnly = await insertLabGraphProfile({ scopes: ['Mail.Send', 'User.Read', 'offline_access', 'openid', 'email', 'profile'] });
      const { id } = await ownMailbox('microsoft', sendOnly, 'sendonly');
      const result = await runTest(id, { sendTestMessage: true });
      expect(result.incoming.error).toMatchObject({ code: 'scope_missing', hint: expect.stringMatching(/^Add Mail\.ReadWrite to the profile’s scopes/) });
      // Sending needs no more; a grant that cannot read has no arrival to watch.
      expect(result.outgoing.status).toBe('success');
      expect(stepNames(result.outgoing.steps)).toEqual(['✓ Access token', '✓ Account', '✓ Send right', '✓ Test message']);
    });
  });

  describe('the Gmail API’s refusals, in Google’s words', () => {
    let client: OAuthClient;
    let ownClientProfile: ServerProfile;

    beforeAll(async () => {
      client = await labControl.registerClient({ persona: 'google', redirectUris: [oauthCallbackUrl()], confidential: true });
      ownClientProfile = await insertLabGmailApiProfile({ client });
    });

    it('accessNotConfigured: says where to enable the Gmail API for the client’s project', async () => {
      const { id } = await ownMailbox('google', ownClientProfile, 'apioff');
      await labControl.setApiFault({ service: 'gmail', clientId: client.clientId, fault: 'accessNotConfigured' });
      const result = await runTest(id);
      await labControl.setApiFault({ service: 'gmail', clientId: client.clientId, fault: null });

      expect(result.incoming.error).toMatchObject({
        code: 'api_disabled',
        message: expect.stringMatching(/^The Gmail API is not enabled in the Google Cloud project of the profile’s OAuth client: 403 accessNotConfigured/),
        hint: expect.stringMatching(/^An admin enables the Gmail API for that project at https:\/\/console\.developers\.google\.com\/apis\/api\/gmail\.googleapis\.com\/overview\?project=\S+ \(signed in/),
      });
      const stored = (await getMailbox({ viewer: owner, id }))!;
      expect(stored).toMatchObject({ status: 'failing', statusReason: { code: 'api_disabled' } });
      expect(renderProblem(result.incoming.error!, 'fr').message).toMatch(/^L’API Gmail n’est pas activée dans le projet Google Cloud/);
    });

    it('a second mailbox refused the same way: the profile gets one alert for both, naming the API', async () => {
      const { id } = await ownMailbox('google', ownClientProfile, 'apioff2');
      await labControl.setApiFault({ service: 'gmail', clientId: client.clientId, fault: 'accessNotConfigured' });
      const result = await runTest(id);
      await labControl.setApiFault({ service: 'gmail', clientId: client.clientId, fault: null });
      expect(result.incoming.error).toMatchObject({ code: 'api_disabled' });

      const alerts = (await findAlerts()).filter((alert) => alert.profileId === ownClientProfile.id).map((alert) => renderAlert(alert, 'en'));
      expect(alerts).toEqual([
        expect.objectContaining({
          key: `tenant-refusal:api_disabled:${ownClientProfile.id}`,
          title: `2 mailboxes of ${ownClientProfile.name} fail because the provider’s API is not enabled for them`,
        }),
      ]);
    });

    it('failedPrecondition: the Workspace admin turns Gmail on for the account', async () => {
      const { id, address } = await ownMailbox('google', gmail, 'nogmail');
      await labControl.setApiFault({ service: 'gmail', account: address, fault: 'failedPrecondition' });
      const result = await runTest(id);
      await labControl.setApiFault({ service: 'gmail', account: address, fault: null });
      expect(result.outgoing.error).toMatchObject({ code: 'api_disabled', message: expect.stringMatching(/Mail service not enabled/), hint: expect.stringMatching(/Google Workspace admin turns Gmail on/) });
    });

    it('insufficientPermissions: a grant of gmail.send alone cannot read the account', async () => {
      const sendOnly = await insertLabGmailApiProfile({ scopes: ['https://www.googleapis.com/auth/gmail.send', 'openid', 'email'] });
      const { id } = await ownMailbox('google', sendOnly, 'sendscope');
      const result = await runTest(id);
      expect(result.incoming.error).toMatchObject({
        code: 'scope_missing',
        message: expect.stringMatching(/^The Gmail API needs the scope https:\/\/www\.googleapis\.com\/auth\/gmail\.modify to tell who the account is.*insufficientPermissions/),
        hint: expect.stringMatching(/^Add https:\/\/www\.googleapis\.com\/auth\/gmail\.modify to the profile’s scopes/),
      });
    });

    it('invalid_grant: the token service says to reconnect before any API call', async () => {
      const { id, address } = await ownMailbox('google', gmail, 'revoked');
      await labControl.revokeGrants({ account: address });
      const result = await runTest(id);
      for (const direction of [result.incoming, result.outgoing]) {
        expect(direction.error).toMatchObject({ code: 'token_revoked', hint: expect.stringMatching(/reconnects/) });
        expect(stepNames(direction.steps)).toEqual(['✗ Access token']);
      }
    });
  });

  describe('a shared mailbox over Graph, reached through its delegate', () => {
    async function sharedMailbox(rights: { fullAccess: boolean; sendAs: boolean }) {
      const [shared, delegate] = await Promise.all([createLabAccount({ provider: 'microsoft', name: 'shared' }), createLabAccount({ provider: 'microsoft', name: 'delegate' })]);
      await labControl.setDelegation({ mailbox: shared, delegate, ...rights });
      const id = await connectLabMailbox({ owner, address: shared, profile: graph, shared: true, signInAs: delegate });
      return { id, shared, delegate };
    }

    it('passes for a delegate with Full Access and Send As: the test message goes out as the shared mailbox', async () => {
      const { id, shared, delegate } = await sharedMailbox({ fullAccess: true, sendAs: true });
      const result = await runTest(id, { sendTestMessage: true });
      expect(result).toMatchObject({ ok: true, activated: true });
      expect(detailOf(result.incoming.steps, 'apiAccount')).toBe(`Microsoft Graph answers for ${delegate}, and reaches the shared mailbox ${shared} through it`);
      expect(stepNames(result.outgoing.steps)).toEqual(['✓ Access token', '✓ Account', '✓ Send right', '✓ Test message', '✓ Test message arrived']);
      expect((await testMessageOf(result, shared)).envelopeFrom).toBe(shared);
    });

    it('without Send As: ErrorSendAsDenied, naming who needs the right on which mailbox, while incoming passes', async () => {
      const { id, shared, delegate } = await sharedMailbox({ fullAccess: true, sendAs: false });
      const result = await runTest(id, { sendTestMessage: true });
      expect(result.incoming.status).toBe('success');
      expect(result.outgoing.error).toMatchObject({
        code: 'send_as_denied',
        message: expect.stringContaining(`Microsoft Graph does not let ${delegate} send as ${shared}: 403 ErrorSendAsDenied`),
        hint: expect.stringContaining(`Add-RecipientPermission ${shared} -AccessRights SendAs -Trustee ${delegate}`),
      });
      expect(stepNames(result.outgoing.steps)).toEqual(['✓ Access token', '✓ Account', '✓ Send right', '✗ Test message']);
      expect(await getMailbox({ viewer: owner, id })).toMatchObject({ status: 'failing', incomingStatus: 'success', outgoingStatus: 'failure', statusReason: { code: 'send_as_denied' } });
    });
  });

  it('offers Graph as the way out when Microsoft 365 refuses SMTP AUTH (5.7.139); once switched and reconnected, the test passes', async () => {
    const socketProfile = await insertLabMicrosoftProfile({ name: `Lab Microsoft 365 (IMAP and SMTP) ${run}` });
    const { id, address } = await ownMailbox('microsoft', socketProfile, 'smtpoff');
    await labControl.setSmtpAuthDisabled({ account: address, disabled: true });
    try {
      const refused = await runTest(id);
      expect(refused.outgoing.error).toMatchObject({
        code: 'smtp_auth_disabled',
        values: expect.objectContaining({ switchTo: 'graph' }),
        hint: expect.stringMatching(/switch the profile to Microsoft Graph instead \(“Switch to Microsoft Graph” on the profile’s page\)/),
      });

      // The admin takes the offer; SMTP AUTH stays off for the account, as it would for the tenant.
      await switchProfileToApi({ actor: COMMAND_LINE_ACTOR, profileId: socketProfile.id, apiEndpoint: getLab().api.graph.baseUrl });
      expect(await getMailbox({ viewer: owner, id })).toMatchObject({ connection: 'needs_reconnect' });
      await reconnectLabMailbox({ owner, mailboxId: id, signInAs: address });

      const passed = await runTest(id, { sendTestMessage: true });
      expect(passed).toMatchObject({ ok: true, activated: true, incoming: { status: 'success' }, outgoing: { status: 'success' } });
      expect(stepNames(passed.outgoing.steps)).toContain('✓ Test message');
      expect((await testMessageOf(passed, address)).envelopeFrom).toBe(address);
    } finally {
      await labControl.setSmtpAuthDisabled({ account: address, disabled: false });
    }
  });

  describe('notifications through the sender’s web API', () => {
    beforeAll(() => {
      // The lab's CA reaches the sender the way an operator's does: through MAILROOM_EXTRA_CA_FILE.
      const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-ca-')), 'lab-ca.pem');
      writeFileSync(caFile, getLab().caCertificate);
      getEnv().MAILROOM_EXTRA_CA_FILE = caFile;
    });

    for (const provider of ['microsoft', 'google'] as const) {
      it(`sends a test notification through ${provider === 'microsoft' ? 'Graph' : 'the Gmail API'}`, async () => {
        const { id, address } = await ownMailbox(provider, provider === 'microsoft' ? graph : gmail, 'notifier');
        await db.insert(portalSettings).values({ notificationMailboxId: id }).onConflictDoUpdate({ target: portalSettings.id, set: { notificationMailboxId: id } });
        const to = `admin-${run}-${provider}@example.org`;
        const since = new Date();
        expect(await sendTestNotification({ to })).toEqual({ sent: true, sender: address, to });
        // Written in the recipient's language: the portal's default, since no user has this address.
        const subject = renderText({ key: 'mails.test.subject' }, await getReader({ email: to }));
        const mail = await waitForReceivedMail({ to, subject, since });
        expect(mail.envelopeFrom).toBe(address);
      });
    }
  });
});
