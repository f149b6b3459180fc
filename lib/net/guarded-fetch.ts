import 'server-only';

/**
 * INTERFACE STUB (session 3 coordination): the signature is final, the body is being replaced by
 * the undici-based guard (pinned address, address policy, no redirects, timeouts, size cap).
 */

/** Who may be reached, and how long and how much a request may take. */
export type OutboundPolicy = {
  /** The profile is marked as an internal server: loopback and private ranges are allowed (link-local never). */
  allowInternal: boolean;
  /** Whole request, headers and body read; default 15 s. */
  timeoutMs?: number;
  /** TCP (and TLS) connect; default 5 s. */
  connectTimeoutMs?: number;
  /** Response body cap; default 1 MiB. */
  maxResponseBytes?: number;
};

export type OutboundFailureCode = 'invalid_url' | 'blocked_address' | 'redirect_refused' | 'timeout' | 'unreachable' | 'response_too_large';

/**
 * A request the guard refused or could not complete. `message` is safe for anyone (owners
 * included): it names the host at most, never an address or a port; `detail` is for admins and
 * the log.
 */
export class OutboundRequestError extends Error {
  readonly code: OutboundFailureCode;
  readonly detail: string;
  constructor(options: { code: OutboundFailureCode; message: string; detail: string }) {
    super(options.message);
    this.name = 'OutboundRequestError';
    this.code = options.code;
    this.detail = options.detail;
  }
}

/** The one way Mailroom makes an HTTP request to a server it does not run. Never follows a redirect: a 3xx is returned as is. */
export async function guardedFetch(url: string | URL, init: RequestInit | undefined, policy: OutboundPolicy): Promise<Response> {
  void policy;
  return fetch(url, { ...init, redirect: 'manual' });
}

/** `guardedFetch` bound to a policy, in the shape of `fetch` (for oauth4webapi's customFetch hook). */
export function guardedFetchWith(policy: OutboundPolicy): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return (url, init) => guardedFetch(url, init, policy);
}
