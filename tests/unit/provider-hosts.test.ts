// Issue 12, point 1: Gmail and Microsoft 365 endpoints stay on the providers' own hosts; and the
// save-time judgment of address literals (every spelling of loopback, private and link-local).
import { describe, expect, it } from 'vitest';
import { literalAddressKind } from '@/lib/profiles/address-literal';
import { renderText } from '@/lib/i18n/text';
import { providerEndpointProblem } from '@/lib/profiles/provider-hosts';

const accepted = (serverType: 'gmail' | 'microsoft365', url: string, extraOrigins: string[] = []) =>
  providerEndpointProblem({ serverType, url, extraOrigins }) === null;

describe('provider hosts', () => {
  it.each([
    'https://accounts.google.com/o/oauth2/v2/auth',
    'https://oauth2.googleapis.com/token',
    'https://openidconnect.googleapis.com/v1/userinfo',
    'https://www.googleapis.com/oauth2/v3/certs',
    'https://OAUTH2.googleapis.com/token',
    'https://oauth2.googleapis.com:443/token',
  ])('accepts Google’s %s for Gmail', (url) => {
    expect(accepted('gmail', url)).toBe(true);
  });

  it.each([
    'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    'https://login.microsoftonline.us/tenant/oauth2/v2.0/token',
    'https://login.partner.microsoftonline.cn/tenant/oauth2/v2.0/token',
    'https://login.chinacloudapi.cn/tenant/oauth2/v2.0/token',
    'https://graph.microsoft.com/oidc/userinfo',
    'https://graph.microsoft.us/oidc/userinfo',
    'https://dod-graph.microsoft.us/oidc/userinfo',
    'https://microsoftgraph.chinacloudapi.cn/oidc/userinfo',
  ])('accepts Microsoft’s %s, national clouds included', (url) => {
    expect(accepted('microsoft365', url)).toBe(true);
  });

  it.each([
    ['a look-alike suffix', 'https://login.microsoftonline.com.evil.example/common/oauth2/v2.0/token'],
    ['a look-alike prefix', 'https://evil-login.microsoftonline.com/token'],
    ['a sub-domain', 'https://x.login.microsoftonline.com/token'],
    ['the host as user name', 'https://login.microsoftonline.com@evil.example/token'],
    ['credentials in the URL', 'https://user:pass@login.microsoftonline.com/token'],
    ['plain http', 'http://login.microsoftonline.com/token'],
    ['another port', 'https://login.microsoftonline.com:8443/token'],
    ['Google’s host', 'https://oauth2.googleapis.com/token'],
  ])('refuses %s for Microsoft 365', (_what, url) => {
    const problem = providerEndpointProblem({ serverType: 'microsoft365', url, extraOrigins: [] });
    expect(renderText(problem!, 'en')).toMatch(/Microsoft profiles only reach Microsoft/);
    expect(renderText(problem!, 'fr')).toMatch(/Les profils Microsoft ne joignent que Microsoft/);
  });

  it.each([
    ['a look-alike suffix', 'https://accounts.google.com.evil.example/auth'],
    ['the host as user name', 'https://accounts.google.com@evil.example/auth'],
    ['Google’s other domains', 'https://accounts.google.co.uk/auth'],
    ['a loopback address', 'https://127.0.0.1/token'],
    ['Microsoft’s host', 'https://login.microsoftonline.com/common/oauth2/v2.0/token'],
  ])('refuses %s for Gmail', (_what, url) => {
    expect(accepted('gmail', url)).toBe(false);
  });

  it('accepts the operator’s extra origins, for a test lab, on both providers and only there', () => {
    const lab = ['http://127.0.0.1:4010'];
    expect(accepted('gmail', 'http://127.0.0.1:4010/token', lab)).toBe(true);
    expect(accepted('microsoft365', 'http://127.0.0.1:4010/tenant/token', lab)).toBe(true);
    expect(accepted('gmail', 'http://127.0.0.1:4011/token', lab)).toBe(false);
    expect(accepted('gmail', 'http://user:secret@127.0.0.1:4010/token', lab)).toBe(false);
  });

  it('leaves custom profiles their own endpoints', () => {
    expect(providerEndpointProblem({ serverType: 'custom', url: 'https://id.example.org/token', extraOrigins: [] })).toBeNull();
  });
});

describe('address literals at save time', () => {
  it.each([
    ['127.0.0.1', 'internal'],
    ['127.1.2.3', 'internal'],
    ['2130706433', 'internal'],
    ['0x7f.1', 'internal'],
    ['localhost', 'internal'],
    ['mail.localhost', 'internal'],
    ['::1', 'internal'],
    ['[::1]', 'internal'],
    ['0:0:0:0:0:0:0:1', 'internal'],
    ['::ffff:127.0.0.1', 'internal'],
    ['[::ffff:7f00:1]', 'internal'],
    ['::ffff:10.0.0.1', 'internal'],
    ['10.0.0.1', 'internal'],
    ['172.16.5.4', 'internal'],
    ['192.168.1.1', 'internal'],
    ['100.64.0.1', 'internal'],
    ['fd12:3456::1', 'internal'],
    ['169.254.169.254', 'never'],
    ['::ffff:169.254.169.254', 'never'],
    ['fe80::1', 'never'],
    ['0.0.0.0', 'never'],
    ['::', 'never'],
    ['93.184.216.34', 'public'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'public'],
    ['172.32.0.1', 'public'],
    ['mail.example.org', null],
  ] as const)('judges %s as %s', (host, kind) => {
    expect(literalAddressKind(host)).toBe(kind);
  });
});
