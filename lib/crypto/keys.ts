import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getEnv, type Env } from '@/lib/env';
import { logger } from '@/lib/logger';

export type EncryptionKey = { id: string; key: Buffer };
export type EncryptionKeyring = { current: EncryptionKey; all: Map<string, EncryptionKey> };

export class MissingEncryptionKeyError extends Error {
  constructor() {
    super(
      'MAILROOM_ENCRYPTION_KEY is not set. With PostgreSQL every instance must share one key: ' +
        'generate it with `openssl rand -base64 32` and set it in the environment, or in a file named ' +
        'by MAILROOM_ENCRYPTION_KEY_FILE.',
    );
    this.name = 'MissingEncryptionKeyError';
  }
}

/** A key file that cannot be read or does not hold a key; never quotes the file's content. */
export class InvalidEncryptionKeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEncryptionKeyFileError';
  }
}

export function toEncryptionKey(base64: string): EncryptionKey {
  const key = Buffer.from(base64, 'base64');
  // The id names the key in each ciphertext without revealing anything about it.
  const id = createHash('sha256').update('mailroom-key-id').update(key).digest('hex').slice(0, 8);
  return { id, key };
}

function isEncryptionKey(base64: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(base64) && Buffer.from(base64, 'base64').length === 32;
}

function readKeyFile(keyPath: string, source: string): string {
  let content: string;
  try {
    content = readFileSync(keyPath, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InvalidEncryptionKeyFileError(`${source} ${keyPath} cannot be read (${code}).`);
  }
  if (!isEncryptionKey(content)) {
    throw new InvalidEncryptionKeyFileError(
      `${source} ${keyPath} does not hold an encryption key: it must contain 32 random bytes in base64 ` +
        '(generate one with: openssl rand -base64 32).',
    );
  }
  return content;
}

/** The embedded database gets a key generated into its data folder, so that a first start needs no setup. */
function readOrCreateGeneratedKey(env: Env): string {
  const keyPath = path.resolve(env.MAILROOM_DATA_DIR, 'encryption.key');
  if (existsSync(keyPath)) return readKeyFile(keyPath, 'The generated key file');
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

function currentKeyBase64(env: Env): string {
  if (env.MAILROOM_ENCRYPTION_KEY) return env.MAILROOM_ENCRYPTION_KEY;
  if (env.MAILROOM_ENCRYPTION_KEY_FILE) return readKeyFile(env.MAILROOM_ENCRYPTION_KEY_FILE, 'MAILROOM_ENCRYPTION_KEY_FILE');
  if (env.DATABASE_URL) throw new MissingEncryptionKeyError();
  return readOrCreateGeneratedKey(env);
}

export function loadKeyring(env: Env): EncryptionKeyring {
  const current = toEncryptionKey(currentKeyBase64(env));
  const all = new Map<string, EncryptionKey>([[current.id, current]]);
  for (const old of env.MAILROOM_ENCRYPTION_KEYS_OLD) {
    const key = toEncryptionKey(old);
    if (!all.has(key.id)) all.set(key.id, key);
  }
  return { current, all };
}

let cached: EncryptionKeyring | undefined;

export function getKeyring(): EncryptionKeyring {
  cached ??= loadKeyring(getEnv());
  return cached;
}
