import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { guardedFetch } from '@/lib/net/guarded-fetch';
import { MailApiError, mailApiErrorOf, type MailApiService } from './mail-api-error';

/** Everything a request to a mailbox's web API needs: where, with which token, within which limits. */
export type MailApiConnection = {
  /** The API root: https://graph.microsoft.com/v1.0 or https://gmail.googleapis.com/gmail/v1 (the profile's endpoints.api). */
  root: string;
  accessToken: string;
  /** The profile is an internal server: the guard lets loopback and private addresses through. */
  allowInternal: boolean;
  /** PEM CA certificates trusted besides Node's roots. */
  caCertificates: string[];
  /** One request's limit: the profile's connection timeout. */
  timeoutMs: number;
  /** When the caller's budget ends (epoch ms): a throttled request is retried only if its wait ends before. */
  deadline: number;
  /** Told of each wait a throttled request makes before it is sent again. */
  onThrottled?: (wait: { seconds: number; error: MailApiError }) => void;
};

/** JSON answers of a few records, never mail bodies: more than this is not an answer to what was asked. */
const MAX_RESPONSE_BYTES = 256 * 1024;
/** A request is sent at most this many times when the provider keeps throttling it. */
const MAX_ATTEMPTS = 4;

export type MailApiRequest<T> = {
  service: MailApiService;
  connection: MailApiConnection;
  method?: 'GET' | 'POST';
  /** Below the root, its variable parts already encoded. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The answer's shape; null when a success carries no body (202 Accepted). */
  schema: z.ZodType<T> | null;
};

function urlOf(root: string, path: string, query: Record<string, string> | undefined): string {
  const url = new URL(`${root.replace(/\/+$/, '')}/${path}`);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
  return url.toString();
}

/** A throttled answer is sent again when the provider says how long to wait and the wait fits in the budget. */
function waitBeforeRetry(error: MailApiError, connection: MailApiConnection, attempt: number): number | null {
  const throttled = error.status === 429 || (error.status === 503 && error.retryAfterSeconds !== null);
  if (!throttled || error.retryAfterSeconds === null || attempt >= MAX_ATTEMPTS) return null;
  const waitMs = error.retryAfterSeconds * 1000;
  return Date.now() + waitMs < connection.deadline ? waitMs : null;
}

/**
 * One call to a mail API through the network guard (pinned address, no redirect, the profile's
 * timeout, a small size cap), its answer checked against `schema`. A refusal becomes a
 * MailApiError; a throttled request (429, or 503 with Retry-After) waits as asked and is sent
 * again while the wait fits before the connection's deadline.
 */
export async function requestMailApi<T>(request: MailApiRequest<T>): Promise<T> {
  const { service, connection } = request;
  const url = urlOf(connection.root, request.path, request.query);
  const init: RequestInit = {
    method: request.method ?? 'GET',
    headers: {
      authorization: `Bearer ${connection.accessToken}`,
      accept: 'application/json',
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  };
  for (let attempt = 1; ; attempt += 1) {
    const remainingMs = connection.deadline - Date.now();
    const response = await guardedFetch(url, init, {
      allowInternal: connection.allowInternal,
      caCertificates: connection.caCertificates,
      timeoutMs: Math.max(1_000, Math.min(connection.timeoutMs, remainingMs)),
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
    const text = await response.text();
    if (response.ok) return parseAnswer(request, response.status, text);
    const error = mailApiErrorOf({ service, status: response.status, body: text, retryAfter: response.headers.get('retry-after'), secrets: [connection.accessToken] });
    const waitMs = waitBeforeRetry(error, connection, attempt);
    if (waitMs === null) throw error;
    connection.onThrottled?.({ seconds: waitMs / 1000, error });
    await sleep(waitMs);
  }
}

function parseAnswer<T>(request: MailApiRequest<T>, status: number, text: string): T {
  if (request.schema === null) return undefined as T;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = request.schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0]?.path.join('.') || 'the body';
  throw new MailApiError({
    service: request.service,
    status,
    code: 'unexpected_answer',
    message: `The answer to ${request.method ?? 'GET'} ${request.path.split('?')[0]} does not have the expected shape (${where}).`,
    retryAfterSeconds: null,
  });
}
