// Issue 7, acceptance 2, 3 and 5: the connection tester against the mail lab, on each database.
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { auditEvents, connectionTests, mailboxes, oauthGrants, serverProfiles, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { secretPlace } from '@/lib/crypto/secret-place';
import { encryptSecret } from '@/lib/crypto/secrets';
import { getEnv } from '@/lib/env';
import { renderText } from '@/lib/i18n/text';
import { applyMailboxEvent, createMailbox, getMailbox, profileOf } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { nextStep as decideNextStep, statusReasonFor as statusReasonTexts } from '@/lib/mailboxes/status';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { oauthCallbackUrl } from '@/lib/oauth/oauth-app';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { findConnectionTests } from '@/lib/tester/connection-tests';
import { ABANDONED_AFTER_MS, closeAbandonedConnectionTests, runConnectionTestInProcess, createOrJoinConnectionTest, TESTS_KEPT } from '@/lib/tester/run-connection-test';
import { testMailbox } from '@/lib/tester/test-mailbox';
import { createUser } from '@/lib/users/users';
import { onCrlfLines } from '../../scripts/lab/crlf-lines';
import { authorizeAsUser, grantAdminConsent } from '../../scripts/lab/headless-user';
import { createTlsMaterial } from '../../scripts/lab/tls-material';
import { captureLogs } from '../helpers/captured-logs';
import { insertProfile } from '../helpers/fixtures';
import { getLab, labControl, labIsAvailable } from '../helpers/lab';
import { insertLabGenericProfile, insertLabGoogleProfile, insertLabMicrosoftProfile } from '../helpers/lab-profiles';
import { openGrantToken } from '../helpers/stored-secrets';

const logs = captureLogs();

/** The next step and the reason as an English reader sees them. */
const nextStep = (...args: Parameters<typeof decideNextStep>) => {
  const step = decideNextStep(...args);
  return { ...step, label: renderText(step.label, 'en') };
};
const statusReasonFor = (...args: Parameters<typeof statusReasonTexts>) => {
  const reason = statusReasonTexts(...args);
  return reason && { message: renderText(reason.message, 'en'), hint: renderText(reason.hint, 'en') };
};
const run = randomBytes(3).toString('hex');
let owner: User;
let google: ServerProfile;
let microsoft: ServerProfile;
const listeners: Server[] = [];
const hangingSockets: Socket[] = [];

const trusted = () => ({ trustedCertificates: [getLab().caCertificate] });

async function approvedMailbox(address: string, profile: ServerProfile, options: { incoming?: 'server_side' | 'none'; outgoing?: 'server_side' | 'none' } = {}) {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: owner.id, profileId: profile.id, incoming: options.incoming ?? 'server_side', outgoing: options.outgoing ?? 'server_side', shared: false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  return mailbox;
}

/** A fresh lab account for this run (faults on one account then touch no other test), connected through OAuth. */
async function connectedOAuthMailbox(persona: 'google' | 'microsoft', profile: ServerProfile, name: string) {
  const address = `${name}-${run}@${persona === 'google' ? 'gmail' : 'contoso'}.lab.test`;
  await labControl.createAccount({ email: address, provider: persona });
  const mailbox = await approvedMailbox(address, profile);
  const started = await startAuthorization({ viewer: owner, mailboxId: mailbox.id });
  if (started.flow !== 'code') throw new Error('expected the code flow');
  const callback = await authorizeAsUser({ authorizationUrl: started.authorizationUrl, email: address });
  const { outcome } = await completeAuthorization({ userId: owner.id, query: Object.fromEntries(callback.searchParams) });
  expect(outcome.ok, outcome.message).toBe(true);
  return mailbox;
}

async function passwordAccount(name: string) {
  const address = `${name}-${run}@imap.lab.test`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  await labControl.createAccount({ email: address, provider: 'password', password });
  return { address, password };
}

async function passwordMailbox(profile: ServerProfile, account: { address: string }, storedPassword: string) {
  const mailbox = await approvedMailbox(account.address, profile);
  await setMailboxPassword({ viewer: owner, mailboxId: mailbox.id, password: storedPassword });
  return mailbox;
}

function genericProfile(overrides: Parameters<typeof insertProfile>[0] = {}) {
  return insertLabGenericProfile({ connectionTimeoutSeconds: 5, ...overrides });
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  listeners.push(server);
  return (server.address() as { port: number }).port;
}

/** Steps as an English reader sees them: their names are stored as message keys. */
const stepNames = (steps: { name: string; ok: boolean }[]) => steps.map((step) => `${step.ok ? '✓' : '✗'} ${renderText({ key: step.name }, 'en', step.name)}`);

describe.skipIf(!labIsAvailable)('the connection tester, against the mail lab', () => {
  beforeAll(async () => {
    owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: `owner-${run}@example.org`, role: 'owner' } });
    google = await insertLabGoogleProfile();
    microsoft = await insertLabMicrosoftProfile();
  });
  afterAll(async () => {
    for (const socket of hangingSockets) socket.destroy();
    await Promise.all(listeners.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('activates a connected, approved Gmail mailbox: every step passes, in both directions at once, and the test message arrives', async () => {
    const mailbox = await connectedOAuthMailbox('google', google, 'active');
    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, sendTestMessage: true, ...trusted() });

    expect(result).toMatchObject({ ok: true, activated: true, incoming: { status: 'success', error: null }, outgoing: { status: 'success', error: null } });
    expect(stepNames(result.incoming.steps)).toEqual(['✓ Name resolution', '✓ TCP connect', '✓ TLS', '✓ Greeting and capabilities', '✓ Access token', '✓ Authentication', '✓ Open INBOX']);
    expect(stepNames(result.outgoing.steps)).toEqual(['✓ Name resolution', '✓ TCP connect', '✓ TLS', '✓ Greeting and capabilities', '✓ Access token', '✓ Authentication', '✓ Envelope', '✓ Test message']);
    expect(renderText(result.incoming.steps.find((step) => step.name === 'tester.steps.tls')!.detail, 'en')).toMatch(/issuer CN=Mailroom lab CA.*expires \d{4}-\d\d-\d\d; verified/);
    expect(renderText(result.incoming.steps.find((step) => step.name === 'tester.steps.greeting')!.detail, 'en')).toMatch(/AUTH=XOAUTH2/);
    expect(renderText(result.incoming.steps.find((step) => step.name === 'tester.steps.openInbox')!.detail, 'en')).toMatch(/INBOX holds \d+ message/);

    // Acceptance 3: the directions overlap in time, read from the steps' own timestamps.
    const span = (steps: { at: string }[]) => [Date.parse(steps[0]!.at), Date.parse(steps.at(-1)!.at)] as const;
    const [incomingStart, incomingEnd] = span(result.incoming.steps);
    const [outgoingStart, outgoingEnd] = span(result.outgoing.steps);
    expect(incomingStart).toBeLessThanOrEqual(outgoingEnd);
    expect(outgoingStart).toBeLessThanOrEqual(incomingEnd);

    const stored = await getMailbox({ viewer: owner, id: mailbox.id });
    expect(stored).toMatchObject({ status: 'active', incomingStatus: 'success', outgoingStatus: 'success', statusReason: null, failingSince: null });
    expect(stored!.lastTestAt).toBeInstanceOf(Date);
    const received = await labControl.receivedMessages({ to: mailbox.address });
    expect(received.map((message) => message.subject)).toContain('Mailroom connection test');

    const [audit] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'mailbox.test'));
    expect(audit!.detail).toMatchObject({ ok: true, activated: true, failing: [] });

    // Acceptance 5: neither the access nor the refresh token appears in steps, results or logs.
    const [grant] = await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailbox.id));
    const secrets = [openGrantToken(grant!, 'accessToken'), openGrantToken(grant!, 'refreshToken')];
    const shown = JSON.stringify(result) + JSON.stringify(await findConnectionTests({ mailboxId: mailbox.id, limit: 50 })) + JSON.stringify(audit) + logs.text();
    for (const secret of secrets) {
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(Buffer.from(secret).toString('base64'));
    }
  });

  it('says to reconnect when the grant was revoked (invalid_grant), and an active mailbox becomes failing', async () => {
    const mailbox = await connectedOAuthMailbox('google', google, 'revoked');
    expect((await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() })).activated).toBe(true);
    await labControl.revokeGrants({ account: mailbox.address });

    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    expect(result.ok).toBe(false);
    for (const direction of [result.incoming, result.outgoing]) {
      expect(direction.error).toMatchObject({ code: 'token_revoked', message: expect.stringMatching(/invalid_grant/), hint: expect.stringMatching(/reconnects/) });
      expect(stepNames(direction.steps).at(-1)).toBe('✗ Access token');
    }
    const stored = await getMailbox({ viewer: owner, id: mailbox.id });
    expect(stored).toMatchObject({ status: 'failing', statusReason: { code: 'token_revoked' } });
    expect(stored!.failingSince).toBeInstanceOf(Date);
  });

  it('blames the profile, not the owner, when the provider refuses the profile’s app (invalid_client)', async () => {
    const refusedProfile = await insertLabGoogleProfile({ name: `Lab Gmail refused ${run}` });
    const mailbox = await connectedOAuthMailbox('google', refusedProfile, 'refusedapp');
    await db.update(serverProfiles).set({ clientId: 'unknown-client' }).where(eq(serverProfiles.id, refusedProfile.id));

    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    expect(result.incoming.error).toMatchObject({ code: 'client_refused', hint: expect.stringMatching(/client id and client secret in the server profile/) });
    const stored = (await getMailbox({ viewer: owner, id: mailbox.id }))!;
    expect(stored).toMatchObject({ status: 'failing', connection: 'connected', statusReason: { code: 'client_refused' }, profileClientError: { code: 'invalid_client' } });
    expect(nextStep(stored, profileOf(stored))).toMatchObject({ label: 'Waiting for an admin to fix the server profile', actor: 'admin' });
    const forOwner = statusReasonFor({ mailbox: stored, profile: profileOf(stored), audience: 'owner' })!;
    expect(forOwner.hint).toMatch(/needs an admin’s fix, and reconnecting will not help/);
    expect(forOwner.hint).not.toMatch(/client secret/);
    expect(statusReasonFor({ mailbox: stored, profile: profileOf(stored), audience: 'staff' })!.hint).toMatch(/client id and client secret/);
  });

  it('names 5.7.139 when Microsoft 365 has SMTP AUTH disabled for the mailbox, while incoming passes', async () => {
    const mailbox = await connectedOAuthMailbox('microsoft', microsoft, 'nosmtp');
    await labControl.setSmtpAuthDisabled({ account: mailbox.address, disabled: true });
    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    await labControl.setSmtpAuthDisabled({ account: mailbox.address, disabled: false });

    expect(result.incoming.status).toBe('success');
    expect(result.outgoing.error).toMatchObject({ code: 'smtp_auth_disabled', hint: expect.stringMatching(/Authenticated SMTP.*SmtpClientAuthenticationDisabled/s) });
    const failed = result.outgoing.steps.at(-1)!;
    expect(failed).toMatchObject({ name: 'tester.steps.authentication', ok: false });
    expect(renderText(failed!.detail, 'en')).toContain('535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant');
    expect(await getMailbox({ viewer: owner, id: mailbox.id })).toMatchObject({ status: 'failing', incomingStatus: 'success', outgoingStatus: 'failure' });
  });

  it('names https://mail.google.com/ when a Gmail profile lacks it, for an admin to add, in both directions', async () => {
    const withoutMailScope = await insertLabGoogleProfile({ name: `Lab Gmail without mail scope ${run}`, scopes: ['openid', 'email'] });
    const mailbox = await connectedOAuthMailbox('google', withoutMailScope, 'noscope');
    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });

    for (const direction of [result.incoming, result.outgoing]) {
      expect(direction.error).toMatchObject({
        code: 'scope_missing',
        message: expect.stringContaining('asks for the scope https://mail.google.com/'),
        hint: expect.stringMatching(/^Add https:\/\/mail\.google\.com\/ to the profile’s scopes and have the owner reconnect/),
      });
      expect(direction.steps.at(-1)).toMatchObject({ name: 'tester.steps.authentication', ok: false });
    }
    expect(renderText(result.incoming.steps.at(-1)!.detail, 'en')).toMatch(/Invalid credentials \(Failure\)[\s\S]*"scope":"https:\/\/mail\.google\.com\/"/);
    expect(renderText(result.outgoing.steps.at(-1)!.detail, 'en')).toMatch(/535-5\.7\.8 Username and Password not accepted/);
    const stored = (await getMailbox({ viewer: owner, id: mailbox.id }))!;
    expect(stored).toMatchObject({ status: 'failing', statusReason: { code: 'scope_missing' } });
    expect(nextStep(stored, profileOf(stored))).toMatchObject({ label: 'Failing: waiting for an admin to fix it', actor: 'admin' });
  });

  it('names the missing scope when Microsoft 365 refuses SMTP for a profile without SMTP.Send, while incoming passes', async () => {
    const withoutSmtpScope = await insertLabMicrosoftProfile({
      name: `Lab Microsoft 365 without SMTP.Send ${run}`,
      scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access', 'openid', 'email', 'profile'],
    });
    const mailbox = await connectedOAuthMailbox('microsoft', withoutSmtpScope, 'nosmtpscope');
    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });

    expect(result.incoming.status).toBe('success');
    expect(result.outgoing.error).toMatchObject({
      code: 'scope_missing',
      message: expect.stringContaining('535 5.7.3 Authentication unsuccessful'),
      hint: expect.stringMatching(/^Add https:\/\/outlook\.office\.com\/SMTP\.Send to the profile’s scopes/),
    });
    const stored = (await getMailbox({ viewer: owner, id: mailbox.id }))!;
    expect(nextStep(stored, profileOf(stored))).toMatchObject({ actor: 'admin' });
  });

  it('tells the owner to turn IMAP on when Gmail refuses the sign-in for it, while outgoing passes', async () => {
    const mailbox = await connectedOAuthMailbox('google', google, 'noimap');
    await labControl.setImapDisabled({ account: mailbox.address, disabled: true });
    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });

    expect(result.outgoing.status).toBe('success');
    expect(result.incoming.error).toMatchObject({
      code: 'imap_disabled',
      message: expect.stringContaining('Your account is not enabled for IMAP use'),
      hint: expect.stringMatching(/The owner turns IMAP on in Gmail/),
    });
    const stored = (await getMailbox({ viewer: owner, id: mailbox.id }))!;
    expect(stored).toMatchObject({ status: 'failing', incomingStatus: 'failure', outgoingStatus: 'success', statusReason: { code: 'imap_disabled' } });
    expect(nextStep(stored, profileOf(stored))).toMatchObject({ label: 'Failing: test again once fixed', actor: 'owner' });
    expect(statusReasonFor({ mailbox: stored, profile: profileOf(stored), audience: 'owner' })!.hint).toMatch(/Enable IMAP/);
  });

  it('leaves it to an Exchange admin when Microsoft 365 signs the mailbox in but IMAP is off for it', async () => {
    const mailbox = await connectedOAuthMailbox('microsoft', microsoft, 'imapoff');
    await labControl.setImapDisabled({ account: mailbox.address, disabled: true });
    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });

    expect(result.outgoing.status).toBe('success');
    expect(result.incoming.error).toMatchObject({
      code: 'imap_disabled',
      message: expect.stringContaining('User is authenticated but not connected'),
      hint: expect.stringMatching(/An Exchange admin checks that IMAP \(or POP\) is enabled for the mailbox/),
    });
    const stored = (await getMailbox({ viewer: owner, id: mailbox.id }))!;
    expect(nextStep(stored, profileOf(stored))).toMatchObject({ label: 'Failing: waiting for an admin to fix it', actor: 'admin' });
    expect(statusReasonFor({ mailbox: stored, profile: profileOf(stored), audience: 'owner' })!.hint).toMatch(/for an admin to fix, not you/);
  });

  it('hands an admin the tenant’s admin consent link when Microsoft wants it (AADSTS65001), and passes once consent is granted', async () => {
    const client = await labControl.registerClient({ persona: 'microsoft', redirectUris: [oauthCallbackUrl()] });
    const id = randomUUID();
    const clientSecret = encryptSecret(client.clientSecret!, secretPlace(serverProfiles.clientSecret, id));
    const profile = await insertLabMicrosoftProfile({ id, name: `Lab Microsoft 365 consent ${run}`, clientId: client.clientId, clientSecret });
    const mailbox = await connectedOAuthMailbox('microsoft', profile, 'consent');
    await labControl.setAdminConsentRequired({ clientId: client.clientId, required: true });

    const refused = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    const consentLink = `${getLab().personas.microsoft.endpoints.adminConsent}?client_id=${client.clientId}`;
    for (const direction of [refused.incoming, refused.outgoing]) {
      expect(direction.error).toMatchObject({
        code: 'client_refused',
        message: expect.stringMatching(/^An administrator of the Microsoft 365 tenant must consent to this app first \(invalid_grant: AADSTS65001: /),
        hint: `Forward this link to a Microsoft 365 administrator: ${consentLink}`,
      });
    }
    const stored = (await getMailbox({ viewer: owner, id: mailbox.id }))!;
    expect(stored).toMatchObject({ status: 'failing', connection: 'connected', profileClientError: { code: 'admin_consent_required' } });
    expect(nextStep(stored, profileOf(stored))).toMatchObject({ label: 'Waiting for an admin to fix the server profile', actor: 'admin' });
    expect(statusReasonFor({ mailbox: stored, profile: profileOf(stored), audience: 'owner' })!.hint).toMatch(/reconnecting will not help/);

    // The admin follows the link from the hint and accepts for the organization.
    await grantAdminConsent({ adminConsentUrl: /https?:\/\/\S+/.exec(refused.incoming.error!.hint)![0], email: 'carol@contoso.lab.test' });
    expect(await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() })).toMatchObject({ ok: true, activated: true });
    expect(await getMailbox({ viewer: owner, id: mailbox.id })).toMatchObject({ status: 'active', profileClientError: null });
  });

  it('classifies a refused connection and a server that never answers, within the profile’s timeout', async () => {
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const hanging = createServer((socket) => hangingSockets.push(socket));
    const hangingPort = await listen(hanging);
    const account = await passwordAccount('network');
    const profile = await genericProfile({ incomingPort: closedPort, outgoingHost: '127.0.0.1', outgoingPort: hangingPort, outgoingSecurity: 'tls' });
    const mailbox = await passwordMailbox(profile, account, account.password);

    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    expect(result.incoming.error).toMatchObject({ code: 'refused', message: expect.stringMatching(/refused the connection/) });
    expect(stepNames(result.incoming.steps)).toEqual(['✓ Name resolution', '✗ TCP connect']);
    expect(result.outgoing.error).toMatchObject({ code: 'timeout', message: expect.stringMatching(/did not answer within 5 seconds/) });
    expect(stepNames(result.outgoing.steps)).toEqual(['✓ Name resolution', '✓ TCP connect', '✗ TLS']);
  });

  it('refuses a certificate that does not verify and shows its fingerprint; once an admin accepts it, the test passes', async () => {
    const { selfSigned } = getLab().mail.generic;
    const account = await passwordAccount('selfsigned');
    const mailbox = await passwordMailbox(await genericProfile(strictTargets(selfSigned)), account, account.password);
    const refused = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    for (const direction of [refused.incoming, refused.outgoing]) {
      expect(direction.error).toMatchObject({
        code: 'certificate_untrusted',
        message: expect.stringMatching(/self-signed/),
        hint: expect.stringMatching(/SHA-256 fingerprint [0-9a-f]{64}\), an admin accepts it in the profile’s trusted certificates/),
      });
      expect(direction.steps.at(-1)).toMatchObject({ name: 'tester.steps.tls', ok: false });
      expect(renderText(direction.steps.at(-1)!.detail, 'en')).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    }

    // The admin recognises the fingerprint the tester met, and accepts it for the host.
    const sha256 = /[0-9a-f]{64}/.exec(refused.incoming.error!.hint)![0];
    const accepting = await genericProfile({ ...strictTargets(selfSigned), trustedCertificates: [{ host: selfSigned.imap.host, sha256: sha256.toUpperCase().replace(/(..)(?!$)/g, '$1:') }] });
    await db.update(mailboxes).set({ profileId: accepting.id }).where(eq(mailboxes.id, mailbox.id));
    const accepted = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    expect(accepted).toMatchObject({ ok: true, activated: true });
    expect(renderText(accepted.incoming.steps.find((step) => step.name === 'tester.steps.tls')!.detail, 'en')).toMatch(/the certificate accepted in the profile/);
  });

  it('requires exactly the accepted certificate, even one a trusted CA signed', async () => {
    const account = await passwordAccount('pinned');
    const pinnedElsewhere = await genericProfile({ trustedCertificates: [{ host: getLab().mail.generic.imap.tls.host, sha256: 'ab'.repeat(32) }] });
    const result = await runConnectionTestInProcess({ mailboxId: (await passwordMailbox(pinnedElsewhere, account, account.password)).id, startedBy: owner, ...trusted() });
    for (const direction of [result.incoming, result.outgoing]) {
      expect(direction.error).toMatchObject({ code: 'certificate_mismatch', hint: expect.stringMatching(/certificate changed, or someone is in between/) });
      expect(stepNames(direction.steps).at(-1)).toBe('✗ TLS');
    }
  });

  it('never writes the password on a connection whose certificate is not the accepted one', async () => {
    const server = await recordingImapServer();
    const account = await passwordAccount('recorded');
    const profileFor = (trustedCertificates: { host: string; sha256: string }[]) =>
      genericProfile({ incomingHost: '127.0.0.1', incomingPort: server.port, trustedCertificates });
    const mailbox = await passwordMailbox(await profileFor([{ host: '127.0.0.1', sha256: 'ab'.repeat(32) }]), account, account.password);
    const test = () => runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    const moveTo = async (profile: ServerProfile) => db.update(mailboxes).set({ profileId: profile.id }).where(eq(mailboxes.id, mailbox.id));

    const mismatch = await test();
    expect(mismatch.incoming.error).toMatchObject({ code: 'certificate_mismatch', message: expect.stringContaining(server.sha256) });
    await moveTo(await profileFor([]));
    const untrusted = await test();
    expect(untrusted.incoming.error).toMatchObject({ code: 'certificate_untrusted', hint: expect.stringContaining(server.sha256) });
    // Both connections reached the server, and not one line followed the handshake: no LOGIN, no password.
    expect(server.connections).toBe(2);
    expect(server.lines).toEqual([]);

    await moveTo(await profileFor([{ host: '127.0.0.1', sha256: server.sha256 }]));
    const accepted = await test();
    expect(stepNames(accepted.incoming.steps)).toEqual(['✓ Name resolution', '✓ TCP connect', '✓ TLS', '✓ Greeting and capabilities', '✗ Authentication']);
    expect(server.lines).toContain(`T2 LOGIN "${account.address}" "${account.password}"`);
  });

  it('says the password was refused on a password profile, and never shows the password', async () => {
    const account = await passwordAccount('wrongpw');
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const mailbox = await passwordMailbox(await genericProfile(), account, wrong);
    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    for (const direction of [result.incoming, result.outgoing]) {
      expect(direction.error).toMatchObject({ code: 'auth_failed', message: expect.stringMatching(/refused the user name or password/), hint: expect.stringMatching(/app password/) });
    }
    expect(renderText(result.incoming.steps.at(-1)!.detail, 'en')).toMatch(/AUTHENTICATIONFAILED/);
    expect(renderText(result.outgoing.steps.at(-1)!.detail, 'en')).toMatch(/535/);
    const shown = JSON.stringify(result) + logs.text();
    expect(shown).not.toContain(wrong);
    expect(shown).not.toContain(Buffer.from(wrong).toString('base64'));
  });

  it('signs in with a password holding quotes, a backslash, spaces and accents, as typed', async () => {
    const address = `quoting-${run}@imap.lab.test`;
    const password = `pä "quoted" \\ ${randomBytes(4).toString('hex')} é`;
    await labControl.createAccount({ email: address, provider: 'password', password });
    const result = await runConnectionTestInProcess({ mailboxId: (await passwordMailbox(await genericProfile(), { address }, password)).id, startedBy: owner, ...trusted() });
    expect(result).toMatchObject({ ok: true, activated: true });
    expect(JSON.stringify(result) + logs.text()).not.toContain(password);
  });

  it('tests a POP3 profile: STAT on success, the refusal on a wrong password', async () => {
    const { generic } = getLab().mail;
    const pop3 = await genericProfile({ incomingProtocol: 'pop3', incomingHost: generic.pop3.tls.host, incomingPort: generic.pop3.tls.port });
    const good = await passwordAccount('pop3');
    const passing = await runConnectionTestInProcess({ mailboxId: (await passwordMailbox(pop3, good, good.password)).id, startedBy: owner, ...trusted() });
    expect(passing).toMatchObject({ ok: true, activated: true });
    expect(stepNames(passing.incoming.steps)).toEqual(['✓ Name resolution', '✓ TCP connect', '✓ TLS', '✓ Greeting and capabilities', '✓ Authentication', '✓ STAT']);
    expect(renderText(passing.incoming.steps.at(-1)!.detail, 'en')).toMatch(/^\+OK \d+ \d+/);

    const bad = await passwordAccount('pop3bad');
    const failing = await runConnectionTestInProcess({ mailboxId: (await passwordMailbox(pop3, bad, 'not the password')).id, startedBy: owner, ...trusted() });
    expect(failing.incoming.error).toMatchObject({ code: 'auth_failed' });
    expect(failing.incoming.steps.at(-1)).toMatchObject({ name: 'tester.steps.authentication', ok: false });
    expect(renderText(failing.incoming.steps.at(-1)!.detail, 'en')).toMatch(/-ERR/);
  });

  it('never connects to link-local or metadata addresses, nor to loopback unless the profile is internal', async () => {
    const account = await passwordAccount('guard');
    const mailbox = await passwordMailbox(await genericProfile({ internalServer: false, incomingHost: '169.254.169.254', incomingPort: 80 }), account, account.password);
    const result = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() });
    expect(result.incoming.error).toMatchObject({ code: 'blocked_address', message: expect.stringMatching(/169\.254\.169\.254.*link-local/) });
    expect(result.outgoing.error).toMatchObject({ code: 'blocked_address', message: expect.stringMatching(/127\.0\.0\.1.*not marked as an internal server/) });
    expect(stepNames(result.incoming.steps)).toEqual(['✗ Name resolution']);
  });

  it('joins a running test instead of starting a second one, and keeps the last 50 tests', async () => {
    const account = await passwordAccount('join');
    const mailbox = await passwordMailbox(await genericProfile(), account, account.password);
    const [first, second] = await Promise.all([
      runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() }),
      runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner, ...trusted() }),
    ]);
    expect(first.id).toBe(second.id);
    expect([first.joined, second.joined].sort()).toEqual([false, true]);

    const finished = { ok: true, finishedAt: new Date(), incoming: { status: 'success' as const, error: null }, outgoing: { status: 'success' as const, error: null } };
    await db.insert(connectionTests).values(
      Array.from({ length: TESTS_KEPT }, (_, index) => ({ mailboxId: mailbox.id, startedAt: new Date(Date.now() - (index + 1) * 60_000), ...finished })),
    );
    const { test } = await createOrJoinConnectionTest({ mailboxId: mailbox.id, startedBy: owner });
    await db.update(connectionTests).set(finished).where(eq(connectionTests.id, test.id));
    const rows = await db.select({ id: connectionTests.id }).from(connectionTests).where(eq(connectionTests.mailboxId, mailbox.id));
    expect(rows).toHaveLength(TESTS_KEPT);
    const page = await findConnectionTests({ mailboxId: mailbox.id, limit: 30 });
    expect(page.data[0]!.id).toBe(test.id);
    const rest = await findConnectionTests({ mailboxId: mailbox.id, limit: 30, cursor: page.nextCursor! });
    expect(rest.data).toHaveLength(TESTS_KEPT - 30);
    expect(rest.nextCursor).toBeNull();
  });

  it('closes a test its stopped worker left running as failed, with what to do, when the next test begins or an instance starts', async () => {
    // The job's worker reads the lab's CA the way an operator's instance does: MAILROOM_EXTRA_CA_FILE.
    const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-ca-')), 'lab-ca.pem');
    writeFileSync(caFile, getLab().caCertificate);
    getEnv().MAILROOM_EXTRA_CA_FILE = caFile;
    const profile = await genericProfile();
    const [first, second] = await Promise.all([passwordAccount('interrupted-a'), passwordAccount('interrupted-b')]);
    const [restarted, untouched] = await Promise.all([
      passwordMailbox(profile, first, first.password),
      passwordMailbox(profile, second, second.password),
    ]);
    // Started by an instance that stopped before running it, longer ago than a test may take.
    const longAgo = new Date(Date.now() - ABANDONED_AFTER_MS - 60_000);
    const lost = await Promise.all(
      [restarted, untouched].map(async (mailbox) => {
        const { test } = await createOrJoinConnectionTest({ mailboxId: mailbox.id, startedBy: owner });
        await db.update(connectionTests).set({ startedAt: longAgo }).where(eq(connectionTests.id, test.id));
        return test;
      }),
    );

    // The next test of the mailbox closes the lost one and runs, on the job queue, to its verdict.
    const next = await testMailbox({ viewer: owner, mailboxId: restarted.id, sendTestMessage: false });
    expect(next).toMatchObject({ ok: true, activated: true });
    expect(next.id).not.toBe(lost[0]!.id);
    const [latest, closed] = (await findConnectionTests({ mailboxId: restarted.id, limit: 10 })).data;
    expect(latest!.id).toBe(next.id);
    const interrupted = { status: 'failure', error: { message: expect.stringMatching(/interrupted/), hint: 'Run the test again.' } };
    expect(closed).toMatchObject({ id: lost[0]!.id, ok: false, incoming: interrupted, outgoing: interrupted, finishedAt: expect.any(String) });

    // A starting instance closes the other mailbox's lost test.
    expect(await closeAbandonedConnectionTests()).toBeGreaterThanOrEqual(1);
    const [closedAtStart] = (await findConnectionTests({ mailboxId: untouched.id, limit: 10 })).data;
    expect(closedAtStart).toMatchObject({ id: lost[1]!.id, ok: false, incoming: interrupted, outgoing: interrupted });
    expect(await testMailbox({ viewer: owner, mailboxId: untouched.id, sendTestMessage: false })).toMatchObject({ ok: true, activated: true });
  });
});

/**
 * An IMAP server over TLS with a certificate of its own, which records every line a client writes
 * after the handshake and refuses every sign-in: what a server in the middle would collect.
 */
async function recordingImapServer(): Promise<{ port: number; sha256: string; connections: number; lines: string[] }> {
  const material = await createTlsMaterial({ directory: mkdtempSync(path.join(tmpdir(), 'mailroom-recording-')) });
  const recorded = { port: 0, sha256: new X509Certificate(material.selfSigned.certificate).fingerprint256.replace(/:/g, '').toLowerCase(), connections: 0, lines: [] as string[] };
  const server = createTlsServer({ key: material.selfSigned.key, cert: material.selfSigned.certificate }, (socket) => {
    hangingSockets.push(socket);
    socket.write('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Recording server ready\r\n');
    onCrlfLines({
      socket,
      encoding: 'utf8',
      handleLine: (line) => {
        recorded.lines.push(line);
        const tag = line.split(' ')[0];
        if (/^\S+ CAPABILITY$/i.test(line)) socket.write(`* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n${tag} OK CAPABILITY completed\r\n`);
        else socket.write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
      },
    });
  });
  server.on('connection', () => (recorded.connections += 1));
  recorded.port = await listen(server);
  return recorded;
}

function strictTargets(selfSigned: ReturnType<typeof getLab>['mail']['generic']['selfSigned']) {
  return { incomingHost: selfSigned.imap.host, incomingPort: selfSigned.imap.port, outgoingHost: selfSigned.smtp.host, outgoingPort: selfSigned.smtp.port, outgoingSecurity: 'tls' as const };
}
