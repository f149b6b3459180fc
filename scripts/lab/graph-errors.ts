// Microsoft Graph's error answers, in its shape and words (learn.microsoft.com "Microsoft Graph error
// responses and resource types", and what Exchange Online sends through it).
import type { ApiAnswer } from './api-server';
import type { GraphFault } from './lab-info';

/** Graph's ids of one request: its own, and the client's when the client sent `client-request-id`. */
export type GraphRequestIds = { requestId: string; clientRequestId: string };

export const GRAPH_WORDS = {
  emptyToken: 'Access token is empty.',
  invalidToken: 'Access token validation failure.',
  invalidAudience: 'Access token validation failure. Invalid audience.',
  expiredToken: 'Lifetime validation failed, the token is expired.',
  accessDenied: 'Access is denied. Check credentials and try again.',
  sendAsDenied:
    'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.',
  mailboxNotEnabled: 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
  throttled: 'Application is over its MailboxConcurrency limit.',
  noRecipients: "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
  unreadablePayload:
    'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
} as const;

const FAULT_ANSWERS: Record<GraphFault, { status: number; message: string }> = {
  InvalidAuthenticationToken: { status: 401, message: GRAPH_WORDS.expiredToken },
  ErrorAccessDenied: { status: 403, message: GRAPH_WORDS.accessDenied },
  MailboxNotEnabledForRESTAPI: { status: 404, message: GRAPH_WORDS.mailboxNotEnabled },
};

export function graphError(options: { status: number; code: string; message: string; ids: GraphRequestIds; headers?: Record<string, string> }): ApiAnswer {
  const { ids } = options;
  return {
    status: options.status,
    headers: options.headers,
    body: {
      error: {
        code: options.code,
        message: options.message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': ids.requestId,
          'client-request-id': ids.clientRequestId,
        },
      },
    },
  };
}

/**
 * A refused token, with the challenge Graph sends: where to get a token (here: the lab persona's
 * authorization endpoint) and Graph's own application id, as Graph names it.
 */
export function graphTokenRefusal(options: { message: string; ids: GraphRequestIds; authorizationEndpoint: string }): ApiAnswer {
  return graphError({
    status: 401,
    code: 'InvalidAuthenticationToken',
    message: options.message,
    ids: options.ids,
    headers: {
      'www-authenticate': `Bearer realm="", authorization_uri="${options.authorizationEndpoint}", client_id="00000003-0000-0000-c000-000000000000"`,
    },
  });
}

export function graphFaultAnswer(options: { fault: GraphFault; ids: GraphRequestIds; authorizationEndpoint: string }): ApiAnswer {
  const { fault, ids } = options;
  const { status, message } = FAULT_ANSWERS[fault];
  if (fault === 'InvalidAuthenticationToken') return graphTokenRefusal({ message, ids, authorizationEndpoint: options.authorizationEndpoint });
  return graphError({ status, code: fault, message, ids });
}

export function graphThrottled(options: { retryAfterSeconds: number; ids: GraphRequestIds }): ApiAnswer {
  return graphError({
    status: 429,
    code: 'ApplicationThrottled',
    message: GRAPH_WORDS.throttled,
    ids: options.ids,
    headers: { 'retry-after': String(options.retryAfterSeconds) },
  });
}

export function graphAccessDenied(ids: GraphRequestIds): ApiAnswer {
  return graphError({ status: 403, code: 'ErrorAccessDenied', message: GRAPH_WORDS.accessDenied, ids });
}

export function graphBadRequest(options: { message: string; ids: GraphRequestIds }): ApiAnswer {
  return graphError({ status: 400, code: 'BadRequest', ...options });
}
