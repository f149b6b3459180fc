import { createCipheriv, randomBytes } from 'node:crypto';
import { getKeyring, type EncryptionKeyring } from '@/lib/crypto/keys';

/**
 * A secret as releases before places wrote it (`v1:<key id>:<iv>:<tag>:<ciphertext>`, no associated
 * data): what an upgraded database still holds until the start binds it.
 */
export function encryptUnboundSecret(plaintext: string, keyring: EncryptionKeyring = getKeyring()): string {
  const { id, key } = keyring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', id, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'))].join(':');
}
