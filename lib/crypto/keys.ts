import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getEnv } from '@/lib/env';
import { logger } from '@/lib/logger';

export type EncryptionKey = { id: string; key: Buffer };
export type EncryptionKeyring = { current: EncryptionKey; all: Map<string, EncryptionKey> };

export class MissingEncryptionKeyError extends Error {
  constructor() {
    super(
      'MAILROOM_ENCRYPTION_KEY is not set. With PostgreSQL every instance must share one key: ' +
        'generate it with `openssl rand -base64 32` and set it in the environment.',
    );
    this.name = 'MissingEncryptionKeyError';
  }
}

export function toEncryptionKey(base64: string): EncryptionKey {
  const key = Buffer.from(base64, 'base64');
  // The id names the key in each ciphertext without revealing anything about it.
  const id = createHash('sha256').update('mailroom-key-id').update(key).digest('hex').slice(0, 8);
  return { id, key };
}

function generatedKeyPath(): string {
  return path.resolve(getEnv().MAILROOM_DATA_DIR, 'encryption.key');
}

/** The embedded database gets a key generated into its data folder, so that a first start needs no setup. */
function readOrCreateGeneratedKey(): string {
  const keyPath = generatedKeyPath();
  if (existsSync(keyPath)) return readFileSync(keyPath, 'utf8').trim();
  mkdirSync(path.dirname(keyPath), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64');
  writeFileSync(keyPath, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(keyPath, 0o600);
  logger.warn(
    `MAILROOM_ENCRYPTION_KEY is not set: generated one in ${keyPath}. Back that file up with the data ` +
      'folder, or set MAILROOM_ENCRYPTION_KEY to its content.',
  );
  return key;
}

let cached: EncryptionKeyring | undefined;

export function getKeyring(): EncryptionKeyring {
  if (cached) return cached;
  const env = getEnv();
  let currentBase64 = env.MAILROOM_ENCRYPTION_KEY;
  if (!currentBase64) {
    if (env.DATABASE_URL) throw new MissingEncryptionKeyError();
    currentBase64 = readOrCreateGeneratedKey();
  }
  const current = toEncryptionKey(currentBase64);
  const all = new Map<string, EncryptionKey>([[current.id, current]]);
  for (const old of env.MAILROOM_ENCRYPTION_KEYS_OLD) {
    const key = toEncryptionKey(old);
    if (!all.has(key.id)) all.set(key.id, key);
  }
  cached = { current, all };
  return cached;
}
