import { describe, expect, it } from 'vitest';
import { freshUntil, GRANT_CHECK_INTERVAL_MS, isFreshAt, isRefreshDueBy, isRefreshedAhead, refreshMarginMs } from '@/lib/tokens/token-freshness';

const issuedAt = new Date('2025-06-01T12:00:00Z');
const seconds = (n: number) => new Date(issuedAt.getTime() + n * 1000);
const tokenOf = (lifetimeSeconds: number) => ({ consentedAt: issuedAt, lastRefreshAt: null, accessTokenExpiresAt: seconds(lifetimeSeconds) });

describe('access token freshness relative to the token’s lifetime', () => {
  it.each([
    { lifetime: 60, marginSeconds: 20, refreshedAhead: false },
    { lifetime: 300, marginSeconds: 100, refreshedAhead: false },
    { lifetime: 3600, marginSeconds: 300, refreshedAhead: true },
  ])('a $lifetime s token is fresh until $marginSeconds s before it expires', ({ lifetime, marginSeconds, refreshedAhead }) => {
    const token = tokenOf(lifetime);
    expect(refreshMarginMs(lifetime * 1000)).toBe(marginSeconds * 1000);
    expect(freshUntil(token)).toEqual(seconds(lifetime - marginSeconds));
    expect(isFreshAt(token, issuedAt)).toBe(true);
    expect(isFreshAt(token, seconds(lifetime - marginSeconds - 1))).toBe(true);
    expect(isFreshAt(token, seconds(lifetime - marginSeconds))).toBe(false);
    expect(isRefreshedAhead(token)).toBe(refreshedAhead);
    // Right after it was issued, neither the background check nor token status has anything to say.
    expect(isRefreshDueBy(token, new Date(issuedAt.getTime() + GRANT_CHECK_INTERVAL_MS))).toBe(false);
  });

  it('keeps a margin of a few seconds for very short tokens, and at most five minutes for long ones', () => {
    expect(refreshMarginMs(6_000)).toBe(5_000);
    expect(refreshMarginMs(24 * 3600_000)).toBe(300_000);
  });

  it('counts from the last refresh when there was one', () => {
    const refreshed = { consentedAt: seconds(-86_400), lastRefreshAt: issuedAt, accessTokenExpiresAt: seconds(300) };
    expect(freshUntil(refreshed)).toEqual(seconds(200));
  });

  it('has no fresh token without an expiry', () => {
    expect(isFreshAt({ consentedAt: issuedAt, lastRefreshAt: null, accessTokenExpiresAt: null }, issuedAt)).toBe(false);
  });
});
