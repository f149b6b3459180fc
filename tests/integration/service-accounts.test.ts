// Issue 19, part 1: service accounts for business systems. No password and no session, API keys
// only, optionally limited to listed profiles, managed by admins (API, Users page, command line).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createServiceAccountAction, setServiceProfilesAction } from '@/app/(portal)/users/actions';
import * as apiKeysRoute from '@/app/api/v1/api-keys/route';
import * as apiKeyRoute from '@/app/api/v1/api-keys/[id]/route';
import * as mailboxRoute from '@/app/api/v1/mailboxes/[id]/route';
import * as mailboxesRoute from '@/app/api/v1/mailboxes/route';
import * as meRoute from '@/app/api/v1/me/route';
import * as invitationRoute from '@/app/api/v1/users/[id]/invitation/route';
import * as userRoute from '@/app/api/v1/users/[id]/route';
import * as usersRoute from '@/app/api/v1/users/route';
import { closeDatabase } from '@/db';
import type { Mailbox, ServerProfile, User } from '@/db/schema';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { IDLE } from '@/lib/auth/form-action-state';
import { getAuthOptions } from '@/lib/auth/options';
import { getCurrentUser } from '@/lib/auth/session';
import { getEnv } from '@/lib/env';
import { getUserByEmail } from '@/lib/users/users';
import { callRoute } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { insertMailboxRow, insertProfile, userWithKey } from '../helpers/fixtures';
import { form } from '../helpers/form-actions';

// The session cookie is the one thing a test cannot produce without a browser: the rest is real.
const session = vi.hoisted(() => ({ userId: undefined as string | undefined }));
vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next-auth')>()),
  getServerSession: async () => (session.userId ? { userId: session.userId, sessionEpoch: 0, expires: '2999-01-01' } : null),
}));
vi.mock('next/server', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/server')>()), connection: async () => {} }));
vi.mock('next/cache', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/cache')>()), revalidatePath: () => {} }));

let admin: { user: User; key: string };
let profiles: ServerProfile[];
let boxes: Mailbox[];
let service: { id: string; key: string };

const api = (handler: Parameters<typeof callRoute>[0], options: Parameters<typeof callRoute>[1]) => callRoute(handler, options);
const addresses = (json: { data: { address: string }[] }) => json.data.map((mailbox) => mailbox.address).sort();

beforeAll(async () => {
  // No request here carries a browser's language: the Users page answers in the portal's default, English here.
  getEnv().MAILROOM_DEFAULT_LOCALE = 'en';
  admin = await userWithKey('admin@example.org', 'admin');
  const owner = await userWithKey('owner@example.org', 'owner');
  profiles = await Promise.all(['Sales', 'Support desk', 'Finance'].map((name) => insertProfile({ name })));
  boxes = await Promise.all(
    profiles.map((profile, index) => insertMailboxRow(owner.user, profile, { address: `box-${index}@example.org` })),
  );
});

describe('a service account, created and managed by an admin through the API', () => {
  it('is created with a name and a profile list, and never with a password or an invitation', async () => {
    const created = await api(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key: admin.key,
      body: { email: 'crm@example.org', role: 'service', name: 'CRM', profileIds: [profiles[0]!.id, profiles[1]!.id] },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ role: 'service', name: 'CRM', invitation: null });
    expect(created.json.profileIds.sort()).toEqual([profiles[0]!.id, profiles[1]!.id].sort());
    expect((await getUserByEmail({ email: 'crm@example.org' }))!.passwordHash).toBeNull();

    const refused = async (body: Record<string, unknown>) =>
      api(usersRoute.POST, { method: 'POST', path: '/api/v1/users', key: admin.key, body: { email: 'erp@example.org', role: 'service', name: 'ERP', ...body } });
    const withPassword = await refused({ password: 'a long enough password' });
    expect(withPassword.status).toBe(422);
    expect(withPassword.json.error.fields.password).toEqual(['A business system has no password: it works with API keys.']);
    expect((await refused({ invite: true })).json.error.fields.invite).toBeDefined();
    expect((await refused({ name: undefined })).json.error.fields.name).toEqual(['Give the business system a name: the audit shows it for every call it makes.']);
    expect((await refused({ profileIds: [] })).json.error.fields.profileIds).toBeDefined();
    const unknownProfile = await refused({ profileIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknownProfile.status).toBe(422);
    expect(unknownProfile.json.error.fields.profileIds).toEqual(['These ids name no profile: 00000000-0000-4000-8000-000000000000.']);
    const person = await refused({ role: 'owner', password: 'a long enough password', profileIds: [profiles[0]!.id] });
    expect(person.json.error.fields.profileIds).toEqual(['Only business systems (service accounts) are limited to profiles.']);
    expect(await getUserByEmail({ email: 'erp@example.org' })).toBeNull();

    const key = await api(apiKeysRoute.POST, { method: 'POST', path: '/api/v1/api-keys', key: admin.key, body: { userId: created.json.id, name: 'CRM production' } });
    expect(key.status).toBe(201);
    service = { id: created.json.id, key: key.json.key };
  });

  it('works with its key: it is a service, and reaches only the mailboxes of its profiles', async () => {
    expect((await api(meRoute.GET, { path: '/api/v1/me', key: service.key })).json).toMatchObject({ role: 'service', name: 'CRM' });
    const list = await api(mailboxesRoute.GET, { path: '/api/v1/mailboxes', key: service.key });
    expect(list.status).toBe(200);
    expect(addresses(list.json)).toEqual(['box-0@example.org', 'box-1@example.org']);
    const inScope = await api(mailboxRoute.GET, { path: `/api/v1/mailboxes/${boxes[1]!.id}`, key: service.key, params: { id: boxes[1]!.id } });
    expect(inScope.status).toBe(200);
    // Elsewhere is not found, as another owner's mailbox is for an owner: ids do not leak.
    const elsewhere = await api(mailboxRoute.GET, { path: `/api/v1/mailboxes/${boxes[2]!.id}`, key: service.key, params: { id: boxes[2]!.id } });
    expect(elsewhere.status).toBe(404);
    // Its key answers nothing a person's role is for.
    expect((await api(usersRoute.GET, { path: '/api/v1/users', key: service.key })).status).toBe(403);
    const edit = await api(mailboxRoute.PATCH, { method: 'PATCH', path: `/api/v1/mailboxes/${boxes[0]!.id}`, key: service.key, params: { id: boxes[0]!.id }, body: { shared: true } });
    expect(edit.status).toBe(403);

    // Nor can it own a mailbox: an owner connects it in a browser.
    const owned = await api(mailboxesRoute.POST, { method: 'POST', path: '/api/v1/mailboxes', key: admin.key, body: { address: `owned-by-crm@example.org`, ownerEmail: 'crm@example.org', profileId: boxes[0]!.profileId } });
    expect(owned.status).toBe(422);
    expect(owned.json.error.fields.ownerEmail).toEqual(['crm@example.org is a business system: a mailbox’s owner is a person, who connects it in a browser. Choose a person.']);

    // Every one of those calls is on record under its name, reads and refusals alike.
    const { events } = await findAuditEvents({ limit: 50 });
    const calls = events.filter((event) => event.action === 'service.call' && event.actorLabel === 'CRM (service)').map((event) => event.detail);
    expect(calls).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/api/v1/me', status: 200 },
        { method: 'GET', path: '/api/v1/mailboxes', status: 200 },
        { method: 'GET', path: '/api/v1/mailboxes/{id}', status: 200, mailbox: boxes[1]!.id },
        { method: 'GET', path: '/api/v1/mailboxes/{id}', status: 404, mailbox: boxes[2]!.id },
        { method: 'GET', path: '/api/v1/users', status: 403 },
        { method: 'PATCH', path: '/api/v1/mailboxes/{id}', status: 403, mailbox: boxes[0]!.id },
      ]),
    );
  });

  it('follows a change of its profiles at its next call, and stays a service', async () => {
    const patch = (id: string, body: Record<string, unknown>) => api(userRoute.PATCH, { method: 'PATCH', path: `/api/v1/users/${id}`, key: admin.key, params: { id }, body });
    expect((await patch(service.id, { profileIds: null })).json.profileIds).toBeNull();
    expect(addresses((await api(mailboxesRoute.GET, { path: '/api/v1/mailboxes', key: service.key })).json)).toEqual([
      'box-0@example.org',
      'box-1@example.org',
      'box-2@example.org',
    ]);
    expect((await patch(service.id, { profileIds: [profiles[2]!.id] })).status).toBe(200);
    expect(addresses((await api(mailboxesRoute.GET, { path: '/api/v1/mailboxes', key: service.key })).json)).toEqual(['box-2@example.org']);

    const promoted = await patch(service.id, { role: 'admin' });
    expect(promoted.status).toBe(422);
    expect(promoted.json.error.fields.role).toEqual(['A business system stays one: create a user for the person instead.']);
    const owner = (await getUserByEmail({ email: 'owner@example.org' }))!;
    expect((await patch(owner.id, { role: 'service' })).json.error.fields.role).toBeDefined();
    expect((await patch(owner.id, { profileIds: [profiles[0]!.id] })).json.error.fields.profileIds).toBeDefined();
    // Nothing to set a password with, either.
    const invitation = await api(invitationRoute.POST, { method: 'POST', path: `/api/v1/users/${service.id}/invitation`, key: admin.key, params: { id: service.id } });
    expect(invitation.status).toBe(409);
  });

  it('has the key lifecycle of every user: last used, revoked at once, dead with its account', async () => {
    const { json } = await api(apiKeysRoute.GET, { path: `/api/v1/api-keys?userId=${service.id}`, key: admin.key });
    expect(json.data[0]).toMatchObject({ name: 'CRM production', userEmail: 'crm@example.org' });
    expect(json.data[0].lastUsedAt).not.toBeNull();

    // As any user, it may rotate its own keys, never anyone else's; what it does is audited under its name.
    const own = await api(apiKeysRoute.GET, { path: '/api/v1/api-keys', key: service.key });
    expect(own.json.data.map((key: { userEmail: string }) => key.userEmail)).toEqual(['crm@example.org']);
    expect((await api(apiKeysRoute.GET, { path: `/api/v1/api-keys?userId=${admin.user.id}`, key: service.key })).status).toBe(403);
    const spare = await api(apiKeysRoute.POST, { method: 'POST', path: '/api/v1/api-keys', key: service.key, body: { name: 'CRM rotation' } });
    expect(spare.status).toBe(201);
    const { events } = await findAuditEvents({ limit: 50 });
    expect(events.find((event) => event.action === 'api_key.create' && event.detail.name === 'CRM rotation')?.actorLabel).toBe('CRM (service)');
    await api(apiKeyRoute.DELETE, { method: 'DELETE', path: `/api/v1/api-keys/${spare.json.id}`, key: admin.key, params: { id: spare.json.id } });
    expect((await api(meRoute.GET, { path: '/api/v1/me', key: spare.json.key })).status).toBe(401);

    await api(userRoute.DELETE, { method: 'DELETE', path: `/api/v1/users/${service.id}`, key: admin.key, params: { id: service.id } });
    expect((await api(meRoute.GET, { path: '/api/v1/me', key: service.key })).status).toBe(401);
    await api(userRoute.PATCH, { method: 'PATCH', path: `/api/v1/users/${service.id}`, key: admin.key, params: { id: service.id }, body: { active: true } });
    expect((await api(meRoute.GET, { path: '/api/v1/me', key: service.key })).status).toBe(200);
  });
});

describe('a service account never signs in', () => {
  type Authorize = (credentials: Record<string, string>, request: { headers: Record<string, string> }) => Promise<unknown>;
  const authorize = () =>
    (getAuthOptions().providers.find((provider) => provider.id === 'credentials') as unknown as { options: { authorize: Authorize } }).options.authorize;

  it('is refused at the sign-in form with words of its own, whatever the password', async () => {
    await expect(authorize()({ email: 'crm@example.org', password: 'anything at all' }, { headers: { 'x-forwarded-for': '192.0.2.44' } })).rejects.toThrow(
      'ServiceAccount',
    );
  });

  it('has no session, however one came about', async () => {
    session.userId = service.id;
    expect(await getCurrentUser()).toBeNull();
    session.userId = admin.user.id;
    expect((await getCurrentUser())?.id).toBe(admin.user.id);
  });
});

describe('service accounts on the Users page', () => {
  it('adds a business system limited to the profiles checked, then lets it reach every profile', async () => {
    session.userId = admin.user.id;
    const incomplete = await createServiceAccountAction(IDLE, form({ email: 'school@example.org', name: '', limitProfiles: 'on' }));
    expect(incomplete.status).toBe('error');
    expect(incomplete.status === 'error' && Object.keys(incomplete.fieldErrors ?? {}).sort()).toEqual(['name', 'profileIds']);

    const fields = form({ email: 'school@example.org', name: 'School platform', limitProfiles: 'on' });
    fields.append('profileIds', profiles[0]!.id);
    fields.append('profileIds', profiles[2]!.id);
    const added = await createServiceAccountAction(IDLE, fields);
    expect(added).toMatchObject({ status: 'success', message: expect.stringContaining('School platform was added.') });
    const school = (await getUserByEmail({ email: 'school@example.org' }))!;
    expect(school).toMatchObject({ role: 'service', name: 'School platform', passwordHash: null });
    expect(school.profileIds!.sort()).toEqual([profiles[0]!.id, profiles[2]!.id].sort());

    const widened = await setServiceProfilesAction(IDLE, form({ id: school.id }));
    expect(widened).toMatchObject({ status: 'success', message: 'School platform now reaches the mailboxes of every profile.' });
    expect((await getUserByEmail({ email: 'school@example.org' }))!.profileIds).toBeNull();
  });

  it('audits each change under the admin, with the service’s name and profiles', async () => {
    const { events } = await findAuditEvents({ limit: 200 });
    const school = events.find((event) => event.action === 'user.create' && event.detail.email === 'school@example.org');
    expect(school).toMatchObject({ actorLabel: 'admin@example.org', detail: { role: 'service', name: 'School platform', profiles: ['Finance', 'Sales'] } });
    const limited = events.find((event) => event.action === 'user.update' && event.detail.email === 'crm@example.org' && event.detail.profiles);
    expect(limited?.detail.profiles).toEqual({ from: 'all', to: ['Finance'] });
  });
});

describe('service accounts on the command line', () => {
  // On the embedded database one process at a time may open the data folder: the CLI has it meanwhile.
  it('creates one without a password, limited to the profiles named, and refuses a password', async () => {
    await closeDatabase();
    const created = await runCli(['user:create', '--email', 'erp@example.org', '--role', 'service', '--name', 'ERP', '--profile', 'Sales', '--profile', 'Finance']);
    expect(created.exitCode, created.stderr).toBe(0);
    const refused = await runCli(['user:create', '--email', 'bi@example.org', '--role', 'service', '--name', 'BI', '--password', 'a long enough password']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/--password: A business system has no password/);
    const erp = (await getUserByEmail({ email: 'erp@example.org' }))!;
    expect(erp.id).toBe(created.stdout.trim());
    expect(erp).toMatchObject({ role: 'service', passwordHash: null });
    expect(erp.profileIds!.sort()).toEqual([profiles[0]!.id, profiles[2]!.id].sort());
    expect(await getUserByEmail({ email: 'bi@example.org' })).toBeNull();
  });
});
