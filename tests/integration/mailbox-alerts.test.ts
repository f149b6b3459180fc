// Issue 8: the alerts of one mailbox, as admins and support read them and as its owner reads them.
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/db';
import { mailboxes, oauthGrants, type Mailbox, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { renderAlert } from '@/lib/alerts/alert';
import { findMailboxAlerts } from '@/lib/alerts/find-mailbox-alerts';
import { createUser } from '@/lib/users/users';
import { insertMailboxRow, insertProfile } from '../helpers/fixtures';

const NOW = new Date('2030-06-15T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let admin: User;
let support: User;
let owner: User;
let otherOwner: User;

const insertMailbox = (profile: ServerProfile, values: Partial<typeof mailboxes.$inferInsert> = {}): Promise<Mailbox> =>
  insertMailboxRow(owner, profile, values);

async function insertGrant(mailbox: Mailbox, values: { consentedAt: Date; refreshTokenObtainedAt: Date }): Promise<void> {
  await db.insert(oauthGrants).values({ mailboxId: mailbox.id, profileId: mailbox.profileId, account: mailbox.address, ...values });
}

const alertsFor = async (viewer: User, mailbox: Mailbox, locale: 'en' | 'fr' = 'en') =>
  (await findMailboxAlerts({ viewer, mailboxId: mailbox.id, now: NOW })).map((alert) => renderAlert(alert, locale));
const keys = (alerts: { key: string }[]) => alerts.map((alert) => alert.key.replace(/:.*/, ''));

describe('the alerts of one mailbox', () => {
  beforeAll(async () => {
    const person = (email: string, role: User['role']) => createUser({ actor: COMMAND_LINE_ACTOR, input: { email, role } });
    [admin, support, owner, otherOwner] = await Promise.all([
      person('admin@example.org', 'admin'),
      person('support@example.org', 'support'),
      person('owner@example.org', 'owner'),
      person('other.owner@example.org', 'owner'),
    ]);
  });

  describe('on a refused Google profile in Testing, with its secret expiring, failing for two days', () => {
    let profile: ServerProfile;
    let mailbox: Mailbox;

    beforeAll(async () => {
      profile = await insertProfile({
        name: 'Sales Gmail',
        publishingStatus: 'testing',
        clientSecretExpiresAt: new Date(NOW.getTime() + 10 * DAY_MS),
        clientError: { code: 'invalid_client', message: 'The provider refused the profile’s OAuth app (invalid_client).', hint: 'Check the client id and client secret.', at: ago(DAY_MS).toISOString() },
        mailboxCount: 1,
      });
      mailbox = await insertMailbox(profile, {
        status: 'failing',
        failingSince: ago(2 * DAY_MS),
        statusReason: { code: 'auth_failed', message: 'The provider refused the profile’s OAuth app.', hint: 'Check the client id and client secret.', at: ago(DAY_MS).toISOString() },
      });
      await insertGrant(mailbox, { consentedAt: ago(3 * DAY_MS), refreshTokenObtainedAt: ago(3 * DAY_MS) });
    });

    it('shows admins and support every alert, each leading to where it is fixed', async () => {
      for (const viewer of [admin, support]) {
        const alerts = await alertsFor(viewer, mailbox);
        expect(keys(alerts)).toEqual(['client-refused', 'testing-mode', 'client-secret', 'failing-day']);
        expect(alerts[0]).toMatchObject({ title: 'The provider refuses the client of Sales Gmail', href: `/profiles/${profile.id}` });
        expect(alerts[2]!.title).toBe('The client secret of Sales Gmail expires on Jun 25, 2030');
        expect(alerts[3]!.title).toBe('Failing since Jun 13, 2030, 2:00 PM GMT+2, more than a day');
      }
    });

    it('tells the owner the refusal is not theirs to fix, when their connection ends, and leaves the secret to the admins', async () => {
      const alerts = await alertsFor(owner, mailbox);
      expect(keys(alerts)).toEqual(['client-refused', 'testing-mode', 'failing-day']);
      const [refused, testing, failing] = alerts;
      expect(refused!.title).toBe('Google is refusing Mailroom’s access for every mailbox on Sales Gmail');
      expect(refused!.detail).toMatch(/not caused by your mailbox, and reconnecting will not help/);
      expect(refused!.detail).not.toContain('client secret');
      expect(testing!.title).toBe('Google ends this mailbox’s connection on Jun 19, 2030');
      expect(testing!.detail).toMatch(/Reconnect on or before that day with Reconnect under Connection/);
      expect(failing!.title).toBe('Your mailbox has been failing for more than a day, since Jun 13, 2030, 2:00 PM GMT+2');
      expect(failing!.detail).toMatch(/^The cause is the server profile’s problem above, not your mailbox/);
      // Owners cannot open profiles or the token status list.
      expect(alerts.every((alert) => alert.href === undefined)).toBe(true);
    });

    it('says the same to a French owner in French', async () => {
      const [refused, testing, failing] = await alertsFor(owner, mailbox, 'fr');
      expect(refused!.title).toBe('Google refuse l’accès de Mailroom pour toutes les boîtes aux lettres de Sales Gmail');
      expect(refused!.detail).toMatch(/^Votre boîte aux lettres n’en est pas la cause, et vous reconnecter n’y changera rien/);
      expect(testing!.title).toBe('Google mettra fin à la connexion de cette boîte aux lettres le 19 juin 2030');
      expect(failing!.detail).toMatch(/^La cause est le problème du profil de serveur signalé ci-dessus/);
      const [staffRefused] = await alertsFor(support, mailbox, 'fr');
      // The provider's own refusal, stored before its words had keys, stays as it was written.
      expect(staffRefused).toMatchObject({
        title: 'Le fournisseur refuse le client OAuth de Sales Gmail',
        detail: 'The provider refused the profile’s OAuth app (invalid_client). Check the client id and client secret.',
      });
    });

    it('shows another owner nothing of a mailbox that is not theirs', async () => {
      expect(await alertsFor(otherOwner, mailbox)).toEqual([]);
    });
  });

  describe('when most mailboxes of a profile start failing within the hour', () => {
    let failing: Mailbox;
    let healthy: Mailbox;

    beforeAll(async () => {
      const profile = await insertProfile({ name: 'Branch IMAP', serverType: 'custom', authType: 'password', mailboxCount: 3 });
      [failing, healthy] = await Promise.all([
        insertMailbox(profile, { status: 'failing', failingSince: ago(10 * 60 * 1000) }),
        insertMailbox(profile, { ownerId: otherOwner.id }),
        insertMailbox(profile, { status: 'failing', failingSince: ago(20 * 60 * 1000) }),
      ]);
    });

    it('counts them for support, on every mailbox of the profile', async () => {
      for (const mailbox of [failing, healthy]) {
        const [alert] = await alertsFor(support, mailbox);
        expect(alert!.title).toBe('2 of 3 mailboxes of Branch IMAP started failing in the last hour');
      }
    });

    it('tells the owner of a failing one the cause is likely not their mailbox, and the owner of a working one nothing', async () => {
      const [alert, ...others] = await alertsFor(owner, failing);
      expect(others).toEqual([]);
      expect(alert!.title).toBe('Most mailboxes on Branch IMAP started failing in the last hour, yours among them');
      expect(alert!.detail).toMatch(/not your mailbox/);
      expect(await alertsFor(otherOwner, healthy)).toEqual([]);
    });
  });

  describe('when one mailbox of a profile fails alone', () => {
    let failing: Mailbox;

    beforeAll(async () => {
      const profile = await insertProfile({ name: 'Lone IMAP', serverType: 'custom', authType: 'password', mailboxCount: 1 });
      failing = await insertMailbox(profile, { status: 'failing', failingSince: ago(10 * 60 * 1000) });
    });

    it('raises no profile-wide incident: one failing mailbox is its own story', async () => {
      expect(keys(await alertsFor(support, failing))).not.toContain('mass-failure');
      expect(keys(await alertsFor(owner, failing))).not.toContain('mass-failure');
    });
  });

  describe('when most mailboxes of a profile fail, one of them because its own password was refused', () => {
    let refused: Mailbox;
    let failing: Mailbox;

    beforeAll(async () => {
      const profile = await insertProfile({ name: 'Shop IMAP', serverType: 'custom', authType: 'password', mailboxCount: 3 });
      const reason = { code: 'auth_failed', message: 'The server refused the password.', hint: 'Enter the mailbox password again.', at: ago(5 * 60 * 1000).toISOString() };
      [refused, failing] = await Promise.all([
        insertMailbox(profile, { connection: 'connected', status: 'failing', failingSince: ago(5 * 60 * 1000), statusReason: reason }),
        insertMailbox(profile, { status: 'failing', failingSince: ago(10 * 60 * 1000) }),
        insertMailbox(profile, { ownerId: otherOwner.id, status: 'failing', failingSince: ago(15 * 60 * 1000) }),
      ]);
    });

    it('never tells the owner of the refused one to wait for the admins: their password is theirs to fix', async () => {
      expect(keys(await alertsFor(owner, refused))).not.toContain('mass-failure');
      expect(keys(await alertsFor(owner, failing))).toContain('mass-failure');
    });
  });

  describe('on a Microsoft 365 profile whose secret expired, with a refresh token 70 days old', () => {
    let mailbox: Mailbox;

    beforeAll(async () => {
      const profile = await insertProfile({
        name: 'Contoso 365',
        serverType: 'microsoft365',
        clientSecretExpiresAt: ago(2 * DAY_MS),
        mailboxCount: 1,
      });
      mailbox = await insertMailbox(profile);
      await insertGrant(mailbox, { consentedAt: ago(200 * DAY_MS), refreshTokenObtainedAt: ago(70 * DAY_MS) });
    });

    it('warns support of both in their words', async () => {
      const alerts = await alertsFor(support, mailbox);
      expect(alerts.map((alert) => alert.title)).toEqual([
        'The client secret of Contoso 365 expired on Jun 13, 2030',
        'The Microsoft refresh token was not renewed for 60 days',
      ]);
    });

    it('tells the owner the expired secret is an admin’s to renew, and how to renew their connection before Microsoft ends it', async () => {
      const [secret, stale] = await alertsFor(owner, mailbox);
      expect(secret!.title).toBe('Mailroom’s access for the mailboxes on Contoso 365 expired on Jun 13, 2030');
      expect(secret!.detail).toMatch(/an admin renews .* nothing for you to do/);
      expect(stale!.title).toBe('Your Microsoft 365 connection was last renewed on Apr 6, 2030');
      expect(stale!.detail).toBe(
        'Microsoft ends a connection that goes 90 days without renewal, this one on Jul 5, 2030. Run Test and activate to renew it; if the test fails, click Reconnect under Connection.',
      );
    });
  });

  describe('a mailbox of its own failing for a day', () => {
    it('tells the owner what to do, by where the mailbox stands', async () => {
      const profile = await insertProfile({ name: 'Plain Gmail', mailboxCount: 4 });
      const failing = await insertMailbox(profile, { status: 'failing', failingSince: ago(3 * DAY_MS) });
      const revoked = await insertMailbox(profile, { status: 'failing', connection: 'needs_reconnect', failingSince: ago(3 * DAY_MS) });
      const disabled = await insertMailbox(profile, { status: 'disabled', failingSince: ago(3 * DAY_MS) });

      expect((await alertsFor(owner, failing))[0]!.detail).toMatch(/^Why it fails, and what to do about it, is under “Where it stands”: do it, then run Test and activate again/);
      const tls = { code: 'tls', message: 'The certificate of imap.gmail.com:993 has expired.', hint: 'The mail server’s administrator renews its certificate.', at: ago(DAY_MS).toISOString() };
      const serverSide = await insertMailbox(profile, { status: 'failing', failingSince: ago(3 * DAY_MS), statusReason: tls });
      expect((await alertsFor(owner, serverSide))[0]!.detail).toMatch(/it is for an admin to fix, not you.* There is nothing for you to do\.$/);
      expect((await alertsFor(owner, revoked))[0]!.detail).toBe(
        'Mailroom can no longer sign in to it: click Reconnect and sign in under Connection, then run Test and activate.',
      );
      expect((await alertsFor(owner, revoked, 'fr'))[0]!.detail).toBe(
        'Mailroom ne parvient plus à s’y connecter\u00a0: cliquez sur «\u00a0Se reconnecter\u00a0» et connectez-vous sous Connexion, puis lancez «\u00a0Tester et activer\u00a0».',
      );
      // Disabled is an admin's doing, and its next step says so; support still sees it failing.
      expect(await alertsFor(owner, disabled)).toEqual([]);
      expect(keys(await alertsFor(support, disabled))).toEqual(['failing-day']);
    });
  });
});
