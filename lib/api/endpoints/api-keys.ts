import { z } from 'zod';
import { idParams } from '@/lib/validations/common';
import { apiKeyResponse, createApiKeySchema, listApiKeysQuery } from '@/lib/validations/users';
import { ALL_ROLES, page, type Endpoint } from '../endpoint';

export const apiKeyEndpoints = {
  listApiKeys: {
    method: 'GET',
    path: '/api/v1/api-keys',
    summary: 'Your API keys, newest first (admins: anyone’s with ?userId=); never the keys themselves',
    roles: [...ALL_ROLES, 'service'],
    query: listApiKeysQuery,
    response: page(apiKeyResponse),
  },
  createApiKey: {
    method: 'POST',
    path: '/api/v1/api-keys',
    summary: 'Create an API key, optionally expiring; the key is in this answer only',
    roles: [...ALL_ROLES, 'service'],
    body: createApiKeySchema,
    response: apiKeyResponse.extend({ key: z.string() }),
    successStatus: 201,
  },
  revokeApiKey: {
    method: 'DELETE',
    path: '/api/v1/api-keys/{id}',
    summary: 'Revoke an API key: it answers 401 from then on',
    roles: [...ALL_ROLES, 'service'],
    params: idParams,
    successStatus: 204,
  },
} as const satisfies Record<string, Endpoint>;
