import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidEncryptionKeyFileError, loadKeyring, toEncryptionKey } from '@/lib/crypto/keys';
import { parseEnv } from '@/lib/env';

const folder = mkdtempSync(path.join(tmpdir(), 'mailroom-key-file-'));
const postgres = 'postgres://postgres@127.0.0.1:5432/mailroom';

function keyFile(name: string, content: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

describe('MAILROOM_ENCRYPTION_KEY_FILE', () => {
  it('reads the key from the file, as a mounted secret holds it (with a final newline)', () => {
    const key = randomBytes(32).toString('base64');
    const file = keyFile('mounted.key', `${key}\n`);
    const keyring = loadKeyring(parseEnv({ DATABASE_URL: postgres, MAILROOM_ENCRYPTION_KEY_FILE: file }));
    expect(keyring.current.id).toBe(toEncryptionKey(key).id);
  });

  it('refuses to start with both the key and the key file set', () => {
    const key = randomBytes(32).toString('base64');
    expect(() =>
      parseEnv({ MAILROOM_ENCRYPTION_KEY: key, MAILROOM_ENCRYPTION_KEY_FILE: keyFile('both.key', key) }),
    ).toThrow(/MAILROOM_ENCRYPTION_KEY_FILE: set either MAILROOM_ENCRYPTION_KEY or MAILROOM_ENCRYPTION_KEY_FILE, not both/);
  });

  it('names the file it cannot read', () => {
    const missing = path.join(folder, 'missing.key');
    const load = () => loadKeyring(parseEnv({ DATABASE_URL: postgres, MAILROOM_ENCRYPTION_KEY_FILE: missing }));
    expect(load).toThrow(InvalidEncryptionKeyFileError);
    expect(load).toThrow(`MAILROOM_ENCRYPTION_KEY_FILE ${missing} cannot be read (ENOENT).`);
  });

  it('refuses a file that holds no key, without quoting what it holds', () => {
    const content = 'hunter2-not-a-key';
    const file = keyFile('malformed.key', content);
    const load = () => loadKeyring(parseEnv({ DATABASE_URL: postgres, MAILROOM_ENCRYPTION_KEY_FILE: file }));
    expect(load).toThrow(/does not hold an encryption key: it must contain 32 random bytes in base64/);
    try {
      load();
    } catch (error) {
      expect(String(error)).not.toContain(content);
    }
    const shortKey = keyFile('short.key', randomBytes(16).toString('base64'));
    expect(() => loadKeyring(parseEnv({ DATABASE_URL: postgres, MAILROOM_ENCRYPTION_KEY_FILE: shortKey }))).toThrow(
      InvalidEncryptionKeyFileError,
    );
  });
});
