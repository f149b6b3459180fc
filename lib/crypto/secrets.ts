import 'server-only';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { getKeyring, type EncryptionKeyring } from './keys';

const ALGORITHM = 'aes-256-gcm';

/** Where a secret is stored: its ciphertext decrypts only there, so a copy to another row is useless. */
export type SecretPlace = { table: string; column: string; rowId: string };

export type SecretDecryptionReason = 'unknown_format' | 'unknown_key' | 'other_place' | 'corrupt';

export class SecretDecryptionError extends Error {
  readonly reason: SecretDecryptionReason;
  readonly place: SecretPlace;

  constructor(reason: SecretDecryptionReason, detail: string, place: SecretPlace) {
    super(`A stored secret in ${place.table}.${place.column} of row ${place.rowId} could not be decrypted: ${detail}`);
    this.name = 'SecretDecryptionError';
    this.reason = reason;
    this.place = place;
  }
}

function placeWords(place: SecretPlace): string {
  return JSON.stringify([place.table, place.column, place.rowId]);
}

/**
 * Stored in clear next to the ciphertext only to tell "copied from elsewhere" from "altered" in the
 * error; the protection itself is the associated data, which the tag authenticates.
 */
function placeTag(place: SecretPlace): string {
  return createHash('sha256').update(placeWords(place)).digest('base64url').slice(0, 11);
}

function associatedData(keyId: string, place: SecretPlace): Buffer {
  return Buffer.from(`mailroom-secret:v2:${keyId}:${placeWords(place)}`, 'utf8');
}

/**
 * AES-256-GCM. The output names its key, so that older keys keep working until `keys:rotate`, and is
 * bound to its place (table, column, row) as associated data: `v2:<key id>:<place tag>:<iv>:<tag>:<ciphertext>`.
 */
export function encryptSecret(plaintext: string, place: SecretPlace, keyring: EncryptionKeyring = getKeyring()): string {
  const { id: keyId, key } = keyring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(associatedData(keyId, place));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const sealed = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'));
  return ['v2', keyId, placeTag(place), ...sealed].join(':');
}

type ParsedSecret = { format: 'v1' | 'v2'; keyId: string; placeTag?: string; iv: string; tag: string; ciphertext: string };

function parseStoredSecret(stored: string): ParsedSecret | undefined {
  const parts = stored.split(':');
  if (parts[0] === 'v1' && parts.length === 5) {
    const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    return { format: 'v1', keyId, iv, tag, ciphertext };
  }
  if (parts[0] === 'v2' && parts.length === 6) {
    const [, keyId, tagOfPlace, iv, tag, ciphertext] = parts as [string, string, string, string, string, string];
    return { format: 'v2', keyId, placeTag: tagOfPlace, iv, tag, ciphertext };
  }
  return undefined;
}

/** The id of the key a stored secret was encrypted with. */
export function secretKeyId(stored: string): string | undefined {
  return parseStoredSecret(stored)?.keyId;
}

/**
 * Decrypts a secret read from `place`. An unbound (`v1`) secret from before places still decrypts,
 * only until the start after an upgrade binds it.
 */
export function decryptSecret(stored: string, place: SecretPlace, keyring: EncryptionKeyring = getKeyring()): string {
  const parsed = parseStoredSecret(stored);
  if (!parsed) throw new SecretDecryptionError('unknown_format', 'its format is unknown', place);
  const key = keyring.all.get(parsed.keyId);
  if (!key) {
    throw new SecretDecryptionError(
      'unknown_key',
      `it was encrypted with key ${parsed.keyId}, which is neither MAILROOM_ENCRYPTION_KEY nor in MAILROOM_ENCRYPTION_KEYS_OLD`,
      place,
    );
  }
  const decipher = createDecipheriv(ALGORITHM, key.key, Buffer.from(parsed.iv, 'base64'));
  if (parsed.format === 'v2') {
    if (parsed.placeTag !== placeTag(place)) {
      throw new SecretDecryptionError(
        'other_place',
        'it was written for another row or column: it cannot be used here; reconnect the mailbox or enter the secret again',
        place,
      );
    }
    decipher.setAAD(associatedData(parsed.keyId, place));
  }
  try {
    decipher.setAuthTag(Buffer.from(parsed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(parsed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError(
      'corrupt',
      'it was altered or is corrupt, or was written for another row: it cannot be used here; reconnect the mailbox or enter the secret again',
      place,
    );
  }
}

/** What people may see of a secret: its last four characters. */
export function secretHint(plaintext: string): string {
  return plaintext.length <= 8 ? '…' : `…${plaintext.slice(-4)}`;
}
