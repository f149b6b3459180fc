// Issue 6, acceptance 1: the owner clicks "Connect to Gmail" (or Microsoft 365), consents on the
// lab's own pages and comes back to a connected mailbox; the Microsoft device flow too.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveDeviceCode } from '../../scripts/lab/headless-user';
import { connectThroughLab, launchBrowser, openPage, signIn, waitForHydration } from '../helpers/browser';
import { runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { getLab, labControl, labIsAvailable } from '../helpers/lab';
import { startPortal, type Portal } from '../helpers/portal';

const ADMIN = { email: 'admin@example.org', password: 'admin password 1b2c3d' };
const OWNER = { email: 'owner@example.org', password: 'owner password 4e5f6a' };

let browser: Browser;
let database: TestDatabase;
let portal: Portal;
let adminKey: string;
let ownerPage: Page;

async function api(method: string, pathname: string, body?: unknown) {
  const response = await fetch(`${portal.url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  expect(response.ok, JSON.stringify(json)).toBe(true);
  return json;
}

const profiles = new Map<string, Promise<{ id: string }>>();

/** What an admin pastes from `npm run lab` into a new profile, with the portal's own callback registered. */
function labProfile(persona: 'google' | 'microsoft', flow: 'code' | 'device'): Promise<{ id: string }> {
  const key = `${persona} ${flow}`;
  if (!profiles.has(key)) profiles.set(key, createLabProfile(persona, flow));
  return profiles.get(key)!;
}

async function createLabProfile(persona: 'google' | 'microsoft', flow: 'code' | 'device') {
  const lab = getLab();
  const info = lab.personas[persona];
  const client =
    flow === 'device'
      ? info.clients.public!
      : await labControl.registerClient({ persona, redirectUris: [`${portal.url}/api/oauth/callback`], confidential: true });
  const server = persona === 'google' ? lab.mail.gmail : lab.mail.microsoft;
  return api('POST', '/api/v1/profiles', {
    name: `Lab ${persona} ${flow}`,
    serverType: persona === 'google' ? 'gmail' : 'microsoft365',
    authType: flow === 'code' ? 'oauth2_code' : 'oauth2_device',
    ...(persona === 'microsoft' ? { tenant: info.tenant, publicClient: !client.clientSecret } : {}),
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    internalServer: true,
    issuer: info.issuer,
    endpoints: {
      authorization: info.endpoints.authorization,
      token: info.endpoints.token,
      device: flow === 'device' ? info.endpoints.device : null,
      revocation: info.endpoints.revocation,
      userinfo: info.endpoints.userinfo,
      jwks: info.endpoints.jwks,
    },
    incoming: { protocol: 'imap', host: server.imap.tls.host, port: server.imap.tls.port, security: 'tls' },
    outgoing: { host: server.smtp.tls.host, port: server.smtp.tls.port, security: 'tls' },
  });
}

async function approvedMailbox(address: string, profileId: string): Promise<string> {
  const mailbox = await api('POST', '/api/v1/mailboxes', { address, ownerEmail: OWNER.email, profileId });
  await api('POST', `/api/v1/mailboxes/${mailbox.id}/approve`);
  return mailbox.id;
}

describe.skipIf(!labIsAvailable)('connecting a mailbox in the browser', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    for (const [person, role] of [[ADMIN, 'admin'], [OWNER, 'owner']] as const) {
      const created = await runCli(['user:create', '--email', person.email, '--role', role, '--password', person.password], database.env);
      expect(created.exitCode, created.stderr).toBe(0);
    }
    const keyed = await runCli(['apikey:create', '--email', ADMIN.email], database.env);
    adminKey = keyed.stdout.trim().split('\n').at(-1)!;
    [browser, portal] = await Promise.all([launchBrowser(), startPortal({ database, trustLabCa: true })]);
    ownerPage = (await openPage(browser, portal)).page;
    await signIn(ownerPage, OWNER);
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await database?.drop();
  });

  /** On the mailbox page, clicks the connect button, then signs in and consents at the lab. */
  async function connectFromMailboxPage(mailboxId: string, button: string, account: string): Promise<void> {
    await ownerPage.goto(`/mailboxes/${mailboxId}`);
    await ownerPage.getByTestId('next-step').getByText(button).waitFor();
    await connectThroughLab(ownerPage, { mailboxId, account, button });
  }

  it('connects a Gmail mailbox: the lab’s consent, then back on the mailbox, connected', async () => {
    const profile = await labProfile('google', 'code');
    const mailboxId = await approvedMailbox('alice@gmail.lab.test', profile.id);
    await connectFromMailboxPage(mailboxId, 'Connect to Gmail', 'alice@gmail.lab.test');
    await ownerPage.getByText('Connected as alice@gmail.lab.test.').waitFor();
    await ownerPage.getByTestId('next-step').getByText('Test and activate').waitFor();
    const html = await ownerPage.content();
    expect(html).not.toMatch(/ya29|access_token|refresh_token/);
  });

  it('connects a Microsoft 365 mailbox with the code flow', async () => {
    const profile = await labProfile('microsoft', 'code');
    const mailboxId = await approvedMailbox('carol@contoso.lab.test', profile.id);
    await connectFromMailboxPage(mailboxId, 'Connect to Microsoft 365', 'carol@contoso.lab.test');
    await ownerPage.getByText('Connected as carol@contoso.lab.test.').waitFor();
  });

  it('tells the owner who signed in with the wrong account, and stays not connected', async () => {
    const profile = await labProfile('google', 'code');
    const mailboxId = await approvedMailbox('bob@gmail.lab.test', profile.id);
    await connectFromMailboxPage(mailboxId, 'Connect to Gmail', 'alice@gmail.lab.test');
    await ownerPage.getByText('You signed in as alice@gmail.lab.test, but this mailbox is bob@gmail.lab.test. Nothing was saved.').waitFor();
    await ownerPage.getByTestId('next-step').getByText('Connect to Gmail').waitFor();
  });

  it('connects a Microsoft 365 mailbox with the device flow: the code on the page, typed at the lab, finished by the server after the page closed', async () => {
    const profile = await labProfile('microsoft', 'device');
    const mailboxId = await approvedMailbox('dave@contoso.lab.test', profile.id);
    await ownerPage.goto(`/mailboxes/${mailboxId}`);
    const connect = ownerPage.getByRole('button', { name: 'Connect to Microsoft 365' });
    await waitForHydration(connect);
    await connect.click();
    const panel = ownerPage.getByTestId('device-code');
    await panel.waitFor();
    const userCode = (await panel.locator('p.font-mono').textContent())!.trim();
    const verificationUri = (await panel.getByRole('link').getAttribute('href'))!;
    // The page is left before the person finishes at the provider: the server polls on its own.
    await ownerPage.goto('/mailboxes');
    await approveDeviceCode({ verificationUri, userCode, email: 'dave@contoso.lab.test' });
    await ownerPage.goto(`/mailboxes/${mailboxId}`);
    await ownerPage.getByText('Connected as dave@contoso.lab.test.').waitFor({ timeout: 30_000 });
  });

  it('logged no token or secret', () => {
    const logs = portal.logs().join('\n');
    expect(logs).not.toMatch(/access_token|refresh_token/);
    expect(logs).not.toContain(adminKey);
  });
});
