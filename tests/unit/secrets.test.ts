import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toEncryptionKey, type EncryptionKeyring } from '@/lib/crypto/keys';
import { decryptSecret, encryptSecret, SecretDecryptionError, secretHint, secretKeyId } from '@/lib/crypto/secrets';

function keyring(current: string, ...older: string[]): EncryptionKeyring {
  const keys = [current, ...older].map(toEncryptionKey);
  return { current: keys[0]!, all: new Map(keys.map((key) => [key.id, key])) };
}

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const secret = 'GOCSPX-client-secret-4f2a';

describe('secrets at rest', () => {
  it('round-trips a secret and never stores it in clear', () => {
    const stored = encryptSecret(secret, keyring(keyA));
    expect(stored).not.toContain(secret);
    expect(stored.startsWith(`v1:${toEncryptionKey(keyA).id}:`)).toBe(true);
    expect(decryptSecret(stored, keyring(keyA))).toBe(secret);
  });

  it('encrypts the same secret differently each time', () => {
    expect(encryptSecret(secret, keyring(keyA))).not.toBe(encryptSecret(secret, keyring(keyA)));
  });

  it('refuses a tampered ciphertext instead of returning garbage', () => {
    const stored = encryptSecret(secret, keyring(keyA));
    const parts = stored.split(':');
    const ciphertext = Buffer.from(parts[4]!, 'base64');
    ciphertext[0] = ciphertext[0]! ^ 0x01;
    parts[4] = ciphertext.toString('base64');
    expect(() => decryptSecret(parts.join(':'), keyring(keyA))).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(parts.join(':'), keyring(keyA))).toThrow(/altered or is corrupt/);
  });

  it('refuses a ciphertext whose authentication tag was changed', () => {
    const parts = encryptSecret(secret, keyring(keyA)).split(':');
    parts[3] = randomBytes(16).toString('base64');
    expect(() => decryptSecret(parts.join(':'), keyring(keyA))).toThrow(SecretDecryptionError);
  });

  it('decrypts with an older key kept for rotation, and names a key it does not have', () => {
    const stored = encryptSecret(secret, keyring(keyA));
    expect(decryptSecret(stored, keyring(keyB, keyA))).toBe(secret);
    expect(secretKeyId(stored)).toBe(toEncryptionKey(keyA).id);
    expect(() => decryptSecret(stored, keyring(keyB))).toThrow(/MAILROOM_ENCRYPTION_KEYS_OLD/);
  });

  it('never puts the secret in an error message', () => {
    const stored = encryptSecret(secret, keyring(keyA));
    try {
      decryptSecret(stored, keyring(keyB));
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
