import { randomBytes, randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { closeDatabase, db } from '@/db';
import { auditEvents, mailboxes, oauthAuthorizations, oauthGrants, serverProfiles, users } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { getKeyring, toEncryptionKey } from '@/lib/crypto/keys';
import { bindUnboundSecrets, rotateEncryptionKeys } from '@/lib/crypto/rotate-keys';
import { secretPlace } from '@/lib/crypto/secret-place';
import { decryptSecret, encryptSecret, SecretDecryptionError } from '@/lib/crypto/secrets';
import { runCli } from '../helpers/cli';
import { insertMailboxRow, insertProfile } from '../helpers/fixtures';
import { encryptUnboundSecret } from '../helpers/unbound-secret';

async function insertOwner() {
  const [owner] = await db.insert(users).values({ email: `owner-${randomUUID()}@example.org`, role: 'owner' }).returning();
  return owner!;
}

async function storedPassword(mailboxId: string): Promise<string> {
  const [mailbox] = await db.select({ password: mailboxes.password }).from(mailboxes).where(eq(mailboxes.id, mailboxId));
  return mailbox!.password!;
}

describe('keys:rotate and secrets bound to their row', () => {
  it('rewrites every secret stored before secrets named their row into one bound to its row, once', async () => {
    const owner = await insertOwner();
    const profile = await insertProfile({ clientSecret: encryptUnboundSecret('client-secret-0001') });
    const alice = await insertMailboxRow(owner, profile, { password: encryptUnboundSecret('alice-password-0002') });
    const bob = await insertMailboxRow(owner, profile, { password: encryptUnboundSecret('bob-password-0003') });
    const [grant] = await db
      .insert(oauthGrants)
      .values({
        mailboxId: alice.id,
        profileId: profile.id,
        account: alice.address,
        accessToken: encryptUnboundSecret('access-token-0004'),
        refreshToken: encryptUnboundSecret('refresh-token-0005'),
        consentedAt: new Date(),
      })
      .returning();
    const [authorization] = await db
      .insert(oauthAuthorizations)
      .values({
        flow: 'device',
        userId: owner.id,
        mailboxId: bob.id,
        profileId: profile.id,
        codeVerifier: encryptUnboundSecret('code-verifier-0006'),
        deviceCode: encryptUnboundSecret('device-code-0007'),
        expiresAt: new Date(Date.now() + 600_000),
      })
      .returning();
    const expected = [
      { place: secretPlace(serverProfiles.clientSecret, profile.id), plaintext: 'client-secret-0001' },
      { place: secretPlace(mailboxes.password, alice.id), plaintext: 'alice-password-0002' },
      { place: secretPlace(mailboxes.password, bob.id), plaintext: 'bob-password-0003' },
      { place: secretPlace(oauthGrants.accessToken, grant!.id), plaintext: 'access-token-0004' },
      { place: secretPlace(oauthGrants.refreshToken, grant!.id), plaintext: 'refresh-token-0005' },
      { place: secretPlace(oauthAuthorizations.codeVerifier, authorization!.id), plaintext: 'code-verifier-0006' },
      { place: secretPlace(oauthAuthorizations.deviceCode, authorization!.id), plaintext: 'device-code-0007' },
    ];

    const result = await rotateEncryptionKeys({ actor: COMMAND_LINE_ACTOR });
    expect(result).toEqual({
      reEncrypted: {
        'server_profiles.client_secret': 1,
        'mailboxes.password': 2,
        'oauth_grants.access_token': 1,
        'oauth_grants.refresh_token': 1,
        'oauth_authorizations.code_verifier': 1,
        'oauth_authorizations.device_code': 1,
      },
      unreadable: [],
    });

    const [storedProfile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, profile.id));
    const [storedGrant] = await db.select().from(oauthGrants).where(eq(oauthGrants.id, grant!.id));
    const [storedAuthorization] = await db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.id, authorization!.id));
    const stored = [
      storedProfile!.clientSecret!,
      await storedPassword(alice.id),
      await storedPassword(bob.id),
      storedGrant!.accessToken!,
      storedGrant!.refreshToken!,
      storedAuthorization!.codeVerifier!,
      storedAuthorization!.deviceCode!,
    ];
    for (const [index, value] of stored.entries()) {
      expect(value.startsWith(`v2:${getKeyring().current.id}:`)).toBe(true);
      expect(decryptSecret(value, expected[index]!.place)).toBe(expected[index]!.plaintext);
    }

    // Now bound, Alice's password copied into Bob's row no longer opens there, nor her refresh token in her password.
    expect(() => decryptSecret(stored[1]!, expected[2]!.place)).toThrow(/written for another row or column: it cannot be used here/);
    expect(() => decryptSecret(stored[4]!, expected[1]!.place)).toThrow(SecretDecryptionError);

    const again = await rotateEncryptionKeys({ actor: COMMAND_LINE_ACTOR });
    expect(Object.values(again.reEncrypted).every((count) => count === 0)).toBe(true);
  });

  it('re-encrypts each secret exactly once when two instances rotate at the same time', async () => {
    const owner = await insertOwner();
    const profile = await insertProfile();
    const boxes = await Promise.all(
      Array.from({ length: 30 }, (_, index) => insertMailboxRow(owner, profile, { password: encryptUnboundSecret(`password-${index}`) })),
    );

    const [first, second] = await Promise.all([
      rotateEncryptionKeys({ actor: COMMAND_LINE_ACTOR }),
      rotateEncryptionKeys({ actor: COMMAND_LINE_ACTOR }),
    ]);
    expect(first.reEncrypted['mailboxes.password']! + second.reEncrypted['mailboxes.password']!).toBe(30);

    const rows = await db
      .select({ id: mailboxes.id, password: mailboxes.password })
      .from(mailboxes)
      .where(inArray(mailboxes.id, boxes.map((box) => box.id)));
    for (const row of rows) {
      const index = boxes.findIndex((box) => box.id === row.id);
      expect(decryptSecret(row.password!, secretPlace(mailboxes.password, row.id))).toBe(`password-${index}`);
    }
  });

  it('binds at start every secret from before places under the key it already has, once, with instances starting together', async () => {
    const owner = await insertOwner();
    const profile = await insertProfile();
    const oldKey = randomBytes(32).toString('base64');
    const withOldKey = { current: getKeyring().current, all: new Map([...getKeyring().all, [toEncryptionKey(oldKey).id, toEncryptionKey(oldKey)]]) };
    const underOldKey = { ...withOldKey, current: toEncryptionKey(oldKey) };
    const boxes = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        insertMailboxRow(owner, profile, { password: encryptUnboundSecret(`bind-${index}`, index % 2 ? underOldKey : getKeyring()) }),
      ),
    );
    const [first, second] = await Promise.all([bindUnboundSecrets(withOldKey), bindUnboundSecrets(withOldKey)]);
    expect(first.reEncrypted['mailboxes.password']! + second.reEncrypted['mailboxes.password']!).toBe(20);
    for (const [index, box] of boxes.entries()) {
      const stored = await storedPassword(box.id);
      // Bound to its row, under the key it had: changing keys stays the admin's keys:rotate.
      expect(stored.startsWith(`v2:${(index % 2 ? underOldKey : withOldKey).current.id}:`)).toBe(true);
      expect(decryptSecret(stored, secretPlace(mailboxes.password, box.id), withOldKey)).toBe(`bind-${index}`);
    }
    const again = await bindUnboundSecrets(withOldKey);
    expect(Object.values(again.reEncrypted).every((count) => count === 0)).toBe(true);
    const audits = await db.select().from(auditEvents).where(eq(auditEvents.action, 'keys.bind'));
    expect(audits.length).toBeGreaterThanOrEqual(1);
    expect(audits.length).toBeLessThanOrEqual(2);
    // The key of half of them is not this process's: keys:rotate below would stop on them.
    await db.delete(mailboxes).where(inArray(mailboxes.id, boxes.map((box) => box.id)));
  });

  // Last: it moves the database to a key this test process does not hold.
  it('names a secret copied from another row, leaves it, and still rotates every other one to the new key', async () => {
    const owner = await insertOwner();
    const profile = await insertProfile();
    const carolId = randomUUID();
    const daveId = randomUUID();
    const carolPassword = encryptSecret('carol-password-0008', secretPlace(mailboxes.password, carolId));
    await insertMailboxRow(owner, profile, { id: carolId, password: carolPassword });
    await insertMailboxRow(owner, profile, { id: daveId, password: carolPassword });
    const oldKey = process.env.MAILROOM_ENCRYPTION_KEY!;
    const newKey = randomBytes(32).toString('base64');

    // On the embedded database one process at a time may open the data folder: let the CLI have it.
    await closeDatabase();
    const result = await runCli(['keys:rotate'], { MAILROOM_ENCRYPTION_KEY: newKey, MAILROOM_ENCRYPTION_KEYS_OLD: oldKey });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`mailboxes.password of row ${daveId}: altered or copied from another row, left as it is`);
    expect(result.stdout).toMatch(/The 1 listed above cannot be used: reconnect those mailboxes or enter those secrets again/);
    expect(result.stdout + result.stderr).not.toContain('carol-password-0008');
    expect(await storedPassword(daveId)).toBe(carolPassword);
    const onlyNewKey = { current: toEncryptionKey(newKey), all: new Map([[toEncryptionKey(newKey).id, toEncryptionKey(newKey)]]) };
    expect(decryptSecret(await storedPassword(carolId), secretPlace(mailboxes.password, carolId), onlyNewKey)).toBe('carol-password-0008');
  }, 90_000);
});
