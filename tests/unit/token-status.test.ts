import { describe, expect, it } from 'vitest';
import type { StoredError } from '@/db/schema';
import { consentExpiresAt, deriveTokenState, toTokenStatus, type GrantStatusFields, type TokenStatusInput } from '@/lib/tokens/token-status';

const now = new Date('2025-06-01T12:00:00Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
const days = (n: number) => new Date(now.getTime() + n * 24 * 3600_000);
const invalidGrant: StoredError = { code: 'invalid_grant', message: 'The grant was revoked.', hint: 'The owner connects the mailbox again.', at: now.toISOString() };

const gmail = { serverType: 'gmail' as const, publishingStatus: 'production' as const, scopes: ['https://mail.google.com/', 'openid', 'email'] };
const testingGmail = { ...gmail, publishingStatus: 'testing' as const };
const microsoft = {
  serverType: 'microsoft365' as const,
  publishingStatus: null,
  scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access', 'openid'],
};

function grant(overrides: Partial<GrantStatusFields> = {}): GrantStatusFields {
  return {
    account: 'alice@example.org',
    scopes: ['https://mail.google.com/', 'openid', 'email'],
    accessTokenExpiresAt: minutes(50),
    lastRefreshAt: minutes(-10),
    refreshTokenObtainedAt: days(-1),
    consentedAt: days(-1),
    lastError: null,
    revokedAt: null,
    ...overrides,
  };
}

function input(overrides: Partial<TokenStatusInput> = {}): TokenStatusInput {
  return { mailbox: { connection: 'connected', statusReason: null }, profile: gmail, grant: grant(), now, ...overrides };
}

describe('token state', () => {
  it('is none without a grant, or when the mailbox is not connected', () => {
    expect(deriveTokenState(input({ grant: null }))).toBe('none');
    expect(deriveTokenState(input({ mailbox: { connection: 'not_connected', statusReason: null } }))).toBe('none');
  });

  it('is revoked when the check sent the mailbox back to reconnect after invalid_grant', () => {
    const status = toTokenStatus(input({ mailbox: { connection: 'needs_reconnect', statusReason: invalidGrant }, grant: grant({ lastError: invalidGrant }) }));
    expect(status.state).toBe('revoked');
    expect(status.lastError).toEqual(invalidGrant);
  });

  it('shows the mailbox’s reason when a revoked grant has no error of its own', () => {
    const status = toTokenStatus(input({ mailbox: { connection: 'needs_reconnect', statusReason: invalidGrant } }));
    expect(status.lastError).toEqual(invalidGrant);
  });

  it('is refresh_failing when the grant has an error but the mailbox is still connected', () => {
    const error = { ...invalidGrant, code: 'invalid_client' };
    expect(deriveTokenState(input({ grant: grant({ lastError: error }) }))).toBe('refresh_failing');
  });

  it('is expiring when an hour-long token is past its last five minutes unrefreshed, valid before', () => {
    const hourLong = (expiresInMinutes: number) => grant({ accessTokenExpiresAt: minutes(expiresInMinutes), lastRefreshAt: minutes(expiresInMinutes - 60) });
    expect(deriveTokenState(input({ grant: hourLong(4) }))).toBe('expiring');
    expect(deriveTokenState(input({ grant: hourLong(-5) }))).toBe('expiring');
    expect(deriveTokenState(input({ grant: hourLong(6) }))).toBe('valid');
    expect(deriveTokenState(input({ grant: grant({ accessTokenExpiresAt: null }) }))).toBe('valid');
  });

  it('calls a just-refreshed short-lived token valid, and does not expect the background check to refresh it ahead', () => {
    for (const seconds of [60, 300]) {
      const issued = (atMinute: number) => grant({ lastRefreshAt: minutes(atMinute), accessTokenExpiresAt: new Date(minutes(atMinute).getTime() + seconds * 1000) });
      expect(deriveTokenState(input({ grant: issued(0) }))).toBe('valid');
      // Expired an hour ago: the next use refreshes it, nothing is late.
      expect(deriveTokenState(input({ grant: issued(-60) }))).toBe('valid');
    }
  });

  it('is expiring when a Google Testing app’s consent ends within a day', () => {
    expect(deriveTokenState(input({ profile: testingGmail, grant: grant({ consentedAt: days(-6.5) }) }))).toBe('expiring');
    expect(deriveTokenState(input({ profile: testingGmail, grant: grant({ consentedAt: days(-5) }) }))).toBe('valid');
    // A published app's consent does not end.
    expect(deriveTokenState(input({ profile: gmail, grant: grant({ consentedAt: days(-30) }) }))).toBe('valid');
  });
});

describe('token status shape', () => {
  it('gives consent + 7 days for Google Testing apps only', () => {
    expect(consentExpiresAt(testingGmail, { consentedAt: now })?.toISOString()).toBe(days(7).toISOString());
    expect(consentExpiresAt(gmail, { consentedAt: now })).toBeNull();
    expect(consentExpiresAt({ serverType: 'microsoft365', publishingStatus: 'testing' }, { consentedAt: now })).toBeNull();
  });

  it('lists the mail scopes the grant lacks, not the identity ones', () => {
    const status = toTokenStatus(
      input({ profile: microsoft, grant: grant({ scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'openid'] }) }),
    );
    expect(status.missingScopes).toEqual(['https://outlook.office.com/SMTP.Send']);
  });

  it('has exactly API.md’s fields, and nothing of the grant when there is none', () => {
    const status = toTokenStatus(input({ mailbox: { connection: 'not_connected', statusReason: null } }));
    expect(status).toEqual({
      state: 'none',
      account: null,
      scopes: [],
      missingScopes: [],
      accessTokenExpiresAt: null,
      lastRefreshAt: null,
      refreshTokenObtainedAt: null,
      consentExpiresAt: null,
      lastError: null,
    });
  });
});
