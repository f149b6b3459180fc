import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidEnvironmentError, parseEnv } from '@/lib/env';

describe('environment', () => {
  it('runs on the embedded database with no configuration at all', () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MAILROOM_DATA_DIR).toBe('./.data');
    expect(env.MAILROOM_PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(parseEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names each bad variable and says what is expected', () => {
    const parse = () =>
      parseEnv({
        DATABASE_URL: 'mysql://localhost/mailroom',
        MAILROOM_ENCRYPTION_KEY: 'too-short',
        MAILROOM_PUBLIC_URL: 'mail.example.org',
      });
    expect(parse).toThrow(InvalidEnvironmentError);
    expect(parse).toThrow(/DATABASE_URL: must be a postgres/);
    expect(parse).toThrow(/MAILROOM_ENCRYPTION_KEY: must be 32 random bytes in base64/);
    expect(parse).toThrow(/MAILROOM_PUBLIC_URL: must be an http\(s\) URL/);
  });

  it('does not echo a bad key back in its message', () => {
    const badKey = randomBytes(16).toString('base64');
    expect(() => parseEnv({ MAILROOM_ENCRYPTION_KEY: badKey })).toThrow(InvalidEnvironmentError);
    try {
      parseEnv({ MAILROOM_ENCRYPTION_KEY: badKey });
    } catch (error) {
      expect(String(error)).not.toContain(badKey);
    }
  });

  it('accepts older keys for rotation and checks each of them', () => {
    const keys = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    expect(parseEnv({ MAILROOM_ENCRYPTION_KEYS_OLD: keys.join(', ') }).MAILROOM_ENCRYPTION_KEYS_OLD).toEqual(keys);
    expect(() => parseEnv({ MAILROOM_ENCRYPTION_KEYS_OLD: `${keys[0]},nope` })).toThrow(/MAILROOM_ENCRYPTION_KEYS_OLD/);
  });

  it('asks for all three single sign-on settings together', () => {
    expect(() => parseEnv({ MAILROOM_OIDC_ISSUER: 'https://id.example.org' })).toThrow(
      /needs all three of MAILROOM_OIDC_ISSUER, MAILROOM_OIDC_CLIENT_ID and MAILROOM_OIDC_CLIENT_SECRET/,
    );
    const complete = parseEnv({
      MAILROOM_OIDC_ISSUER: 'https://id.example.org',
      MAILROOM_OIDC_CLIENT_ID: 'mailroom',
      MAILROOM_OIDC_CLIENT_SECRET: 'secret',
    });
    expect(complete.MAILROOM_OIDC_NAME).toBe('single sign-on');
  });
});
