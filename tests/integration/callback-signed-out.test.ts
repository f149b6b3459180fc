import { NextRequest } from 'next/server';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { GET as oauthCallback } from '@/app/api/oauth/callback/route';
import { db } from '@/db';
import { oauthAuthorizations } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { getConnectOutcome } from '@/lib/connect/get-connect-outcome';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { createUser } from '@/lib/users/users';
import { insertMailboxRow, insertProfile } from '../helpers/fixtures';

// No session: the owner's Mailroom session ended while they were at the provider.
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next-auth')>()),
  getServerSession: async () => null,
}));
vi.mock('next/server', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/server')>()),
  connection: async () => {},
}));

let mailboxId: string;
let authorizationUrl: URL;

beforeAll(async () => {
  const owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'signed-out-owner@example.org', role: 'owner' } });
  const profile = await insertProfile({
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
  });
  const mailbox = await insertMailboxRow(owner, profile, { address: 'signed-out@example.org', connection: 'not_connected', status: 'inactive' });
  mailboxId = mailbox.id;
  const started = await startAuthorization({ viewer: owner, mailboxId });
  if (started.flow !== 'code') throw new Error('expected the code flow');
  authorizationUrl = new URL(started.authorizationUrl);
});

describe('a provider answer that arrives without a session', () => {
  test('goes on to sign-in without its code and state, and the sign-in it belonged to is closed', async () => {
    const state = authorizationUrl.searchParams.get('state')!;
    const code = 'provider-code-that-must-not-travel';
    const response = await oauthCallback(new NextRequest(`http://127.0.0.1/api/oauth/callback?state=${state}&code=${code}`));

    expect(response.status).toBeGreaterThanOrEqual(300);
    expect(response.status).toBeLessThan(400);
    const location = new URL(response.headers.get('location')!);
    expect(location.pathname).toBe('/sign-in');
    expect(location.href).not.toContain(code);
    expect(location.href).not.toContain(state);
    const returnTo = new URL(location.searchParams.get('callbackUrl')!, 'http://portal.invalid');
    expect(returnTo.pathname).toBe(`/mailboxes/${mailboxId}`);

    const [authorization] = await db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.mailboxId, mailboxId));
    expect(authorization!.usedAt).not.toBeNull();
    const outcome = await getConnectOutcome({ mailboxId, reference: returnTo.searchParams.get('connect')! });
    expect(outcome).toMatchObject({ ok: false, code: 'signed_out', hint: 'You are signed in again: click “Connect” to start over.' });
  });

  test('an unknown state goes to sign-in and then to the mailboxes, carrying nothing', async () => {
    const response = await oauthCallback(new NextRequest('http://127.0.0.1/api/oauth/callback?state=forged&code=stolen'));
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('callbackUrl')).toBe('/mailboxes');
    expect(location.href).not.toMatch(/forged|stolen/);
  });
});
