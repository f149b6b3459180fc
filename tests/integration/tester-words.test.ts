// Issue 16, item 1: a failed connection test read through the API in the language the request asks
// for: French step names, message and hint; the same codes and JSON shape as in English.
import { randomBytes } from 'node:crypto';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { db } from '@/db';
import { connectionTestSteps } from '@/db/schema';
import { GET as getTest } from '@/app/api/v1/mailboxes/[id]/tests/[testId]/route';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { applyMailboxEvent, createMailbox } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { runConnectionTestInProcess } from '@/lib/tester/run-connection-test';
import { userWithKey } from '../helpers/fixtures';
import { getLab, labControl, labIsAvailable } from '../helpers/lab';
import { insertLabGenericProfile } from '../helpers/lab-profiles';

type RouteHandler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- read field by field, as a client would
async function call(handler: RouteHandler, options: { path: string; key: string; params: Record<string, string>; language?: string }): Promise<any> {
  const headers = new Headers({ authorization: `Bearer ${options.key}` });
  if (options.language) headers.set('accept-language', options.language);
  const request = new NextRequest(new URL(options.path, 'http://127.0.0.1'), { headers });
  const response = await handler(request, { params: Promise.resolve(options.params) });
  expect(response.status).toBe(200);
  return response.json();
}

describe.skipIf(!labIsAvailable)('a connection test read in French and in English', () => {
  it('names its steps and says what failed in the language the request asks for, with the same codes', async () => {
    const run = randomBytes(3).toString('hex');
    const owner = await userWithKey(`words-owner-${run}@example.org`, 'owner');
    const address = `words-${run}@imap.lab.test`;
    await labControl.createAccount({ email: address, provider: 'password', password: `pw-${run}-right` });
    const profile = await insertLabGenericProfile({ connectionTimeoutSeconds: 5 });
    const mailbox = await createMailbox({
      actor: COMMAND_LINE_ACTOR,
      input: { address, ownerId: owner.user.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
    });
    await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
    await setMailboxPassword({ viewer: owner.user, mailboxId: mailbox.id, password: `pw-${run}-wrong` });

    const test = await runConnectionTestInProcess({ mailboxId: mailbox.id, startedBy: owner.user, trustedCertificates: [getLab().caCertificate] });
    // A step recorded by an older version, named in English: it keeps its name in every language.
    await db.insert(connectionTestSteps).values({ testId: test.id, direction: 'outgoing', name: 'Envelope', ok: true, durationMs: 1, detail: '' });

    const path = `/api/v1/mailboxes/${mailbox.id}/tests/${test.id}`;
    const params = { id: mailbox.id, testId: test.id };
    const french = await call(getTest, { path, key: owner.key, params, language: 'fr-FR,fr;q=0.9' });
    expect(french.ok).toBe(false);
    expect(french.incoming.steps.map((step: { name: string }) => step.name)).toEqual(['Résolution du nom', 'Connexion TCP', 'TLS', 'Accueil et capacités', 'Authentification']);
    expect(french.incoming.error).toEqual({
      code: 'auth_failed',
      message: expect.stringMatching(/^Le serveur a refusé le nom d’utilisateur ou le mot de passe\. Sa réponse\u00a0: .*AUTHENTICATIONFAILED/),
      hint: expect.stringMatching(/^Le propriétaire saisit de nouveau le mot de passe actuel/),
    });
    expect(french.outgoing.error).toMatchObject({ code: 'auth_failed', message: expect.stringMatching(/^Le serveur a refusé/) });
    expect(french.outgoing.steps.at(-1).name).toBe('Envelope');
    // What each step saw reads in French too, the server's own words quoted as they came.
    expect(french.incoming.steps[1].detail).toMatch(/^Connecté à 127\.0\.0\.1:\d+$/);
    expect(french.incoming.steps.at(-1).detail).toMatch(/^auth_failed\u00a0: réponse du serveur\u00a0: .*AUTHENTICATIONFAILED/);

    const english = await call(getTest, { path, key: owner.key, params });
    expect(english.incoming.steps.map((step: { name: string }) => step.name)).toEqual(['Name resolution', 'TCP connect', 'TLS', 'Greeting and capabilities', 'Authentication']);
    expect(english.incoming.error).toEqual({
      code: 'auth_failed',
      message: expect.stringMatching(/^The server refused the user name or password\. It answered: /),
      hint: expect.stringMatching(/app password/),
    });
    expect(english.outgoing.error.code).toBe(french.outgoing.error.code);
    expect(english.incoming.steps[1].detail).toMatch(/^Connected to 127\.0\.0\.1:\d+$/);
    expect(english.incoming.steps.at(-1).detail).toMatch(/^auth_failed: Server: .*AUTHENTICATIONFAILED/);
  });
});
