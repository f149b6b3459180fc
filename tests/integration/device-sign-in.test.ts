// Issue 14: every profile validation accepts can start Connect; device sign-ins finish on the server,
// polled by a background job, and are followed through GET /api/v1/mailboxes/{id}/connect/{authorizationId}.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as connectRoute from '@/app/api/v1/mailboxes/[id]/connect/route';
import * as connectProgressRoute from '@/app/api/v1/mailboxes/[id]/connect/[authorizationId]/route';
import * as profilesRoute from '@/app/api/v1/profiles/route';
import { db } from '@/db';
import { oauthAuthorizations, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { createJobQueue, JOB_QUEUE_SCHEMA, type JobQueue } from '@/lib/jobs/job-queue';
import { startJobWorkers } from '@/lib/jobs/start-job-workers';
import { applyMailboxEvent, createMailbox, getMailbox } from '@/lib/mailboxes/mailboxes';
import { pollDeviceAuthorizationJob } from '@/lib/connect/device-poll-job';
import { getConnectOutcome } from '@/lib/connect/get-connect-outcome';
import { approveDeviceCode, denyDeviceCode } from '../../scripts/lab/headless-user';
import { callRoute } from '../helpers/api';
import { userWithKey } from '../helpers/fixtures';
import { getLab, labControl, labIsAvailable, type OAuthClient } from '../helpers/lab';
import { createLabAccount } from '../helpers/lab-profiles';
import { waitUntil } from '../helpers/wait-until';

let admin: { user: User; key: string };
let owner: { user: User; key: string };
const suffix = () => Math.random().toString(36).slice(2, 8);

async function mailboxFor(address: string, profileId: string) {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: owner.user.id, profileId, incoming: 'server_side', outgoing: 'server_side', shared: false },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  return mailbox;
}

const connect = (mailboxId: string, key = owner.key) =>
  callRoute(connectRoute.POST, { method: 'POST', path: `/api/v1/mailboxes/${mailboxId}/connect`, key, params: { id: mailboxId } });

const progress = (mailboxId: string, authorizationId: string, key = owner.key) =>
  callRoute(connectProgressRoute.GET, {
    path: `/api/v1/mailboxes/${mailboxId}/connect/${authorizationId}`,
    key,
    params: { id: mailboxId, authorizationId },
  });

/** The profile body an admin sends, for the lab persona that plays the provider. */
function profileBody(options: {
  serverType: 'gmail' | 'microsoft365' | 'custom';
  authType: 'oauth2_code' | 'oauth2_device' | 'password';
  optional: { revocation: boolean; userinfo: boolean; idToken: boolean; authorization: boolean };
}) {
  const { serverType, authType, optional } = options;
  const lab = getLab();
  const mail = serverType === 'gmail' ? lab.mail.gmail : lab.mail.microsoft;
  const servers = {
    incoming: { host: mail.imap.tls.host, port: mail.imap.tls.port, security: 'tls' },
    outgoing: { host: lab.mail.generic.smtp.starttls.host, port: lab.mail.generic.smtp.starttls.port, security: 'starttls' },
    internalServer: true,
  };
  const name = `${serverType} ${authType} ${Object.entries(optional).filter(([, on]) => on).map(([field]) => field).join('+') || 'bare'} ${suffix()}`;
  if (authType === 'password') return { name, serverType, authType, ...servers };
  const persona = serverType === 'gmail' ? lab.personas.google : lab.personas.microsoft;
  // Google has no public client: its device-flow profiles are refused anyway.
  const client = ((authType === 'oauth2_device' && persona.clients.public) || persona.clients.web) as OAuthClient;
  return {
    name,
    serverType,
    authType,
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : { publicClient: true }),
    ...(serverType === 'microsoft365' ? { tenant: persona.tenant } : {}),
    scopes: [...persona.identityScopes, ...persona.mailScopes],
    issuer: optional.idToken ? persona.issuer : null,
    endpoints: {
      authorization: authType === 'oauth2_code' || optional.authorization ? persona.endpoints.authorization : null,
      token: persona.endpoints.token,
      device: authType === 'oauth2_device' ? persona.endpoints.device : null,
      revocation: optional.revocation && persona.endpoints.revocation ? persona.endpoints.revocation : null,
      userinfo: optional.userinfo ? persona.endpoints.userinfo : null,
      jwks: optional.idToken ? persona.endpoints.jwks : null,
    },
    ...servers,
  };
}

async function createProfile(body: object): Promise<{ status: number; id: string | undefined }> {
  const { status, json } = await callRoute(profilesRoute.POST, { method: 'POST', path: '/api/v1/profiles', key: admin.key, body });
  return { status, id: json?.id };
}

/** The stored sign-in, as the device-poll job left it. */
async function storedAuthorization(authorizationId: string) {
  const [authorization] = await db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.id, authorizationId));
  return authorization!;
}

/** The poll job waiting for a sign-in, as pg-boss stores it. */
async function waitingPoll(authorizationId: string): Promise<{ startAfter: Date } | undefined> {
  const rows = await db.execute<{ start_after: Date | string }>(
    sql`select start_after from ${sql.raw(JOB_QUEUE_SCHEMA)}.job where name = ${pollDeviceAuthorizationJob.name} and singleton_key = ${authorizationId} and state = 'created'`,
  );
  const row = (Array.isArray(rows) ? rows : (rows as { rows: { start_after: Date | string }[] }).rows)[0];
  return row ? { startAfter: new Date(row.start_after) } : undefined;
}

describe.skipIf(!labIsAvailable)('every profile validation accepts can start Connect', () => {
  beforeAll(async () => {
    admin = await userWithKey(`admin-${suffix()}@example.org`, 'admin');
    owner = await userWithKey(`owner-${suffix()}@example.org`, 'owner');
  });

  it('walks server type × auth type × optional endpoints: never a 5xx, and every accepted OAuth profile starts', async () => {
    const answers: { profile: string; status: number }[] = [];
    for (const serverType of ['gmail', 'microsoft365', 'custom'] as const) {
      for (const authType of ['oauth2_code', 'oauth2_device', 'password'] as const) {
        for (let bits = 0; bits < 16; bits += 1) {
          const optional = { revocation: Boolean(bits & 1), userinfo: Boolean(bits & 2), idToken: Boolean(bits & 4), authorization: Boolean(bits & 8) };
          const body = profileBody({ serverType, authType, optional });
          const created = await createProfile(body);
          expect(created.status, body.name).toBeLessThan(500);
          if (created.status !== 201) continue;
          const mailbox = await mailboxFor(`walk-${suffix()}@example.org`, created.id!);
          const started = await connect(mailbox.id, admin.key);
          answers.push({ profile: body.name, status: started.status });
          if (authType === 'password') expect(started.status, body.name).toBe(409);
          else {
            expect(started.status, `${body.name}: ${JSON.stringify(started.json)}`).toBe(200);
            expect(started.json.authorizationId).toEqual(expect.any(String));
          }
        }
      }
    }
    expect(answers.every((answer) => answer.status < 500)).toBe(true);
    expect(answers.some((answer) => answer.profile.startsWith('custom oauth2_device bare'))).toBe(true);
    expect(answers.some((answer) => answer.profile.startsWith('microsoft365 oauth2_device'))).toBe(true);
  });

  it('answers an unknown outcome for ?connect=constructor or __proto__, never a server error', async () => {
    expect(await getConnectOutcome({ mailboxId: null, reference: 'constructor' })).toBeNull();
    expect(await getConnectOutcome({ mailboxId: null, reference: '__proto__' })).toBeNull();
    expect(await getConnectOutcome({ mailboxId: null, reference: 'state_unknown' })).toMatchObject({ code: 'state_unknown' });
  });
});

describe.skipIf(!labIsAvailable)('device sign-in finished on the server', () => {
  let instance: JobQueue | null = null;

  beforeAll(async () => {
    admin ??= await userWithKey(`admin-${suffix()}@example.org`, 'admin');
    owner ??= await userWithKey(`owner-${suffix()}@example.org`, 'owner');
  });

  afterAll(async () => {
    await instance?.stop();
  });

  /** Another portal instance, started after the sign-in was: it works the stored poll jobs. */
  async function startAnotherInstance(): Promise<void> {
    if (instance) return;
    instance = await createJobQueue({ pollingIntervalSeconds: 0.5 });
    await startJobWorkers([pollDeviceAuthorizationJob], { queue: instance });
  }

  async function customDeviceProfile(client?: OAuthClient): Promise<string> {
    const body = profileBody({ serverType: 'custom', authType: 'oauth2_device', optional: { revocation: false, userinfo: true, idToken: true, authorization: false } });
    const created = await createProfile(client ? { ...body, clientId: client.clientId } : body);
    expect(created.status).toBe(201);
    return created.id!;
  }

  it('connects a custom device-flow profile without authorization endpoint, started from the API, with no further client call', async () => {
    const profileId = await customDeviceProfile();
    const account = await createLabAccount({ provider: 'microsoft', name: 'device-api' });
    const mailbox = await mailboxFor(account, profileId);

    // Started while no instance works the jobs: the sign-in waits in the database, not in a process.
    const started = await connect(mailbox.id);
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ authorizationId: expect.any(String), userCode: expect.any(String), verificationUri: expect.any(String), interval: 5 });
    const { authorizationId, userCode, verificationUri } = started.json;
    expect((await progress(mailbox.id, authorizationId)).json).toEqual({ state: 'pending', connectedAs: null, error: null });

    await approveDeviceCode({ verificationUri, userCode, email: account });
    await startAnotherInstance();
    const done = await waitUntil('the sign-in to end', async () => {
      const answer = await progress(mailbox.id, authorizationId);
      return answer.json.state === 'pending' ? undefined : answer;
    });
    expect(done.status).toBe(200);
    expect(done.json).toEqual({ state: 'connected', connectedAs: account, error: null });
    expect(await getMailbox({ viewer: owner.user, id: mailbox.id })).toMatchObject({ connection: 'connected', connectedAs: account });
    expect(done.text).not.toContain(userCode);
  });

  it('ends a declined sign-in as denied, with the hint of the code flow', async () => {
    await startAnotherInstance();
    const profileId = await customDeviceProfile();
    const account = await createLabAccount({ provider: 'microsoft', name: 'device-deny' });
    const mailbox = await mailboxFor(account, profileId);
    const { authorizationId, userCode, verificationUri } = (await connect(mailbox.id)).json;
    await denyDeviceCode({ verificationUri, userCode, email: account });
    const done = await waitUntil('the sign-in to end', async () => {
      const answer = await progress(mailbox.id, authorizationId);
      return answer.json.state === 'pending' ? undefined : answer;
    });
    expect(done.json).toMatchObject({ state: 'denied', connectedAs: null, error: { code: 'declined', message: expect.stringMatching(/declined/), hint: expect.any(String) } });
    expect((await getMailbox({ viewer: owner.user, id: mailbox.id }))!.connection).toBe('not_connected');
  });

  it('ends an expired sign-in as expired, recorded by the server’s own poll', async () => {
    await startAnotherInstance();
    const profileId = await customDeviceProfile();
    const mailbox = await mailboxFor(await createLabAccount({ provider: 'microsoft', name: 'device-expire' }), profileId);
    const { authorizationId } = (await connect(mailbox.id)).json;
    await db.update(oauthAuthorizations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(oauthAuthorizations.id, authorizationId));
    await waitUntil('the poll to record the end', async () => ((await storedAuthorization(authorizationId)).outcome ? true : undefined));
    expect((await storedAuthorization(authorizationId)).outcome).toMatchObject({ code: 'expired_token' });
    expect((await progress(mailbox.id, authorizationId)).json).toMatchObject({ state: 'expired', error: { code: 'expired_token' } });
  });

  it('polls 5 s more slowly after a slow_down: the next poll is set for the longer interval', async () => {
    await startAnotherInstance();
    const client = await labControl.registerClient({ persona: 'microsoft', redirectUris: [], confidential: false, deviceFlow: true });
    const profileId = await customDeviceProfile(client);
    const mailbox = await mailboxFor(await createLabAccount({ provider: 'microsoft', name: 'device-slow' }), profileId);
    await labControl.setSlowDown({ persona: 'microsoft', clientId: client.clientId, polls: 1 });
    const { authorizationId } = (await connect(mailbox.id)).json;
    const slowed = await waitUntil('the slow_down to be heard', async () => {
      const stored = await storedAuthorization(authorizationId);
      const next = await waitingPoll(authorizationId);
      return stored.pollIntervalSeconds === 10 && next ? { stored, next } : undefined;
    });
    expect(slowed.next.startAfter.getTime() - slowed.stored.lastPolledAt!.getTime()).toBeGreaterThanOrEqual(9_000);
    expect((await labControl.tokenRequests({ clientId: client.clientId })).microsoft['urn:ietf:params:oauth:grant-type:device_code']).toBe(1);
  });

  it('lets only the mailbox’s owner or an admin follow a sign-in; another owner gets 404', async () => {
    const profileId = await customDeviceProfile();
    const mailbox = await mailboxFor(await createLabAccount({ provider: 'microsoft', name: 'device-other' }), profileId);
    const { authorizationId } = (await connect(mailbox.id)).json;
    const stranger = await userWithKey(`stranger-${suffix()}@example.org`, 'owner');
    expect((await progress(mailbox.id, authorizationId, stranger.key)).status).toBe(404);
    expect((await progress(mailbox.id, authorizationId, admin.key)).status).toBe(200);
    expect((await progress(mailbox.id, 'not-an-id')).status).toBe(404);
  });
});
