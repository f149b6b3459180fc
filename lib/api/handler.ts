import 'server-only';
import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { db } from '@/db';
import type { User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { authenticateApiKey } from '@/lib/auth/api-keys';
import { clientAddress } from '@/lib/auth/client-address';
import { getRetryAfterSeconds, recordFailedAttempt, throttleSubject, ThrottledError } from '@/lib/auth/throttle';
import { AppError, renderProblem, type Problem } from '@/lib/errors';
import { apiLocale } from '@/lib/i18n/request-locale';
import { phrase } from '@/lib/i18n/text';
import type { Locale } from '@/lib/i18n/locales';
import { describeError, logger } from '@/lib/logger';
import { readCappedBody } from '@/lib/net/read-capped-body';
import { toPublicProblem } from '@/lib/public-problem';
import { toFieldErrors } from '@/lib/validations/field-errors';
import type { Endpoint } from './contract';
import { DEFAULT_MAX_BODY_BYTES } from './endpoint';
import { unknownFields } from './unknown-fields';

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

type HandlerContext<E extends Endpoint> = {
  request: NextRequest;
  user: E['roles'] extends 'public' ? User | null : User;
  params: Infer<E['params']>;
  query: Infer<E['query']>;
  body: Infer<E['body']>;
};

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * The API's error body, `{"error": {code, message, hint?, fields?}}`: the one problem shape, with what
 * to do next, in the language the request asks for (English by default); codes never change.
 */
export function errorResponse(problem: Problem, status: number, { headers, locale = 'en' }: { headers?: HeadersInit; locale?: Locale } = {}): Response {
  const { code, message, hint, fields } = renderProblem(problem, locale);
  return Response.json({ error: { code, message, ...(hint ? { hint } : {}), ...(fields ? { fields } : {}) } }, { status, headers });
}

function invalid(error: z.ZodError): AppError {
  return new AppError('INVALID_INPUT', { key: 'problems.invalidInput' }, { fields: toFieldErrors(error) });
}

function tooLarge(limit: number): AppError {
  const kb = String(Math.round(limit / 1024));
  return new AppError('PAYLOAD_TOO_LARGE', phrase(limit === DEFAULT_MAX_BODY_BYTES ? 'problems.api.tooLarge' : 'problems.api.fileTooLarge', { kb }));
}

async function readBodyText(request: NextRequest, limit: number): Promise<string> {
  const body = await readCappedBody(request, limit, () => tooLarge(limit));
  try {
    return body ? new TextDecoder('utf-8', { fatal: true }).decode(body) : '';
  } catch {
    throw new AppError('BAD_REQUEST', phrase('problems.api.notUtf8'));
  }
}

async function readJsonBody(request: NextRequest, limit: number): Promise<unknown> {
  const text = await readBodyText(request, limit);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', phrase('problems.api.notJson'));
  }
}

/** Parses a body with the endpoint's schema, refusing fields it does not know so that a typo never passes silently. */
function parseBody(schema: z.ZodType, value: unknown): unknown {
  const unknown = unknownFields(schema, value);
  const body = schema.safeParse(value);
  if (body.success && Object.keys(unknown).length === 0) return body.data;
  const fields = { ...(body.success ? {} : toFieldErrors(body.error)), ...unknown };
  throw new AppError('INVALID_INPUT', { key: 'problems.invalidInput' }, { fields });
}

async function authenticate(request: NextRequest): Promise<User | null> {
  const header = request.headers.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match) return null;
  // Guessing keys from one address slows down the same way guessing passwords does.
  const address = clientAddress(request.headers);
  const retryAfterSeconds = await getRetryAfterSeconds({ subjects: [throttleSubject('api-key', address)] });
  if (retryAfterSeconds > 0) {
    throw new ThrottledError(phrase('problems.api.throttledKeys', { seconds: retryAfterSeconds }), retryAfterSeconds);
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
    const caller: { user: User | null } = { user: null };
    const response = await answerRequest(endpoint, handle, request, context, caller);
    // A business system's every call is on record under its name, reads and refusals included (#19).
    if (caller.user?.role === 'service') await recordServiceCall({ user: caller.user, endpoint, request, status: response.status });
    return response;
  };
}

/** Authenticates, checks the role, parses the input, runs the handler and turns any failure into its answer. */
async function answerRequest<E extends Endpoint>(
  endpoint: E,
  handle: (context: HandlerContext<E>) => Promise<unknown>,
  request: NextRequest,
  context: RouteContext,
  caller: { user: User | null },
): Promise<Response> {
  try {
    const user = endpoint.roles === 'public' ? null : await authenticate(request);
    caller.user = user;
    if (endpoint.roles !== 'public') {
      if (!user) throw new AppError('UNAUTHORIZED', phrase('problems.api.unauthorized', { key: '<key>' }));
      if (!endpoint.roles.includes(user.role)) {
        const [first = '', ...others] = endpoint.roles;
        throw new AppError('FORBIDDEN', phrase('problems.api.forbidden', { first, second: others.join(' or ') || 'none', role: user.role }));
      }
    }
    // A malformed id cannot name anything, so it is simply not found (ids stay opaque).
    const params = endpoint.params?.safeParse(await context.params);
    if (params && !params.success) throw new AppError('NOT_FOUND', phrase('problems.api.notFound'));

    const query = endpoint.query?.safeParse(Object.fromEntries(request.nextUrl.searchParams));
    if (query && !query.success) throw invalid(query.error);

    const body = endpoint.body ? parseBody(endpoint.body, await readJsonBody(request, endpoint.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) : undefined;

    const result = await handle({
      request,
      user: user as HandlerContext<E>['user'],
      params: params?.data as Infer<E['params']>,
      query: query?.data as Infer<E['query']>,
      body: body as Infer<E['body']>,
    });
    if (result instanceof Response) return result;
    return Response.json(result, { status: endpoint.successStatus ?? 200 });
  } catch (error) {
    const known = toPublicProblem(error);
    if (known) {
      const headers = error instanceof ThrottledError ? { 'Retry-After': String(error.retryAfterSeconds) } : undefined;
      return errorResponse(known.problem, known.status, { headers, locale: apiLocale(request) });
    }
    logger.error('API request failed', {
      method: request.method,
      path: request.nextUrl.pathname,
      error: describeError(error),
    });
    return errorResponse({ code: 'INTERNAL', message: 'Something went wrong on our side.', key: 'problems.internal' }, 500, { locale: apiLocale(request) });
  }
}

/** One audit row per call of a business system: which endpoint, on which mailbox, and how it was answered. */
async function recordServiceCall({ user, endpoint, request, status }: { user: User; endpoint: Endpoint; request: NextRequest; status: number }): Promise<void> {
  const mailboxId = /^\/api\/v1\/mailboxes\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i.exec(request.nextUrl.pathname)?.[1] ?? null;
  await recordAuditEvent(db, {
    actor: userActor(user),
    action: 'service.call',
    target: { type: 'user', id: user.id },
    mailboxId: null,
    detail: { method: endpoint.method, path: endpoint.path, status, ...(mailboxId ? { mailbox: mailboxId } : {}) },
  }).catch((error: unknown) => logger.error('A business system’s call could not be audited', { error: describeError(error) }));
}
