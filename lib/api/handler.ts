import 'server-only';
import type { NextRequest } from 'next/server';
import { z } from 'zod';
import type { User } from '@/db/schema';
import { authenticateApiKey } from '@/lib/auth/api-keys';
import { clientAddress } from '@/lib/auth/client-address';
import { getRetryAfterSeconds, recordFailedAttempt, throttleSubject, ThrottledError } from '@/lib/auth/throttle';
import { AppError, type ErrorCode, type FieldErrors } from '@/lib/errors';
import { describeError, logger } from '@/lib/logger';
import { toFieldErrors } from '@/lib/validations/field-errors';
import type { Endpoint } from './contract';

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

type HandlerContext<E extends Endpoint> = {
  request: NextRequest;
  user: E['roles'] extends 'public' ? User | null : User;
  params: Infer<E['params']>;
  query: Infer<E['query']>;
  body: Infer<E['body']>;
};

type RouteContext = { params: Promise<Record<string, string | string[]>> };

export function errorResponse(code: ErrorCode, message: string, status: number, fields?: FieldErrors, headers?: HeadersInit): Response {
  return Response.json({ error: { code, message, ...(fields ? { fields } : {}) } }, { status, headers });
}

function invalid(error: z.ZodError): AppError {
  return new AppError('INVALID_INPUT', 'Some fields are invalid.', { fields: toFieldErrors(error) });
}

async function readJsonBody(request: NextRequest): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'The request body is not valid JSON.');
  }
}

async function authenticate(request: NextRequest): Promise<User | null> {
  const header = request.headers.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match) return null;
  // Guessing keys from one address slows down the same way guessing passwords does.
  const address = clientAddress(request.headers);
  const retryAfterSeconds = await getRetryAfterSeconds({ subjects: [throttleSubject('api-key', address)] });
  if (retryAfterSeconds > 0) {
    throw new ThrottledError(`Too many requests with invalid API keys: wait ${retryAfterSeconds} seconds.`, retryAfterSeconds);
  }
  const user = await authenticateApiKey({ key: match[1]! });
  if (!user) await recordFailedAttempt({ kind: 'api-key', value: address });
  return user;
}

/**
 * Wraps a route handler with the steps every API entry point takes: authenticate the API key,
 * check the role, parse path, query and body with the endpoint's schemas, and turn errors into the
 * API's error shape without leaking internals.
 */
export function apiRoute<E extends Endpoint>(
  endpoint: E,
  handle: (context: HandlerContext<E>) => Promise<unknown>,
): (request: NextRequest, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const user = endpoint.roles === 'public' ? null : await authenticate(request);
      if (endpoint.roles !== 'public') {
        if (!user) throw new AppError('UNAUTHORIZED', 'Send a valid API key in the header Authorization: Bearer <key>.');
        if (!endpoint.roles.includes(user.role)) {
          throw new AppError('FORBIDDEN', `This needs the role ${endpoint.roles.join(' or ')}; your key acts as ${user.role}.`);
        }
      }
      // A malformed id cannot name anything, so it is simply not found (ids stay opaque).
      const params = endpoint.params?.safeParse(await context.params);
      if (params && !params.success) throw new AppError('NOT_FOUND', 'Nothing was found at this address.');

      const query = endpoint.query?.safeParse(Object.fromEntries(request.nextUrl.searchParams));
      if (query && !query.success) throw invalid(query.error);

      const body = endpoint.body?.safeParse(await readJsonBody(request));
      if (body && !body.success) throw invalid(body.error);

      const result = await handle({
        request,
        user: user as HandlerContext<E>['user'],
        params: params?.data as Infer<E['params']>,
        query: query?.data as Infer<E['query']>,
        body: body?.data as Infer<E['body']>,
      });
      if (result instanceof Response) return result;
      return Response.json(result, { status: endpoint.successStatus ?? 200 });
    } catch (error) {
      if (error instanceof ThrottledError) {
        return errorResponse(error.code, error.message, error.status, undefined, { 'Retry-After': String(error.retryAfterSeconds) });
      }
      if (error instanceof AppError) return errorResponse(error.code, error.message, error.status, error.fields);
      logger.error('API request failed', {
        method: request.method,
        path: request.nextUrl.pathname,
        error: describeError(error),
      });
      return errorResponse('INTERNAL', 'Something went wrong on our side. The error was logged.', 500);
    }
  };
}
