import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as meRoute from '@/app/api/v1/me/route';
import * as usersRoute from '@/app/api/v1/users/route';
import { closeDatabase, db } from '@/db';
import { mailboxes, oauthGrants, serverProfiles, users } from '@/db/schema';
import { toEncryptionKey } from '@/lib/crypto/keys';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret } from '@/lib/crypto/secrets';
import { getUserByEmail } from '@/lib/users/users';
import { callRoute } from '../helpers/api';
import { insertProfile } from '../helpers/fixtures';
import { runCli } from '../helpers/cli';
import { encryptUnboundSecret } from '../helpers/unbound-secret';

// On the embedded database one process at a time may open the data folder: let the CLI have it.
async function cli(args: string[], env?: Record<string, string>) {
  await closeDatabase();
  return runCli(args, env);
}

describe('command line', () => {
  it('creates a support user and an API key that acts as that user', async () => {
    const created = await cli(['user:create', '--email', 's@example.org', '--role', 'support', '--password', 'support password 5d1c']);
    expect(created.exitCode).toBe(0);
    const userId = created.stdout.trim();
    expect(userId).toBe((await getUserByEmail({ email: 's@example.org' }))?.id);

    const keyed = await cli(['apikey:create', '--email', 's@example.org']);
    expect(keyed.exitCode).toBe(0);
    const key = keyed.stdout.trim().split('\n').at(-1)!;
    const me = await callRoute(meRoute.GET, { path: '/api/v1/me', key });
    expect(me.json).toMatchObject({ id: userId, email: 's@example.org', role: 'support' });
    // A support key may read but not create users.
    const refused = await callRoute(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key,
      body: { email: 'x@example.org', role: 'owner' },
    });
    expect(refused.status).toBe(403);
  });

  it('explains bad options and changes nothing', async () => {
    const result = await cli(['user:create', '--email', 'not-an-email', '--role', 'boss']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--email: Enter a valid email address/);
    expect(result.stderr).toMatch(/--role: Choose a role/);
    expect(await db.select().from(users).where(eq(users.email, 'not-an-email'))).toEqual([]);

    const unknownUser = await cli(['apikey:create', '--email', 'nobody@example.org']);
    expect(unknownUser.exitCode).toBe(1);
    expect(unknownUser.stderr).toMatch(/No user has the email nobody@example.org/);

    const unknownCommand = await cli(['frobnicate']);
    expect(unknownCommand.exitCode).toBe(2);
    expect(unknownCommand.stderr).toMatch(/Unknown command: frobnicate/);
  });
});

describe('apikey:list and apikey:revoke', () => {
  it('lists keys without the key itself, and a revoked key answers 401 at once', async () => {
    await cli(['user:create', '--email', 'lister@example.org', '--role', 'owner', '--password', 'lister password 9e3a']);
    const created = await cli(['apikey:create', '--email', 'lister@example.org', '--name', 'Nightly export', '--expires', '2099-01-01T00:00:00Z']);
    expect(created.exitCode, created.stderr).toBe(0);
    const key = created.stdout.trim().split('\n').at(-1)!;

    const listed = await cli(['apikey:list', '--email', 'lister@example.org']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.includes('Nightly export'))!;
    expect(row).toContain('lister@example.org');
    expect(row).toContain('2099-01-01T00:00:00.000Z');
    expect(listed.stdout).not.toContain(key);
    const id = row.split('\t')[0]!;

    expect((await callRoute(meRoute.GET, { path: '/api/v1/me', key })).status).toBe(200);
    await closeDatabase();
    const revoked = await cli(['apikey:revoke', '--id', id]);
    expect(revoked.exitCode, revoked.stderr).toBe(0);
    expect((await callRoute(meRoute.GET, { path: '/api/v1/me', key })).status).toBe(401);

    const unknown = await cli(['apikey:revoke', '--id', 'not-an-id']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/--id: Not a valid id/);
  }, 120_000);
});

describe('keys:rotate', () => {
  const secrets = {
    clientSecret: 'client-secret-plaintext-0001',
    password: 'app-password-plaintext-0002',
    accessToken: 'access-token-plaintext-0003',
    refreshToken: 'refresh-token-plaintext-0004',
  };

  async function storedSecrets() {
    const [profile] = await db.select({ value: serverProfiles.clientSecret }).from(serverProfiles);
    const [mailbox] = await db.select({ value: mailboxes.password }).from(mailboxes);
    const [grant] = await db.select({ access: oauthGrants.accessToken, refresh: oauthGrants.refreshToken }).from(oauthGrants);
    return [profile!.value!, mailbox!.value!, grant!.access!, grant!.refresh!];
  }

  it('re-encrypts every stored secret with the new key, which alone then decrypts them', async () => {
    const oldKey = process.env.MAILROOM_ENCRYPTION_KEY!;
    const newKey = randomBytes(32).toString('base64');
    const [owner] = await db.insert(users).values({ email: 'owner@example.org', role: 'owner' }).returning();
    const profile = await insertProfile({ name: 'Gmail', clientSecret: encryptUnboundSecret(secrets.clientSecret) });
    const [mailbox] = await db
      .insert(mailboxes)
      .values({ address: 'owner@example.org', ownerId: owner!.id, profileId: profile.id, password: encryptUnboundSecret(secrets.password) })
      .returning();
    const [grant] = await db
      .insert(oauthGrants)
      .values({
        mailboxId: mailbox!.id,
        profileId: profile.id,
        account: 'owner@example.org',
        accessToken: encryptUnboundSecret(secrets.accessToken),
        refreshToken: encryptUnboundSecret(secrets.refreshToken),
        consentedAt: new Date(),
      })
      .returning();
    const places = [
      secretPlace(serverProfiles.clientSecret, profile.id),
      secretPlace(mailboxes.password, mailbox!.id),
      secretPlace(oauthGrants.accessToken, grant!.id),
      secretPlace(oauthGrants.refreshToken, grant!.id),
    ];
    const before = await storedSecrets();

    const result = await cli(['keys:rotate'], { MAILROOM_ENCRYPTION_KEY: newKey, MAILROOM_ENCRYPTION_KEYS_OLD: oldKey });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/oauth_grants\.refresh_token: 1 re-encrypted/);

    const after = await storedSecrets();
    const onlyNewKey = { current: toEncryptionKey(newKey), all: new Map([[toEncryptionKey(newKey).id, toEncryptionKey(newKey)]]) };
    expect(after.map((stored, index) => decryptSecret(stored, places[index]!, onlyNewKey))).toEqual(Object.values(secrets));
    for (const [index, stored] of after.entries()) {
      expect(stored).not.toBe(before[index]);
      expect(stored.startsWith(`v2:${toEncryptionKey(newKey).id}:`)).toBe(true);
    }
    const output = result.stdout + result.stderr;
    for (const secret of Object.values(secrets)) expect(output).not.toContain(secret);
  });

  it('fails loudly on a secret no configured key can decrypt, naming the variable to fix', async () => {
    const result = await cli(['keys:rotate'], { MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/MAILROOM_ENCRYPTION_KEYS_OLD/);
  });
});
