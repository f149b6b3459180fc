// Issue 16, item 7: the portal warns at start when PORT and MAILROOM_PUBLIC_URL disagree, since OAuth
// callbacks and mailed links would then lead to a port nothing listens on.
import { describe, expect, it } from 'vitest';
import { parseEnv, publicUrlPortMismatch } from '@/lib/env';

const warningFor = (variables: Record<string, string>) => publicUrlPortMismatch(parseEnv(variables));

describe('the start-up warning about PORT and MAILROOM_PUBLIC_URL', () => {
  it('names both values and the URL to set when a local public URL names another port', () => {
    const warning = warningFor({ PORT: '4100', MAILROOM_PUBLIC_URL: 'http://localhost:3000' });
    expect(warning).toContain('PORT is 4100 but MAILROOM_PUBLIC_URL is http://localhost:3000');
    expect(warning).toContain('Set MAILROOM_PUBLIC_URL=http://localhost:4100');
  });

  it('warns when only PORT is set, since the public URL then defaults to port 3000', () => {
    expect(warningFor({ PORT: '4100' })).toContain('Set MAILROOM_PUBLIC_URL=http://localhost:4100');
    expect(warningFor({ PORT: '8080', MAILROOM_PUBLIC_URL: 'http://127.0.0.1' })).toContain('(port 80)');
  });

  it('stays silent when they agree, when PORT is unset, or behind a proxy on another host', () => {
    expect(warningFor({ PORT: '4100', MAILROOM_PUBLIC_URL: 'http://localhost:4100/' })).toBeNull();
    expect(warningFor({ PORT: '3000' })).toBeNull();
    expect(warningFor({ MAILROOM_PUBLIC_URL: 'http://localhost:4100' })).toBeNull();
    expect(warningFor({ PORT: '3000', MAILROOM_PUBLIC_URL: 'https://mail.example.org' })).toBeNull();
  });

  it('refuses a PORT that is not a port number', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT: must be a port number/);
  });
});
