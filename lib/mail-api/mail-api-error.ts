import { z } from 'zod';

/** The web APIs Mailroom speaks: Microsoft Graph and the Gmail API. */
export type MailApiService = 'graph' | 'gmail';

const MESSAGE_LENGTH = 300;

/**
 * What a mail API answered instead of what was asked, in one shape for both providers: the HTTP
 * status, the provider's own error code (Graph's `error.code`, Gmail's `errors[0].reason`) and its
 * text, shortened. Never a token: the provider does not echo it, and what the request carried is
 * removed all the same.
 */
export class MailApiError extends Error {
  readonly service: MailApiService;
  readonly status: number;
  readonly code: string;
  /** Seconds the provider asked to wait (Retry-After), or null. */
  readonly retryAfterSeconds: number | null;
  /** Where Google says the Gmail API is enabled for the client's project (accessNotConfigured), or null. */
  readonly activationUrl: string | null;
  /** The answer as one line, `403 ErrorAccessDenied: Access is denied…`, as logs and a test's steps quote it. */
  readonly reply: string;

  constructor(options: { service: MailApiService; status: number; code: string; message: string; retryAfterSeconds: number | null; activationUrl?: string | null }) {
    super(options.message);
    this.name = 'MailApiError';
    this.service = options.service;
    this.status = options.status;
    this.code = options.code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.activationUrl = options.activationUrl ?? null;
    this.reply = `${options.status} ${options.code}: ${options.message}`;
  }
}

// Graph: {"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again.","innerError":{…}}}
const graphErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

// Gmail: {"error":{"code":403,"message":"…","errors":[{"reason":"insufficientPermissions",…}],"status":"PERMISSION_DENIED","details":[…]}}
const gmailErrorBody = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
    status: z.string().optional(),
    details: z.array(z.object({ '@type': z.string().optional(), reason: z.string().optional(), metadata: z.record(z.string(), z.string()).optional() })).optional(),
  }),
});

const ACTIVATION_URL = /https:\/\/console\.(?:developers|cloud)\.google\.com\/\S*gmail\.googleapis\.com\S*/;

/** Retry-After in seconds: a number of seconds or an HTTP date (RFC 9110 10.2.3); null when absent or unreadable. */
export function retryAfterSecondsOf(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

function shorten(text: string, secrets: readonly string[]): string {
  const clean = secrets.reduce((scrubbed, secret) => (secret ? scrubbed.split(secret).join('[hidden]') : scrubbed), text);
  const flat = clean.replace(/\s+/g, ' ').trim();
  return flat.length > MESSAGE_LENGTH ? `${flat.slice(0, MESSAGE_LENGTH - 1)}…` : flat;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Reads a refusal's body as the provider words it; a body of another shape (a proxy's page) keeps the status and its first words. */
export function mailApiErrorOf(options: {
  service: MailApiService;
  status: number;
  body: string;
  retryAfter: string | null;
  /** What the request carried that must never come back in words (the access token). */
  secrets: readonly string[];
}): MailApiError {
  const { service, status, secrets } = options;
  const retryAfterSeconds = retryAfterSecondsOf(options.retryAfter);
  const json = parseJson(options.body);
  if (service === 'graph') {
    const graph = graphErrorBody.safeParse(json);
    if (graph.success) {
      const { code, message } = graph.data.error;
      return new MailApiError({ service, status, code, message: shorten(message ?? code, secrets), retryAfterSeconds });
    }
  } else {
    const gmail = gmailErrorBody.safeParse(json);
    if (gmail.success) {
      const { error } = gmail.data;
      const code = error.errors?.find((item) => item.reason)?.reason ?? error.status ?? `http_${status}`;
      const message = error.message ?? error.errors?.[0]?.message ?? code;
      const activationUrl = error.details?.find((detail) => detail.metadata?.activationUrl)?.metadata?.activationUrl ?? ACTIVATION_URL.exec(message)?.[0] ?? null;
      return new MailApiError({ service, status, code, message: shorten(message, secrets), retryAfterSeconds, activationUrl });
    }
  }
  return new MailApiError({ service, status, code: `http_${status}`, message: shorten(options.body || `HTTP ${status}`, secrets), retryAfterSeconds });
}
