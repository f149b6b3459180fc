import 'server-only';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { getKeyring, type EncryptionKeyring } from './keys';

const FORMAT = 'v1';
const ALGORITHM = 'aes-256-gcm';

export class SecretDecryptionError extends Error {
  constructor(reason: string) {
    super(`A stored secret could not be decrypted: ${reason}`);
    this.name = 'SecretDecryptionError';
  }
}

/** AES-256-GCM; the output names its key, so that older keys keep working until `keys:rotate`. */
export function encryptSecret(plaintext: string, keyring: EncryptionKeyring = getKeyring()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, keyring.current.key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [FORMAT, keyring.current.id, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(
    ':',
  );
}

export function secretKeyId(stored: string): string | undefined {
  const [format, keyId] = stored.split(':');
  return format === FORMAT ? keyId : undefined;
}

export function decryptSecret(stored: string, keyring: EncryptionKeyring = getKeyring()): string {
  const parts = stored.split(':');
  if (parts.length !== 5 || parts[0] !== FORMAT) throw new SecretDecryptionError('unknown format');
  const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  const key = keyring.all.get(keyId);
  if (!key) {
    throw new SecretDecryptionError(
      `it was encrypted with key ${keyId}, which is neither MAILROOM_ENCRYPTION_KEY nor in MAILROOM_ENCRYPTION_KEYS_OLD`,
    );
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError('it was altered or is corrupt');
  }
}

/** What people may see of a secret: its last four characters. */
export function secretHint(plaintext: string): string {
  return plaintext.length <= 8 ? '…' : `…${plaintext.slice(-4)}`;
}
