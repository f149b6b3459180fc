import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toEncryptionKey, type EncryptionKeyring } from '@/lib/crypto/keys';
import { decryptSecret, encryptSecret, SecretDecryptionError, secretHint, secretKeyId, type SecretPlace } from '@/lib/crypto/secrets';
import { encryptUnboundSecret } from '../helpers/unbound-secret';

function keyring(current: string, ...older: string[]): EncryptionKeyring {
  const keys = [current, ...older].map(toEncryptionKey);
  return { current: keys[0]!, all: new Map(keys.map((key) => [key.id, key])) };
}

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const secret = 'GOCSPX-client-secret-4f2a';
const grantA: SecretPlace = { table: 'oauth_grants', column: 'refresh_token', rowId: '0b6f3c1e-5d1a-4f7e-9a43-1f1f7c0e2a01' };
const grantB: SecretPlace = { ...grantA, rowId: '7d2a9e44-03c8-4b55-8e6b-52c0d1a9b302' };

describe('secrets at rest', () => {
  it('round-trips a secret read from the place it was written for, and never stores it in clear', () => {
    const stored = encryptSecret(secret, grantA, keyring(keyA));
    expect(stored).not.toContain(secret);
    expect(stored.startsWith(`v2:${toEncryptionKey(keyA).id}:`)).toBe(true);
    expect(decryptSecret(stored, grantA, keyring(keyA))).toBe(secret);
  });

  it('refuses a ciphertext copied to another row, saying what to do and never what it holds', () => {
    const stored = encryptSecret(secret, grantA, keyring(keyA));
    const read = () => decryptSecret(stored, grantB, keyring(keyA));
    expect(read).toThrow(SecretDecryptionError);
    expect(read).toThrow(/written for another row or column: it cannot be used here; reconnect the mailbox/);
    expect(read).toThrow(/oauth_grants\.refresh_token of row 7d2a9e44/);
    try {
      read();
    } catch (error) {
      expect((error as SecretDecryptionError).reason).toBe('other_place');
      expect(String(error)).not.toContain(secret);
    }
  });

  it('refuses a ciphertext copied to another column of the same row', () => {
    const stored = encryptSecret(secret, grantA, keyring(keyA));
    expect(() => decryptSecret(stored, { ...grantA, column: 'access_token' }, keyring(keyA))).toThrow(/written for another row or column/);
    expect(() => decryptSecret(stored, { ...grantA, table: 'mailboxes', column: 'password' }, keyring(keyA))).toThrow(
      SecretDecryptionError,
    );
  });

  it('refuses a copy whose place tag was also rewritten: the associated data still binds it', () => {
    const forB = encryptSecret('other', grantB, keyring(keyA)).split(':');
    const parts = encryptSecret(secret, grantA, keyring(keyA)).split(':');
    parts[2] = forB[2]!;
    expect(() => decryptSecret(parts.join(':'), grantB, keyring(keyA))).toThrow(/altered or is corrupt, or was written for another row/);
  });

  it('still reads a secret written before secrets were bound to their place', () => {
    const unbound = encryptUnboundSecret(secret, keyring(keyA));
    expect(unbound.startsWith(`v1:${toEncryptionKey(keyA).id}:`)).toBe(true);
    expect(decryptSecret(unbound, grantA, keyring(keyA))).toBe(secret);
    expect(decryptSecret(unbound, grantB, keyring(keyB, keyA))).toBe(secret);
  });

  it('encrypts the same secret differently each time', () => {
    expect(encryptSecret(secret, grantA, keyring(keyA))).not.toBe(encryptSecret(secret, grantA, keyring(keyA)));
  });

  it('refuses a tampered ciphertext instead of returning garbage', () => {
    const stored = encryptSecret(secret, grantA, keyring(keyA));
    const parts = stored.split(':');
    const ciphertext = Buffer.from(parts[5]!, 'base64');
    ciphertext[0] = ciphertext[0]! ^ 0x01;
    parts[5] = ciphertext.toString('base64');
    expect(() => decryptSecret(parts.join(':'), grantA, keyring(keyA))).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(parts.join(':'), grantA, keyring(keyA))).toThrow(/altered or is corrupt/);
  });

  it('refuses a ciphertext whose authentication tag was changed', () => {
    const parts = encryptSecret(secret, grantA, keyring(keyA)).split(':');
    parts[4] = randomBytes(16).toString('base64');
    expect(() => decryptSecret(parts.join(':'), grantA, keyring(keyA))).toThrow(SecretDecryptionError);
  });

  it('decrypts with an older key kept for rotation, and names a key it does not have', () => {
    const stored = encryptSecret(secret, grantA, keyring(keyA));
    expect(decryptSecret(stored, grantA, keyring(keyB, keyA))).toBe(secret);
    expect(secretKeyId(stored)).toBe(toEncryptionKey(keyA).id);
    expect(() => decryptSecret(stored, grantA, keyring(keyB))).toThrow(/MAILROOM_ENCRYPTION_KEYS_OLD/);
  });

  it('never puts the secret in an error message', () => {
    const stored = encryptSecret(secret, grantA, keyring(keyA));
    try {
      decryptSecret(stored, grantA, keyring(keyB));
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
  });

  it('shows only the last four characters as a hint', () => {
    expect(secretHint(secret)).toBe('…4f2a');
    expect(secretHint('short')).toBe('…');
  });
});
