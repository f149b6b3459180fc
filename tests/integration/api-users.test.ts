import { beforeAll, describe, expect, it } from 'vitest';
import * as healthRoute from '@/app/api/health/route';
import * as meRoute from '@/app/api/v1/me/route';
import * as openapiRoute from '@/app/api/v1/openapi.json/route';
import * as userRoute from '@/app/api/v1/users/[id]/route';
import * as usersRoute from '@/app/api/v1/users/route';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { createApiKey } from '@/lib/auth/api-keys';
import { getUserByEmail } from '@/lib/users/users';
import { callRoute } from '../helpers/api';
import { captureLogs } from '../helpers/captured-logs';
import { userWithKey } from '../helpers/fixtures';

const logs = captureLogs();
const ownerPassword = 'owner-password-7Jx9q';
let adminKey: string;
let supportKey: string;
let adminId: string;

beforeAll(async () => {
  const admin = await userWithKey('admin@example.org', 'admin');
  adminKey = admin.key;
  adminId = admin.user.id;
  supportKey = (await userWithKey('support@example.org', 'support')).key;
});

describe('API authentication and roles', () => {
  it('answers health without a key', async () => {
    const { status, json } = await callRoute(healthRoute.GET, { path: '/api/health' });
    expect(status).toBe(200);
    expect(json).toEqual({ status: 'ok', database: 'ok' });
  });

  it('refuses a request without a key, or with an unknown one, with 401', async () => {
    const missing = await callRoute(meRoute.GET, { path: '/api/v1/me' });
    expect(missing.status).toBe(401);
    expect(missing.json.error.code).toBe('UNAUTHORIZED');
    const unknown = await callRoute(meRoute.GET, { path: '/api/v1/me', key: 'mr_not-a-real-key' });
    expect(unknown.status).toBe(401);
  });

  it('tells a key whose user it acts as', async () => {
    const { status, json } = await callRoute(meRoute.GET, { path: '/api/v1/me', key: supportKey });
    expect(status).toBe(200);
    expect(json).toMatchObject({ email: 'support@example.org', role: 'support' });
  });

  it('refuses a support key on user creation with 403 and creates nothing', async () => {
    const { status, json } = await callRoute(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key: supportKey,
      body: { email: 'sneaky@example.org', role: 'admin' },
    });
    expect(status).toBe(403);
    expect(json.error.code).toBe('FORBIDDEN');
    expect(await getUserByEmail({ email: 'sneaky@example.org' })).toBeNull();
  });

  it('refuses a support key on listing users', async () => {
    expect((await callRoute(usersRoute.GET, { path: '/api/v1/users', key: supportKey })).status).toBe(403);
  });
});

describe('API input', () => {
  it('answers malformed JSON with 400', async () => {
    const { status, json } = await callRoute(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key: adminKey,
      rawBody: '{"email": "x@example.org",',
    });
    expect(status).toBe(400);
    expect(json.error.code).toBe('BAD_REQUEST');
  });

  it('answers invalid fields with 422, naming each field, and creates nothing', async () => {
    const { status, json } = await callRoute(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key: adminKey,
      body: { email: 'not-an-email', role: 'superuser', password: 'short' },
    });
    expect(status).toBe(422);
    expect(json.error.code).toBe('INVALID_INPUT');
    expect(Object.keys(json.error.fields).sort()).toEqual(['email', 'password', 'role']);
    expect(json.error.fields.password[0]).toMatch(/at least 12 characters/);
    expect(await getUserByEmail({ email: 'not-an-email' })).toBeNull();
  });

  it('answers an id that names nothing with 404', async () => {
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const { status, json } = await callRoute(userRoute.GET, { path: `/api/v1/users/${id}`, key: adminKey, params: { id } });
      expect(status).toBe(404);
      expect(json.error.code).toBe('NOT_FOUND');
    }
  });
});

describe('API answers in the language the request asks for', () => {
  const french = { 'accept-language': 'fr-FR,fr;q=0.9' };
  const createUser = (body: Record<string, unknown>, headers?: Record<string, string>, key = adminKey) =>
    callRoute(usersRoute.POST, { method: 'POST', path: '/api/v1/users', key, body, headers });

  it('refuses a missing key, a wrong role and an unknown address in French, with the same codes', async () => {
    const missing = await callRoute(meRoute.GET, { path: '/api/v1/me', headers: french });
    expect(missing.status).toBe(401);
    expect(missing.json.error).toEqual({ code: 'UNAUTHORIZED', message: 'Envoyez une clé d’API valide dans l’en-tête Authorization: Bearer <key>.' });
    const english = await callRoute(meRoute.GET, { path: '/api/v1/me' });
    expect(english.json.error).toEqual({ code: 'UNAUTHORIZED', message: 'Send a valid API key in the header Authorization: Bearer <key>.' });

    const forbidden = await createUser({ email: 'sneaky-fr@example.org', role: 'admin' }, french, supportKey);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error).toEqual({ code: 'FORBIDDEN', message: 'Il faut le rôle admin\u00a0; votre clé agit en tant que support.' });

    const unknown = await callRoute(userRoute.GET, { path: '/api/v1/users/not-a-uuid', key: adminKey, params: { id: 'not-a-uuid' }, headers: french });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toEqual({ code: 'NOT_FOUND', message: 'Rien n’a été trouvé à cette adresse.' });
  });

  it('says what is wrong with a new user in French, field by field, and in English without the header', async () => {
    const body = { email: 'both-ways@example.org', role: 'owner', password: 'a long enough password', invite: true };
    const refused = await createUser(body, french);
    expect(refused.status).toBe(422);
    expect(refused.json.error).toEqual({
      code: 'INVALID_INPUT',
      message: 'Donnez un mot de passe ou envoyez une invitation, pas les deux.',
      fields: { password: ['Laissez le mot de passe vide pour envoyer une invitation\u00a0: la personne choisit le sien.'] },
    });
    const english = await createUser(body);
    expect(english.status).toBe(422);
    expect(english.json.error).toEqual({
      code: 'INVALID_INPUT',
      message: 'Give a password or send an invitation, not both.',
      fields: { password: ['Leave the password empty to send an invitation: the person chooses their own.'] },
    });
    expect(await getUserByEmail({ email: 'both-ways@example.org' })).toBeNull();

    const malformed = await callRoute(usersRoute.POST, { method: 'POST', path: '/api/v1/users', key: adminKey, rawBody: '{', headers: french });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toEqual({
      code: 'BAD_REQUEST',
      message: 'Le corps de la requête n’est pas un JSON valide.',
      hint: 'Envoyez un objet JSON, avec l’en-tête Content-Type: application/json.',
    });
  });

  it('names the last active admin’s problem and its fix in French', async () => {
    const refused = await callRoute(userRoute.DELETE, { method: 'DELETE', path: `/api/v1/users/${adminId}`, key: adminKey, params: { id: adminId }, headers: french });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toEqual({
      code: 'CONFLICT',
      message: 'C’est le dernier administrateur actif\u00a0: Mailroom se retrouverait sans administrateur.',
      hint: 'Nommez d’abord un autre utilisateur administrateur (son «\u00a0Modifier le rôle\u00a0»), puis modifiez celui-ci.',
    });
  });
});

describe('users API', () => {
  let ownerId: string;

  it('creates a user (201) without ever returning the password or its hash', async () => {
    const { status, json, text } = await callRoute(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key: adminKey,
      body: { email: ' Owner@Example.org ', role: 'owner', name: 'Olive Owner', password: ownerPassword },
    });
    expect(status).toBe(201);
    expect(json).toMatchObject({ email: 'owner@example.org', role: 'owner', name: 'Olive Owner', active: true });
    expect(text).not.toContain(ownerPassword);
    expect(text).not.toContain('scrypt');
    ownerId = json.id;
  });

  it('refuses a second user with the same email with 409', async () => {
    const { status, json } = await callRoute(usersRoute.POST, {
      method: 'POST',
      path: '/api/v1/users',
      key: adminKey,
      body: { email: 'owner@example.org', role: 'support', password: ownerPassword },
    });
    expect(status).toBe(409);
    expect(json.error.fields.email).toBeDefined();
  });

  it('lists users a page at a time', async () => {
    const first = await callRoute(usersRoute.GET, { path: '/api/v1/users?limit=2', key: adminKey });
    expect(first.status).toBe(200);
    expect(first.json.data.map((user: { email: string }) => user.email)).toEqual(['admin@example.org', 'owner@example.org']);
    expect(first.json.nextCursor).toBe('owner@example.org');
    const second = await callRoute(usersRoute.GET, {
      path: `/api/v1/users?limit=2&cursor=${encodeURIComponent(first.json.nextCursor)}`,
      key: adminKey,
    });
    expect(second.json.data.map((user: { email: string }) => user.email)).toEqual(['support@example.org']);
    expect(second.json.nextCursor).toBeNull();
    const tooMany = await callRoute(usersRoute.GET, { path: '/api/v1/users?limit=500', key: adminKey });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.error.fields.limit).toBeDefined();
  });

  it('changes a role, and deactivation stops the user’s API keys', async () => {
    const changed = await callRoute(userRoute.PATCH, {
      method: 'PATCH',
      path: `/api/v1/users/${ownerId}`,
      key: adminKey,
      params: { id: ownerId },
      body: { role: 'support' },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.role).toBe('support');

    const { key } = await createApiKey({ actor: COMMAND_LINE_ACTOR, userId: ownerId });
    expect((await callRoute(meRoute.GET, { path: '/api/v1/me', key })).status).toBe(200);
    const deactivated = await callRoute(userRoute.DELETE, {
      method: 'DELETE',
      path: `/api/v1/users/${ownerId}`,
      key: adminKey,
      params: { id: ownerId },
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.json.active).toBe(false);
    expect((await callRoute(meRoute.GET, { path: '/api/v1/me', key })).status).toBe(401);
  });

  it('refuses an empty change', async () => {
    const { status } = await callRoute(userRoute.PATCH, {
      method: 'PATCH',
      path: `/api/v1/users/${ownerId}`,
      key: adminKey,
      params: { id: ownerId },
      body: {},
    });
    expect(status).toBe(422);
  });

  it('never deactivates or demotes the last active admin', async () => {
    for (const request of [
      { method: 'DELETE', handler: userRoute.DELETE, body: undefined },
      { method: 'PATCH', handler: userRoute.PATCH, body: { role: 'owner' } },
    ]) {
      const { status, json } = await callRoute(request.handler, {
        method: request.method,
        path: `/api/v1/users/${adminId}`,
        key: adminKey,
        params: { id: adminId },
        body: request.body,
      });
      expect(status).toBe(409);
      expect(json.error.message).toMatch(/last active admin/);
    }
    expect((await callRoute(meRoute.GET, { path: '/api/v1/me', key: adminKey })).json.role).toBe('admin');
  });

  it('records every change in the audit log with who made it', async () => {
    const { events } = await findAuditEvents({ limit: 50 });
    const actions = events.map((event) => `${event.actorLabel} ${event.action}`);
    expect(actions).toContain('admin@example.org user.create');
    expect(actions).toContain('admin@example.org user.update');
    expect(actions).toContain('admin@example.org user.deactivate');
    expect(actions).toContain('command line api_key.create');
    expect(JSON.stringify(events)).not.toContain(ownerPassword);
  });

  it('logged nothing secret', () => {
    expect(logs.text()).not.toContain(ownerPassword);
    expect(logs.text()).not.toContain(adminKey);
    expect(logs.text()).not.toContain(supportKey);
  });
});

describe('OpenAPI document', () => {
  it('is generated from the request schemas', async () => {
    const { status, json } = await callRoute(openapiRoute.GET, { path: '/api/v1/openapi.json' });
    expect(status).toBe(200);
    expect(json.openapi).toBe('3.1.0');
    const create = json.paths['/api/v1/users'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['email', 'role']));
    expect(create.requestBody.content['application/json'].schema.properties.role.enum).toEqual(['admin', 'owner', 'support', 'service']);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '422']));
    expect(json.paths['/api/v1/users/{id}'].patch.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(json.paths['/api/health'].get.security).toEqual([]);
  });
});
