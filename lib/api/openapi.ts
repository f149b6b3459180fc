import { z } from 'zod';
import { endpoints, type Endpoint } from './contract';
import { DEFAULT_MAX_BODY_BYTES } from './endpoint';

type JsonSchema = Record<string, unknown>;

function schemaOf(type: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const schema = z.toJSONSchema(type, { io, unrepresentable: 'any' }) as JsonSchema;
  delete schema.$schema;
  return schema;
}

/** The one problem shape (lib/errors.ts `Problem`), as every error answer carries it. */
const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'A stable code: NOT_FOUND, CONFLICT, INVALID_INPUT, UPSTREAM…' },
        message: { type: 'string', description: 'What went wrong, written for people' },
        hint: { type: 'string', description: 'What to do next, when the portal knows it' },
        fields: {
          type: 'object',
          description: 'For invalid input: the messages of each field, by field name',
          additionalProperties: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

function parameters(endpoint: Endpoint) {
  const result: JsonSchema[] = [];
  for (const [location, type] of [
    ['path', endpoint.params],
    ['query', endpoint.query],
  ] as const) {
    if (!type) continue;
    const schema = schemaOf(type, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      result.push({
        name,
        in: location,
        required: location === 'path' || (schema.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return result;
}

function operation(name: string, endpoint: Endpoint) {
  const isPublic = endpoint.roles === 'public';
  const responses: Record<string, unknown> = {
    [String(endpoint.successStatus ?? 200)]: {
      description: 'Success',
      ...(endpoint.response
        ? { content: { 'application/json': { schema: schemaOf(endpoint.response, 'output') } } }
        : {}),
    },
  };
  if (!isPublic) {
    responses['401'] = errorResponse('No API key, or an unknown, revoked or deactivated one');
    responses['403'] = errorResponse('The key’s role may not do this');
  }
  if (endpoint.params) responses['404'] = errorResponse('Not found');
  if (endpoint.body) {
    responses['400'] = errorResponse('The body is not valid JSON');
    responses['413'] = errorResponse(`The body is larger than ${Math.round((endpoint.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) / 1024)} KB`);
    responses['422'] = errorResponse('Invalid or unknown fields, listed in `fields`');
  }
  return {
    operationId: name,
    summary: endpoint.summary,
    description: endpoint.roles === 'public' ? 'No API key needed.' : `Roles: ${endpoint.roles.join(', ')}.`,
    ...(isPublic ? { security: [] } : {}),
    parameters: parameters(endpoint),
    ...(endpoint.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(endpoint.body, 'input') } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the whole API, generated from the schemas that validate requests. */
export function buildOpenApiDocument({ serverUrl }: { serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, endpoint] of Object.entries(endpoints) as [string, Endpoint][]) {
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method.toLowerCase()] = operation(name, endpoint);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mailroom API',
      version: '1',
      description: 'Every screen of the Mailroom portal has an API twin. Authenticate with `Authorization: Bearer <api key>`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A Mailroom API key' } },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
