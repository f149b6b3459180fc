import { describe, expect, it } from 'vitest';
import { safeCallbackPath } from '@/lib/auth/callback-url';

const ORIGIN = 'https://portal.example.org';

describe('where sign-in may lead', () => {
  it('keeps a path on the portal, with its query and fragment', () => {
    expect(safeCallbackPath('/mailboxes?status=failing#top', ORIGIN)).toBe('/mailboxes?status=failing#top');
    expect(safeCallbackPath(`${ORIGIN}/users`, ORIGIN)).toBe('/users');
  });

  it.each([
    '//elsewhere.example/x',
    '/\\elsewhere.example/x',
    '\\\\elsewhere.example',
    'https://elsewhere.example/x',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/.//elsewhere.example/x',
    '/./\\elsewhere.example',
    ' //elsewhere.example',
    '\t//elsewhere.example',
    'http://portal.example.org/x',
    'https://portal.example.org.elsewhere.example/x',
    'https://portal.example.org@elsewhere.example/x',
  ])('sends %j to the overview', (raw) => {
    expect(safeCallbackPath(raw, ORIGIN)).toBe('/');
  });

  it('leaves encoded slashes encoded, so they stay a path on the portal', () => {
    for (const raw of ['/%2F%2Felsewhere.example', '/%5Celsewhere.example', '%2F%2Felsewhere.example']) {
      const path = safeCallbackPath(raw, ORIGIN);
      expect(new URL(path, ORIGIN).origin).toBe(ORIGIN);
      expect(path).not.toMatch(/^\/[/\\]/);
    }
  });

  it('sends nothing at all to the overview', () => {
    expect(safeCallbackPath(undefined, ORIGIN)).toBe('/');
    expect(safeCallbackPath('', ORIGIN)).toBe('/');
  });
});
