// The Gmail API's error answers, in Google's shape and words (developers.google.com "Resolve errors"
// for Gmail, and google.rpc.ErrorInfo as googleapis.com sends it).
import { createHash } from 'node:crypto';
import type { ApiAnswer } from './api-server';
import type { GmailFault } from './lab-info';

const GMAIL_SERVICE = 'gmail.googleapis.com';
const GOOGLE_REALM = 'https://accounts.google.com/';
const CREDENTIALS_HELP =
  'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

type ErrorItem = { message: string; domain: string; reason: string; location?: string; locationType?: string; extendedHelp?: string };

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
};

export function gmailError(options: {
  status: number;
  message: string;
  error: Partial<ErrorItem> & { reason: string };
  statusName?: string;
  details?: Record<string, unknown>[];
  headers?: Record<string, string>;
}): ApiAnswer {
  const { status, message, error } = options;
  return {
    status,
    headers: options.headers,
    body: {
      error: {
        code: status,
        message,
        errors: [{ message, domain: 'global', ...error }],
        status: options.statusName ?? STATUS_NAMES[status] ?? 'UNKNOWN',
        ...(options.details ? { details: options.details } : {}),
      },
    },
  };
}

export function gmailMissingCredentials(): ApiAnswer {
  return gmailError({
    status: 401,
    message: `Request is missing required authentication credential. ${CREDENTIALS_HELP}`,
    error: { message: 'Login Required.', reason: 'required', location: 'Authorization', locationType: 'header' },
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CREDENTIALS_MISSING', domain: 'googleapis.com', metadata: { service: GMAIL_SERVICE } }],
    headers: { 'www-authenticate': `Bearer realm="${GOOGLE_REALM}"` },
  });
}

export function gmailInvalidCredentials(): ApiAnswer {
  return gmailError({
    status: 401,
    message: `Request had invalid authentication credentials. ${CREDENTIALS_HELP}`,
    error: { message: 'Invalid Credentials', reason: 'authError', location: 'Authorization', locationType: 'header' },
    headers: { 'www-authenticate': `Bearer realm="${GOOGLE_REALM}", error="invalid_token"` },
  });
}

/** `method`: the RPC Google names in the ErrorInfo, e.g. caribou.api.proto.MailboxService.GetProfile. */
export function gmailInsufficientScopes(options: { method: string; acceptedScopes: string[] }): ApiAnswer {
  return gmailError({
    status: 403,
    message: 'Request had insufficient authentication scopes.',
    error: { message: 'Insufficient Permission', reason: 'insufficientPermissions' },
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
        metadata: { method: options.method, service: GMAIL_SERVICE },
      },
    ],
    headers: { 'www-authenticate': `Bearer realm="${GOOGLE_REALM}", error="insufficient_scope", scope="${options.acceptedScopes.join(' ')}"` },
  });
}

export function gmailDelegationDenied(address: string): ApiAnswer {
  return gmailError({ status: 403, message: `Delegation denied for ${address}`, error: { reason: 'forbidden' } });
}

export function gmailNotFound(): ApiAnswer {
  return gmailError({ status: 404, message: 'Requested entity was not found.', error: { reason: 'notFound' } });
}

export function gmailInvalidArgument(message: string): ApiAnswer {
  return gmailError({ status: 400, message, error: { reason: 'invalidArgument' } });
}

export function gmailThrottled(retryAfterSeconds: number): ApiAnswer {
  return gmailError({
    status: 429,
    message: 'User-rate limit exceeded.',
    error: { domain: 'usageLimits', reason: 'rateLimitExceeded' },
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** The Google Cloud project number of a client id: the digits real ids start with, a stable stand-in for the lab's. */
export function projectNumberOf(clientId: string): string {
  const leading = /^(\d+)-/.exec(clientId)?.[1];
  return leading ?? String(createHash('sha256').update(clientId).digest().readUInt32BE(0) + 100_000_000_000);
}

function accessNotConfigured(clientId: string): ApiAnswer {
  const project = projectNumberOf(clientId);
  const activationUrl = `https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=${project}`;
  const message = `Gmail API has not been used in project ${project} before or it is disabled. Enable it by visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
  return gmailError({
    status: 403,
    message,
    error: { domain: 'usageLimits', reason: 'accessNotConfigured', extendedHelp: 'https://console.developers.google.com' },
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'SERVICE_DISABLED',
        domain: 'googleapis.com',
        metadata: { service: GMAIL_SERVICE, consumer: `projects/${project}`, activationUrl, containerInfo: project, serviceTitle: 'Gmail API' },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [{ description: 'Google developers console API activation', url: activationUrl }],
      },
    ],
  });
}

export function gmailFaultAnswer(options: { fault: GmailFault; clientId: string }): ApiAnswer {
  switch (options.fault) {
    case 'accessNotConfigured':
      return accessNotConfigured(options.clientId);
    case 'failedPrecondition':
      return gmailError({ status: 400, message: 'Mail service not enabled', error: { reason: 'failedPrecondition' }, statusName: 'FAILED_PRECONDITION' });
    case 'authError':
      return gmailInvalidCredentials();
  }
}
