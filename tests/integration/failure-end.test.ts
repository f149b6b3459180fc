// When a mailbox's failure ends: a reconnect ends a failure of its sign-in (a refused grant, a
// refused password), never one of the server or the profile's settings; the owner's alerts and the
// next step follow the stored fields.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { mailboxes, type Mailbox, type ServerProfile, type User } from '@/db/schema';
import { renderAlert } from '@/lib/alerts/alert';
import { findMailboxAlerts } from '@/lib/alerts/find-mailbox-alerts';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { renderText } from '@/lib/i18n/text';
import { getMailbox, profileOf } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { nextStep, statusReasonFor } from '@/lib/mailboxes/status';
import { acceptTokens } from '@/lib/connect/complete-authorization';
import { oauthAppOf } from '@/lib/oauth/oauth-app';
import { phrase } from '@/lib/i18n/text';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { getGrant } from '@/lib/tokens/grants';
import { recordTokenFailure } from '@/lib/tokens/record-token-failure';
import { createUser } from '@/lib/users/users';
import { insertMailboxRow, insertProfile } from '../helpers/fixtures';

const DAY_MS = 24 * 60 * 60 * 1000;
const twoDaysOn = () => new Date(Date.now() + 2 * DAY_MS);

let owner: User;
let google: ServerProfile;
let imap: ServerProfile;

const insertMailbox = (profile: ServerProfile, values: Partial<typeof mailboxes.$inferInsert> = {}): Promise<Mailbox> =>
  insertMailboxRow(owner, profile, { incomingStatus: 'success', outgoingStatus: 'success', ...values });

/** What Google hands over after a consent, its ID token's claims as verified. */
function googleTokens(account: string) {
  const idTokenClaims = { sub: `sub-${account}`, email: account, email_verified: true };
  return { accessToken: 'access', refreshToken: 'refresh', idTokenClaims, expiresAt: new Date(Date.now() + 3600_000), scopes: google.scopes };
}

const connectWithGoogle = (mailbox: Mailbox) =>
  acceptTokens({ authorization: { mailboxId: mailbox.id, profileId: mailbox.profileId }, app: oauthAppOf(google), tokens: googleTokens(mailbox.address), user: owner });

const stored = async (mailbox: Mailbox) => (await getMailbox({ viewer: owner, id: mailbox.id }))!;
const ownerAlerts = async (mailbox: Mailbox) => (await findMailboxAlerts({ viewer: owner, mailboxId: mailbox.id, now: twoDaysOn() })).map((alert) => alert.key);

describe('when a failure ends', () => {
  beforeAll(async () => {
    owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'owner@example.org', role: 'owner' } });
    google = await insertProfile({ name: 'Google', authorizationEndpoint: 'https://accounts.google.test/auth', tokenEndpoint: 'https://oauth2.google.test/token' });
    imap = await insertProfile({ name: 'Branch IMAP', serverType: 'custom', authType: 'password', clientId: null, scopes: [] });
  });

  it('ends with the reconnect of a mailbox whose grant the provider refused', async () => {
    const mailbox = await insertMailbox(google);
    expect(await connectWithGoogle(mailbox)).toMatchObject({ ok: true, code: 'connected' });
    await db.update(mailboxes).set({ status: 'active' }).where(eq(mailboxes.id, mailbox.id));
    const refusal = new OAuthFailure({ reach: 'mailbox', code: 'invalid_grant', phrase: phrase('oauth.failures.invalidGrant', { said: 'invalid_grant: Token has been expired or revoked.' }) });
    await recordTokenFailure((await getGrant(db, mailbox.id))!, refusal);

    const refused = await stored(mailbox);
    expect(refused).toMatchObject({ connection: 'needs_reconnect', status: 'failing', statusReason: { code: 'invalid_grant' } });
    expect(refused.failingSince).toBeInstanceOf(Date);
    expect(nextStep(refused, profileOf(refused))).toMatchObject({ kind: 'needs_reconnect', actor: 'owner' });
    expect(await ownerAlerts(mailbox)).toEqual(['failing-day']);

    expect(await connectWithGoogle(mailbox)).toMatchObject({ ok: true });
    expect(await stored(mailbox)).toMatchObject({ connection: 'connected', status: 'inactive', statusReason: null, failingSince: null });
    expect(await ownerAlerts(mailbox)).toEqual([]);
  });

  it('ends when the owner enters the password again after the server refused it', async () => {
    const failingSince = new Date(Date.now() - 3 * DAY_MS);
    const mailbox = await insertMailbox(imap, {
      status: 'failing',
      incomingStatus: 'failure',
      failingSince,
      statusReason: { code: 'auth_failed', message: 'The server refused the user name or password.', hint: 'The owner enters the current password again.', at: failingSince.toISOString() },
    });
    expect(await ownerAlerts(mailbox)).toEqual(['failing-day']);
    await setMailboxPassword({ viewer: owner, mailboxId: mailbox.id, password: 'the new app password' });
    expect(await stored(mailbox)).toMatchObject({ status: 'inactive', incomingStatus: 'not_run', statusReason: null, failingSince: null });
    expect(await ownerAlerts(mailbox)).toEqual([]);
  });

  it('outlasts a new password when the profile’s server is the cause, and leaves the owner nothing to do', async () => {
    const failingSince = new Date(Date.now() - 3 * DAY_MS);
    const reason = { code: 'tls', message: 'The certificate of imap.branch.example:993 has expired.', hint: 'The mail server’s administrator renews its certificate.', at: failingSince.toISOString() };
    const mailbox = await insertMailbox(imap, { status: 'failing', incomingStatus: 'failure', failingSince, statusReason: reason });
    await setMailboxPassword({ viewer: owner, mailboxId: mailbox.id, password: 'another password' });

    const after = await stored(mailbox);
    expect(after).toMatchObject({ connection: 'connected', status: 'failing', incomingStatus: 'failure', statusReason: reason, failingSince });
    const step = nextStep(after, profileOf(after));
    expect(step).toMatchObject({ actor: 'admin' });
    expect(renderText(step.label, 'en')).toBe('Failing: waiting for an admin to fix it');
    expect(renderText(statusReasonFor({ mailbox: after, profile: profileOf(after), audience: 'owner' })!.hint, 'en')).toMatch(/^This is for an admin to fix, not you/);
    const [failing] = (await findMailboxAlerts({ viewer: owner, mailboxId: mailbox.id, now: twoDaysOn() })).map((alert) => renderAlert(alert, 'en'));
    expect(failing).toMatchObject({ key: 'failing-day', detail: expect.stringMatching(/it is for an admin to fix, not you.*nothing for you to do/) });
  });
});
