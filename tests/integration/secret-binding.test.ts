// Issue 12, acceptance 7: a ciphertext copied between two mailboxes' rows fails to decrypt with a
// clear error, and the mailbox asks to reconnect; keys:rotate passes over every secret.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as getToken } from '@/app/api/v1/mailboxes/[id]/token/route';
import { closeDatabase, db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, type ServerProfile } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { toEncryptionKey } from '@/lib/crypto/keys';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret } from '@/lib/crypto/secrets';
import { renderText } from '@/lib/i18n/text';
import { applyMailboxEvent, createMailbox, getMailbox, profileOf } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { statusReasonFor } from '@/lib/mailboxes/status';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { runConnectionTestInProcess } from '@/lib/tester/run-connection-test';
import { checkGrant } from '@/lib/tokens/check-grants';
import { getAccessToken } from '@/lib/tokens/get-access-token';
import { authorizeAsUser } from '../../scripts/lab/headless-user';
import { callRoute } from '../helpers/api';
import { captureLogs } from '../helpers/captured-logs';
import { runCli } from '../helpers/cli';
import { userWithKey } from '../helpers/fixtures';
import { getLab, labControl, labIsAvailable } from '../helpers/lab';
import { createLabAccount, insertLabGenericProfile, insertLabGoogleProfile } from '../helpers/lab-profiles';
import { openGrantToken, openStoredSecret } from '../helpers/stored-secrets';

const logs = captureLogs();
const run = randomBytes(3).toString('hex');
let admin: Awaited<ReturnType<typeof userWithKey>>;
let owner: Awaited<ReturnType<typeof userWithKey>>;
let google: ServerProfile;
let generic: ServerProfile;
const trusted = () => ({ trustedCertificates: [getLab().caCertificate] });
/** Plaintexts that must never reach a log or an answer. */
const plaintexts: string[] = [];

async function approvedMailbox(address: string, profile: ServerProfile): Promise<string> {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: owner.user.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  return mailbox.id;
}

async function connectedGmailMailbox(name: string, profile = google): Promise<string> {
  const address = await createLabAccount({ provider: 'google', name });
  const mailboxId = await approvedMailbox(address, profile);
  const started = await startAuthorization({ viewer: owner.user, mailboxId });
  const callback = await authorizeAsUser({ authorizationUrl: (started as { authorizationUrl: string }).authorizationUrl, email: address });
  const { outcome } = await completeAuthorization({ userId: owner.user.id, query: Object.fromEntries(callback.searchParams) });
  expect(outcome.ok, outcome.message).toBe(true);
  return mailboxId;
}

async function passwordMailbox(name: string): Promise<{ mailboxId: string; password: string }> {
  const address = `${name}-${run}@imap.lab.test`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  await labControl.createAccount({ email: address, provider: 'password', password });
  const mailboxId = await approvedMailbox(address, generic);
  await setMailboxPassword({ viewer: owner.user, mailboxId, password });
  plaintexts.push(password);
  return { mailboxId, password };
}

const grantOf = async (mailboxId: string) => (await db.select().from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId)))[0]!;
const passwordOf = async (mailboxId: string) => (await db.select().from(mailboxes).where(eq(mailboxes.id, mailboxId)))[0]!.password!;

async function mailboxState(mailboxId: string) {
  const mailbox = (await getMailbox({ viewer: admin.user, id: mailboxId }))!;
  const reason = statusReasonFor({ mailbox, profile: profileOf(mailbox), audience: 'owner' });
  return { mailbox, reason: reason && { message: renderText(reason.message, 'en'), hint: renderText(reason.hint, 'en') } };
}

describe.skipIf(!labIsAvailable)('ciphertexts bound to their row (issue 12, acceptance 7)', () => {
  let alice: string;
  let bob: string;
  let carol: { mailboxId: string; password: string };
  let dave: { mailboxId: string; password: string };
  let otherProfileId: string;

  beforeAll(async () => {
    [admin, owner] = await Promise.all([userWithKey(`admin-${run}@example.org`, 'admin'), userWithKey(`owner-${run}@example.org`, 'owner')]);
    google = await insertLabGoogleProfile({ name: `Lab Gmail (bound secrets) ${run}` });
    generic = await insertLabGenericProfile({ name: `Lab IMAP (bound secrets) ${run}`, connectionTimeoutSeconds: 5 });
    [alice, bob, carol, dave] = await Promise.all([connectedGmailMailbox('alice'), connectedGmailMailbox('bob'), passwordMailbox('carol'), passwordMailbox('dave')]);
    const [aliceGrant, bobGrant] = await Promise.all([grantOf(alice), grantOf(bob)]);
    plaintexts.push(getLab().personas.google.clients.web!.clientSecret!);
    plaintexts.push(...[aliceGrant, bobGrant].flatMap((grant) => [openGrantToken(grant, 'accessToken'), openGrantToken(grant, 'refreshToken')]));
  });

  it('refuses Alice’s refresh token in Bob’s grant with a clear error; “Check now” sends Bob to reconnect, with the hint, and Alice keeps working', async () => {
    const aliceGrant = await grantOf(alice);
    const bobGrant = await grantOf(bob);
    await db
      .update(oauthGrants)
      .set({ refreshToken: aliceGrant.refreshToken, accessTokenExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthGrants.id, bobGrant.id));

    expect(() => decryptSecret(aliceGrant.refreshToken!, secretPlace(oauthGrants.refreshToken, bobGrant.id))).toThrow(
      /oauth_grants\.refresh_token of row .* could not be decrypted: it was written for another row or column: it cannot be used here; reconnect the mailbox/,
    );

    expect(await checkGrant({ mailboxId: bob, prove: true })).toBe('needs_reconnect');
    const { mailbox, reason } = await mailboxState(bob);
    expect(mailbox).toMatchObject({ connection: 'needs_reconnect', statusReason: { code: 'secret_unreadable' } });
    expect(reason).toMatchObject({ message: expect.stringMatching(/stored token of this mailbox cannot be decrypted/), hint: expect.stringMatching(/reconnects the mailbox/) });

    const token = await callRoute(getToken, { path: `/api/v1/mailboxes/${bob}/token`, key: admin.key, params: { id: bob } });
    expect(token.status).toBe(200);
    expect(token.json).toMatchObject({
      state: 'revoked',
      lastError: { code: 'secret_unreadable', message: expect.stringMatching(/cannot be decrypted/), hint: 'The owner reconnects the mailbox.' },
    });

    // The copy harmed no one else: Alice's own token still refreshes.
    await db.update(oauthGrants).set({ accessTokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(oauthGrants.id, aliceGrant.id));
    await expect(getAccessToken({ mailboxId: alice })).resolves.toMatchObject({ account: expect.stringContaining('alice-') });
    plaintexts.push(openGrantToken(await grantOf(alice), 'accessToken'), openGrantToken(await grantOf(alice), 'refreshToken'));
  });

  it('fails a test of Bob’s mailbox with its own class and hint, without a 500', async () => {
    const result = await runConnectionTestInProcess({ mailboxId: bob, startedBy: owner.user, ...trusted() });
    expect(result).toMatchObject({
      ok: false,
      incoming: { status: 'failure', error: { code: 'secret_unreadable', hint: 'The owner reconnects the mailbox.' } },
    });
    expect((await mailboxState(bob)).mailbox).toMatchObject({ connection: 'needs_reconnect', status: 'failing', statusReason: { code: 'secret_unreadable' } });
  });

  it('refuses Carol’s password in Dave’s row: his test fails with its own class, he asks to reconnect, and a new password ends it', async () => {
    const carolPassword = await passwordOf(carol.mailboxId);
    await db.update(mailboxes).set({ password: carolPassword }).where(eq(mailboxes.id, dave.mailboxId));
    expect(() => openStoredSecret(mailboxes.password, dave.mailboxId, carolPassword)).toThrow(
      /mailboxes\.password of row .* could not be decrypted: it was written for another row or column/,
    );

    const result = await runConnectionTestInProcess({ mailboxId: dave.mailboxId, startedBy: owner.user, ...trusted() });
    expect(result).toMatchObject({
      ok: false,
      incoming: { status: 'failure', error: { code: 'secret_unreadable', message: expect.stringMatching(/stored password of this mailbox cannot be decrypted/) } },
      outgoing: { status: 'failure', error: { code: 'secret_unreadable', hint: 'The owner enters the password again.' } },
    });
    const { mailbox, reason } = await mailboxState(dave.mailboxId);
    expect(mailbox).toMatchObject({ connection: 'needs_reconnect', statusReason: { code: 'secret_unreadable' } });
    expect(renderText(reason!.hint, 'en')).toMatch(/enters the password again/);

    // Carol's own password is untouched.
    expect(openStoredSecret(mailboxes.password, carol.mailboxId, await passwordOf(carol.mailboxId))).toBe(carol.password);
    const passing = await runConnectionTestInProcess({ mailboxId: carol.mailboxId, startedBy: owner.user, ...trusted() });
    expect(passing.ok).toBe(true);

    await setMailboxPassword({ viewer: owner.user, mailboxId: dave.mailboxId, password: dave.password });
    expect((await mailboxState(dave.mailboxId)).mailbox).toMatchObject({ connection: 'connected', statusReason: null });
    // Copied again, so that keys:rotate meets it below.
    await db.update(mailboxes).set({ password: await passwordOf(carol.mailboxId) }).where(eq(mailboxes.id, dave.mailboxId));
  });

  it('refuses a client secret copied from another profile as a failure of the profile, for an admin to enter again', async () => {
    const other = await insertLabGoogleProfile({ name: `Lab Gmail (copied secret) ${run}` });
    const erin = await connectedGmailMailbox('erin', other);
    await db.update(serverProfiles).set({ clientSecret: google.clientSecret }).where(eq(serverProfiles.id, other.id));
    await db.update(oauthGrants).set({ accessTokenExpiresAt: new Date(Date.now() - 1000) }).where(eq(oauthGrants.mailboxId, erin));

    expect(await checkGrant({ mailboxId: erin, prove: true })).toBe('profile_refused');
    const [stored] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, other.id));
    expect(stored!.clientError).toMatchObject({
      code: 'client_secret_unreadable',
      message: expect.stringMatching(/client secret of this server profile cannot be decrypted/),
      hint: 'An admin enters the client secret of the profile again.',
    });
    expect((await mailboxState(erin)).mailbox.connection).toBe('connected');
    await expect(startAuthorization({ viewer: owner.user, mailboxId: erin })).rejects.toThrow(/client secret of this server profile cannot be decrypted/);
    otherProfileId = other.id;
  });

  it('logged and answered none of the secrets', () => {
    expect(plaintexts.length).toBeGreaterThanOrEqual(6);
    for (const secret of plaintexts) expect(logs.text()).not.toContain(secret);
  });

  // Last: it moves the database to a key this test process does not hold.
  it('keys:rotate passes over every secret and names the two copied ones, left as they are', async () => {
    const copied = [(await grantOf(bob)).refreshToken!, await passwordOf(dave.mailboxId)];
    const oldKey = process.env.MAILROOM_ENCRYPTION_KEY!;
    const newKey = randomBytes(32).toString('base64');
    const bobGrantId = (await grantOf(bob)).id;
    // On the embedded database one process at a time may open the data folder: let the CLI have it.
    await closeDatabase();
    const result = await runCli(['keys:rotate'], { MAILROOM_ENCRYPTION_KEY: newKey, MAILROOM_ENCRYPTION_KEYS_OLD: oldKey });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`oauth_grants.refresh_token of row ${bobGrantId}: altered or copied from another row, left as it is`);
    expect(result.stdout).toContain(`mailboxes.password of row ${dave.mailboxId}: altered or copied from another row, left as it is`);
    expect(result.stdout).toContain(`server_profiles.client_secret of row ${otherProfileId}: altered or copied from another row, left as it is`);
    expect(result.stdout).toMatch(/The 3 listed above cannot be used/);
    for (const secret of plaintexts) expect(result.stdout + result.stderr).not.toContain(secret);
    expect([(await grantOf(bob)).refreshToken!, await passwordOf(dave.mailboxId)]).toEqual(copied);
    const newKeyId = toEncryptionKey(newKey).id;
    expect((await passwordOf(carol.mailboxId)).startsWith(`v2:${newKeyId}:`)).toBe(true);
    for (const mailboxId of [alice, bob]) expect((await grantOf(mailboxId)).accessToken!.startsWith(`v2:${newKeyId}:`)).toBe(true);
    expect((await grantOf(alice)).refreshToken!.startsWith(`v2:${newKeyId}:`)).toBe(true);
  }, 90_000);
});
