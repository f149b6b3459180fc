// Walks the endpoint table and calls every endpoint as every role with values fast-check derives
// from its zod schemas, mixed with hostile ones: every answer must be a 2xx or a 4xx in the error
// shape, never a 5xx. CI runs a fixed seed; MAILROOM_FUZZ_SEED=random (or a number) and
// MAILROOM_FUZZ_RUNS=N explore further, and a failure prints the seed and the request that broke.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { endpoints, type Endpoint } from '@/lib/api/contract';
import { insertMailboxRow, insertProfile, userWithKey } from '../helpers/fixtures';

type RouteModule = Record<string, (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>>;
type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  format?: string;
  additionalProperties?: JsonSchema | boolean;
};

const seedSetting = process.env.MAILROOM_FUZZ_SEED;
const SEED = seedSetting === 'random' ? Date.now() % 2 ** 31 : seedSetting ? Number(seedSetting) : 20_261_129;
const RUNS = Number(process.env.MAILROOM_FUZZ_RUNS ?? 12);
const API_ROOT = path.resolve(__dirname, '../../app/api');

/** `app/api/v1/mailboxes/[id]/route.ts` → `/api/v1/mailboxes/{id}`. */
function routeFiles(directory = API_ROOT): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(directory)) {
    const full = path.join(directory, entry);
    if (statSync(full).isDirectory()) for (const [route, file] of routeFiles(full)) found.set(route, file);
    else if (entry === 'route.ts') {
      const relative = path.relative(path.resolve(API_ROOT, '..'), directory).split(path.sep).join('/');
      found.set(`/${relative}`.replace(/\[([^\]]+)\]/g, '{$1}'), full);
    }
  }
  return found;
}

// ------------------------------------------------------------------------------------------------
// Values: what the schema asks for, and what an attacker sends instead.
// ------------------------------------------------------------------------------------------------

const hostileString = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '-1', '0', '1e309', 'NaN', 'Infinity', 'null', 'true', '[]', '{}'),
  fc.constantFrom("' OR 1=1 --", '<script>alert(1)</script>', '../../etc/passwd', '%00', '%2e%2e%2f', '\r\nX-Injected: 1', '😀'.repeat(300)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat(20_000).map((length) => 'x'.repeat(length)),
  fc.constant('9'.repeat(400)),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53 + 1, 0.5, -0),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.constant(JSON.parse('{"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}}')),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);

function fromSchema(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((variant) => fromSchema(variant, depth)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => fromSchema({ ...schema, type }, depth)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000, noNaN: true });
    case 'string':
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
      // Plain strings rarely make a valid request: mix in the fixtures' ids and addresses.
      return fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...existingIds), fc.emailAddress().map((address) => address.toLowerCase()), fc.constantFrom('fuzz-owner@example.org', 'fuzz-admin@example.org'));
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(fromSchema(schema.items ?? {}, depth + 1), { maxLength: 4 });
    case 'object': {
      if (depth > 3) return fc.constant({});
      const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, inner]) => [name, fromSchema(inner, depth + 1)]));
      return fc.record(properties, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Mostly values of the schema's shape, some with a hostile leaf or an extra key, some hostile whole. */
function bodyArbitrary(schema: z.ZodType): fc.Arbitrary<{ raw: Uint8Array | string } | { json: unknown }> {
  const shaped = fromSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
  const spoiled = fc.tuple(shaped, fc.string({ minLength: 1, maxLength: 12 }), hostileValue).map(([value, key, bad]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.keys(value).length > 0 && key.length % 2 === 0
        ? { ...value, [Object.keys(value)[key.length % Object.keys(value).length]!]: bad }
        : { ...value, [key]: bad }
      : bad,
  );
  return fc.oneof(
    { weight: 4, arbitrary: shaped.map((json) => ({ json })) },
    { weight: 3, arbitrary: spoiled.map((json) => ({ json })) },
    { weight: 1, arbitrary: hostileValue.map((json) => ({ json })) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom('{', '{"a":', 'nul', '[1,2', '{"a":1}}', '\u0000', '"\\ud800"', '{"__proto__":'),
        fc.uint8Array({ maxLength: 64 }),
        fc.constant(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
      ).map((raw) => ({ raw })),
    },
  );
}

function queryArbitrary(schema: z.ZodType | undefined): fc.Arbitrary<Record<string, string>> {
  if (!schema) return fc.constant({});
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const entries = Object.entries(json.properties ?? {}).map(([name, property]) => {
    const valid = fromSchema(property).map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
    const cursorLike = fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value)).toString('base64url'));
    return [name, fc.oneof(valid, hostileString, cursorLike)] as const;
  });
  return fc.record(Object.fromEntries(entries), { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}

// ------------------------------------------------------------------------------------------------

type Caller = { role: string; key: string | null };
let callers: Caller[] = [];
let existingIds: string[] = [];

function paramsArbitrary(endpoint: Endpoint): fc.Arbitrary<Record<string, string>> {
  if (!endpoint.params) return fc.constant({});
  const names = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  // A path segment arrives percent-decoded from UTF-8, so it is always well-formed text.
  const value = fc.oneof(fc.constantFrom(...existingIds), fc.uuid(), hostileString.filter((text) => text.isWellFormed()));
  return fc.record(Object.fromEntries(names.map((name) => [name, value])));
}

async function call(options: {
  handler: RouteModule[string];
  endpoint: Endpoint;
  caller: Caller;
  params: Record<string, string>;
  query: Record<string, string>;
  body: { raw: Uint8Array | string } | { json: unknown } | undefined;
}): Promise<Response> {
  const { endpoint, caller, params, query, body } = options;
  const url = new URL(endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? '')), 'http://127.0.0.1');
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const headers = new Headers({ 'content-type': 'application/json' });
  if (caller.key) headers.set('authorization', `Bearer ${caller.key}`);
  const payload = body === undefined ? undefined : 'raw' in body ? Buffer.from(body.raw) : JSON.stringify(body.json);
  const request = new NextRequest(url, { method: endpoint.method, headers, body: endpoint.method === 'GET' ? undefined : payload });
  return options.handler(request, { params: Promise.resolve(params) });
}

const errorShape = z.object({ error: z.object({ code: z.string().min(1), message: z.string().min(1), hint: z.string().optional(), fields: z.record(z.string(), z.array(z.string())).optional() }) });

// Reads first, writes next, deletions last, so that most calls meet the fixtures still in place.
const ORDER = { GET: 0, POST: 1, PATCH: 2, DELETE: 3 } as const;
const table = Object.entries(endpoints as Record<string, Endpoint>).sort(([, a], [, b]) => ORDER[a.method] - ORDER[b.method]);

describe('every endpoint, every role, hostile input', () => {
  const routes = routeFiles();

  beforeAll(async () => {
    const admin = await userWithKey('fuzz-admin@example.org', 'admin');
    const owner = await userWithKey('fuzz-owner@example.org', 'owner');
    const support = await userWithKey('fuzz-support@example.org', 'support');
    const service = await userWithKey('fuzz-service@example.org', 'service');
    // Hosts on a closed loopback port: a test or notification the fuzzer starts fails at once.
    const profile = await insertProfile({
      name: 'Fuzz password profile',
      serverType: 'custom',
      authType: 'password',
      clientId: null,
      scopes: [],
      incomingHost: '127.0.0.1',
      incomingPort: 9,
      outgoingHost: '127.0.0.1',
      outgoingPort: 9,
      internalServer: true,
    });
    const oauthProfile = await insertProfile({
      name: 'Fuzz Gmail profile',
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
    });
    const mailbox = await insertMailboxRow(owner.user, profile, { address: 'fuzz-box@example.org' });
    const oauthMailbox = await insertMailboxRow(owner.user, oauthProfile, { address: 'fuzz-oauth@example.org', connection: 'not_connected', status: 'inactive' });
    existingIds = [admin.user.id, owner.user.id, support.user.id, service.user.id, profile.id, oauthProfile.id, mailbox.id, oauthMailbox.id];
    callers = [
      { role: 'admin', key: admin.key },
      { role: 'owner', key: owner.key },
      { role: 'support', key: support.key },
      { role: 'service', key: service.key },
      { role: 'nobody', key: null },
      { role: 'forged key', key: 'mr_0000000000000000000000000000000000000000' },
    ];
  });

  test('every endpoint of the table has a route handler', () => {
    const missing = table.filter(([, endpoint]) => !routes.has(endpoint.path)).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  for (const [name, endpoint] of table) {
    test(`${endpoint.method} ${endpoint.path} (${name}) answers every caller with a 2xx or a 4xx`, async () => {
      const route = (await import(routes.get(endpoint.path)!)) as RouteModule;
      const handler = route[endpoint.method]!;
      expect(handler, `${endpoint.method} is exported`).toBeTypeOf('function');
      const body = endpoint.body ? bodyArbitrary(endpoint.body) : fc.constant(undefined);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...callers), paramsArbitrary(endpoint), queryArbitrary(endpoint.query), body, async (caller, params, query, payload) => {
          const response = await call({ handler, endpoint, caller, params, query, body: payload });
          const text = await response.text();
          const said = `${endpoint.method} ${endpoint.path} as ${caller.role} → ${response.status} ${text.slice(0, 300)}`;
          expect(response.status, said).toBeLessThan(500);
          if (response.status >= 400) expect(errorShape.safeParse(JSON.parse(text)).success, said).toBe(true);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });
  }

  test('the portal is still healthy afterwards', async () => {
    const { GET } = (await import('@/app/api/health/route')) as unknown as RouteModule;
    const response = await GET!(new NextRequest('http://127.0.0.1/api/health'), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });
});
