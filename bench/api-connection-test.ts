/**
 * Time of one connection test over Microsoft Graph and over the Gmail API (both directions at once,
 * every step recorded, the verdict written) against the bare requests it makes (the account, and
 * the inbox for incoming), also both directions at once, with the same access token, on the same
 * lab. A test refreshes the token first (one request to the persona's token endpoint), as every
 * test does; the bare requests reuse a token. Starts the mail lab in this process and a database of
 * its own (PGlite; PostgreSQL with DATABASE_URL). Prints medians; asserts nothing.
 *   npm run bench:api-connection-test   (BENCH_RUNS=20 by default)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { authorizeAsUser } from '../scripts/lab/headless-user';
import type { OAuthClient } from '../scripts/lab/lab-info';
import { Lab } from '../scripts/lab/start-lab';
import { measure as measureRuns, openBenchDatabase } from './measure';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const lab = await Lab.start();
const { personas, api, caCertificate } = lab.info;
const graphAccount = 'carol@contoso.lab.test';
const gmailAccount = 'alice@gmail.lab.test';

// The lab's personas and API services stand in for Microsoft's and Google's hosts, as in the tests.
const origins = [...Object.values(personas).flatMap((persona) => [persona.issuer, ...Object.values(persona.endpoints)]), api.graph.baseUrl, api.gmail.baseUrl]
  .flatMap((url) => (url ? [new URL(url).origin] : []));
const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-bench-')), 'lab-ca.pem');
writeFileSync(caFile, caCertificate);
const database = await openBenchDatabase({ MAILROOM_EXTRA_PROVIDER_ORIGINS: [...new Set(origins)].join(','), MAILROOM_EXTRA_CA_FILE: caFile });

const { closeDatabase, databaseKind, db } = await import('@/db');
const { serverProfiles } = await import('@/db/schema');
const { migrateDatabase } = await import('@/db/migrate');
const { COMMAND_LINE_ACTOR } = await import('@/lib/audit/actor');
const { completeAuthorization } = await import('@/lib/connect/complete-authorization');
const { startAuthorization } = await import('@/lib/connect/start-authorization');
const { secretPlace } = await import('@/lib/crypto/secret-place');
const { encryptSecret } = await import('@/lib/crypto/secrets');
const { applyMailboxEvent, createMailbox } = await import('@/lib/mailboxes/mailboxes');
const { runConnectionTestInProcess } = await import('@/lib/tester/run-connection-test');
const { getTrustedCertificates } = await import('@/lib/tester/trusted-context');
const { getAccessToken } = await import('@/lib/tokens/get-access-token');
const { createUser } = await import('@/lib/users/users');

const NO_SOCKETS = { incomingHost: null, incomingPort: null, incomingSecurity: null, outgoingHost: null, outgoingPort: null, outgoingSecurity: null } as const;

async function insertApiProfile(kind: 'graph' | 'gmail_api') {
  const id = randomUUID();
  const persona = personas[kind === 'graph' ? 'microsoft' : 'google'];
  const client = persona.clients.web as OAuthClient;
  const [profile] = await db
    .insert(serverProfiles)
    .values({
      id,
      name: kind === 'graph' ? 'Lab Microsoft 365 over Graph (bench)' : 'Lab Gmail over the Gmail API (bench)',
      serverType: kind === 'graph' ? 'microsoft365' : 'gmail',
      authType: 'oauth2_code',
      tenant: persona.tenant,
      clientId: client.clientId,
      clientSecret: encryptSecret(client.clientSecret!, secretPlace(serverProfiles.clientSecret, id)),
      authorizationEndpoint: persona.endpoints.authorization,
      tokenEndpoint: persona.endpoints.token,
      userinfoEndpoint: persona.endpoints.userinfo,
      jwksEndpoint: persona.endpoints.jwks,
      issuer: persona.issuer,
      apiEndpoint: kind === 'graph' ? api.graph.baseUrl : api.gmail.baseUrl,
      scopes:
        kind === 'graph'
          ? ['Mail.ReadWrite', 'Mail.ReadWrite.Shared', 'User.Read', 'Mail.Send', 'Mail.Send.Shared', 'offline_access', 'openid', 'email', 'profile']
          : ['https://www.googleapis.com/auth/gmail.modify', 'https://www.googleapis.com/auth/gmail.send', 'openid', 'email'],
      incomingProtocol: kind,
      outgoingProtocol: kind,
      ...NO_SOCKETS,
      internalServer: true,
    })
    .returning();
  return profile!;
}

/** A mailbox on the profile, approved and connected through the lab persona's consent. */
async function connectedMailbox(owner: Awaited<ReturnType<typeof createUser>>, address: string, profileId: string): Promise<string> {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: owner.id, profileId, incoming: 'server_side', outgoing: 'server_side', shared: false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  const started = await startAuthorization({ viewer: owner, mailboxId: mailbox.id });
  if (started.flow !== 'code') throw new Error('expected the code flow');
  const callback = await authorizeAsUser({ authorizationUrl: started.authorizationUrl, email: address });
  const { outcome } = await completeAuthorization({ userId: owner.id, query: Object.fromEntries(callback.searchParams) });
  if (!outcome.ok) throw new Error(`${address} did not connect: ${outcome.message}`);
  return mailbox.id;
}

// Bare requests keep their connections alive too, as the guard's agent does.
const bareAgent = new Agent({ connect: { ca: caCertificate } });

async function bareGet(url: string, accessToken: string): Promise<void> {
  const response = await undiciFetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, dispatcher: bareAgent });
  await response.json();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

const measure = (name: string, run: () => Promise<unknown>) => measureRuns(name, run, { runs: RUNS, width: 66 });

try {
  await migrateDatabase();
  const owner = await createUser({ actor: COMMAND_LINE_ACTOR, input: { email: 'bench-owner@example.org', role: 'owner' } });
  const [graphProfile, gmailProfile] = await Promise.all([insertApiProfile('graph'), insertApiProfile('gmail_api')]);
  const graphMailbox = await connectedMailbox(owner, graphAccount, graphProfile.id);
  const gmailMailbox = await connectedMailbox(owner, gmailAccount, gmailProfile.id);
  const trustedCertificates = await getTrustedCertificates();

  console.log(`${databaseKind()}, ${RUNS} runs each, ${graphAccount} over the lab's Graph, ${gmailAccount} over its Gmail API (no test message)\n`);
  const services = [
    {
      name: 'Graph',
      mailboxId: graphMailbox,
      incoming: [`${api.graph.baseUrl}/me`, `${api.graph.baseUrl}/me/mailFolders/inbox`],
      outgoing: [`${api.graph.baseUrl}/me`],
    },
    {
      name: 'Gmail API',
      mailboxId: gmailMailbox,
      incoming: [`${api.gmail.baseUrl}/users/me/profile`, `${api.gmail.baseUrl}/users/me/labels/INBOX`],
      outgoing: [`${api.gmail.baseUrl}/users/me/profile`],
    },
  ];
  for (const service of services) {
    const tester = await measure(`${service.name} tester: one full test (both directions, steps, verdict)`, async () => {
      const test = await runConnectionTestInProcess({ mailboxId: service.mailboxId, startedBy: null, trustedCertificates });
      if (!test.ok) throw new Error(`The test failed: ${JSON.stringify([test.incoming.error, test.outgoing.error])}`);
    });
    // The tester's own token: the bare requests skip only the token service and the steps' records.
    const { accessToken } = await getAccessToken({ mailboxId: service.mailboxId });
    const inSequence = async (urls: string[]) => {
      for (const url of urls) await bareGet(url, accessToken);
    };
    const bare = await measure(`${service.name} bare: the same requests, both directions at once`, () => Promise.all([inSequence(service.incoming), inSequence(service.outgoing)]));
    await measure(`${service.name} bare: account and inbox alone`, () => inSequence(service.incoming));
    console.log(`${service.name} tester / bare at once: ${(tester / bare).toFixed(2)}×\n`);
  }
} finally {
  await bareAgent.close();
  await closeDatabase();
  await database.drop();
  await lab.stop();
}
