import { z } from 'zod';
import { idParams, listQuery } from '@/lib/validations/common';
import { createdUserResponse, createUserSchema, passwordLinkResponse, role, updateUserSchema, userResponse } from '@/lib/validations/users';
import { ALL_ROLES, page, type Endpoint } from '../endpoint';

export const systemEndpoints = {
  health: {
    method: 'GET',
    path: '/api/health',
    summary: 'Whether the portal and its database answer',
    roles: 'public',
    response: z.object({ status: z.enum(['ok', 'unavailable']), database: z.enum(['ok', 'unavailable']) }),
  },
  openapi: {
    method: 'GET',
    path: '/api/v1/openapi.json',
    summary: 'This document',
    roles: 'public',
  },
  me: {
    method: 'GET',
    path: '/api/v1/me',
    summary: 'The user the API key belongs to (a service account too)',
    roles: [...ALL_ROLES, 'service'],
    response: z.object({ id: z.string(), email: z.string(), name: z.string().nullable(), role }),
  },
} as const satisfies Record<string, Endpoint>;

export const userEndpoints = {
  listUsers: {
    method: 'GET',
    path: '/api/v1/users',
    summary: 'List users, in email order',
    roles: ['admin'],
    query: listQuery.extend({ role: role.optional() }),
    response: page(userResponse),
  },
  createUser: {
    method: 'POST',
    path: '/api/v1/users',
    summary:
      'Create a user, with a password or `invite: true` (an invitation link to choose one; `invitation.url` only when it was not mailed); without single sign-on one of the two is required. A `service` account (a business system) has a `name`, neither password nor invitation, and optionally `profileIds`: it then reaches only those profiles’ mailboxes. It works with API keys alone (POST /api/v1/api-keys with its `userId`)',
    roles: ['admin'],
    body: createUserSchema,
    response: createdUserResponse,
    successStatus: 201,
  },
  getUser: {
    method: 'GET',
    path: '/api/v1/users/{id}',
    summary: 'One user',
    roles: ['admin'],
    params: idParams,
    response: userResponse,
  },
  updateUser: {
    method: 'PATCH',
    path: '/api/v1/users/{id}',
    summary: 'Change a user’s role or name, or reactivate them; a service account’s `profileIds` (null: every profile). People and service accounts never become one another',
    roles: ['admin'],
    params: idParams,
    body: updateUserSchema,
    response: userResponse,
  },
  deactivateUser: {
    method: 'DELETE',
    path: '/api/v1/users/{id}',
    summary: 'Deactivate a user: they can no longer sign in, and their API keys stop working',
    roles: ['admin'],
    params: idParams,
    response: userResponse,
  },
  sendInvitation: {
    method: 'POST',
    path: '/api/v1/users/{id}/invitation',
    summary:
      'Send a user without a password a new invitation link to choose one (earlier links stop working); `url` only when it was not mailed, to hand over once',
    roles: ['admin'],
    params: idParams,
    response: passwordLinkResponse,
    successStatus: 201,
  },
  sendPasswordReset: {
    method: 'POST',
    path: '/api/v1/users/{id}/password-reset',
    summary:
      'Send a user a single-use link to choose a new password (earlier links stop working); `url` only when it was not mailed, to hand over once',
    roles: ['admin'],
    params: idParams,
    response: passwordLinkResponse,
    successStatus: 201,
  },
} as const satisfies Record<string, Endpoint>;
