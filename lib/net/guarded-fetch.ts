import 'server-only';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { logger } from '@/lib/logger';
import { trustOptions } from '@/lib/tester/trusted-context';
import { BlockedAddressError, resolveAllowedAddress } from './address-policy';
import { readCappedBody } from './read-capped-body';

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
  /** PEM CA certificates trusted besides Node's roots (MAILROOM_EXTRA_CA_FILE's, the lab's in tests). */
  caCertificates?: string[];
};

export type OutboundFailureCode = 'invalid_url' | 'blocked_address' | 'redirect_refused' | 'timeout' | 'unreachable' | 'response_too_large';

/**
 * A request the guard refused or could not complete. `message` is safe for anyone (owners
 * included): it names the host at most, never an address or a port; `detail` is for admins and
 * the log. `cause` is what failed underneath (a BlockedAddressError, Node's error with its code),
 * for callers that classify it.
 */
export class OutboundRequestError extends Error {
  readonly code: OutboundFailureCode;
  readonly detail: string;
  constructor(options: { code: OutboundFailureCode; message: string; detail: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OutboundRequestError';
    this.code = options.code;
    this.detail = options.detail;
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Statuses whose Response may not carry a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

const agents = new Map<string, Agent>();

/**
 * One undici Agent per policy, whose connector resolves the host once, judges every address it
 * resolves to, and connects to the first one: the name is never resolved again, so a DNS answer
 * that changes between the check and the connection cannot slip through. TLS still verifies the
 * certificate against the host name, with Node's roots and the policy's extra CAs: the CA set is
 * part of the key, so a connection kept alive for one set never serves a request made with another.
 */
function agentFor(allowInternal: boolean, connectTimeoutMs: number, caCertificates: string[]): Agent {
  const caSet = caCertificates.length === 0 ? 'node' : createHash('sha256').update(caCertificates.join('\n')).digest('hex');
  const key = `${allowInternal}:${connectTimeoutMs}:${caSet}`;
  let agent = agents.get(key);
  if (!agent) {
    const connect = buildConnector({ timeout: connectTimeoutMs, ...trustOptions(caCertificates) });
    agent = new Agent({
      connect: (options, callback) => {
        resolveAllowedAddress({ host: options.hostname, internalServer: allowInternal }).then(
          ({ address }) => connect({ ...options, hostname: address, servername: options.servername ?? (isIP(options.hostname) ? undefined : options.hostname) }, callback),
          (error: Error) => callback(error, null),
        );
      },
    });
    agents.set(key, agent);
  }
  return agent;
}

function parseTarget(url: string | URL): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new OutboundRequestError({ code: 'invalid_url', message: 'The address is not a valid URL.', detail: 'The URL could not be parsed.' });
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new OutboundRequestError({ code: 'invalid_url', message: 'Only http and https addresses can be requested.', detail: `Refused the scheme ${target.protocol}` });
  }
  if (target.username || target.password) {
    // The credentials would go out as HTTP Basic to whoever the URL names: never.
    throw new OutboundRequestError({
      code: 'invalid_url',
      message: 'An address with a user name or password in it is never requested.',
      detail: `Refused a URL with credentials for ${target.host}`,
    });
  }
  return target;
}

/** How owners read the server's name: its host name, or no address at all when the URL names one. */
function serverName(target: URL): string {
  return isIP(target.hostname.replace(/^\[|\]$/g, '')) ? 'The server' : target.hostname;
}

/** Walks an error's `cause` chain (fetch wraps what the connector threw in a TypeError). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 5; current = (current as { cause?: unknown }).cause) chain.push(current);
  return chain;
}

function toOutboundError(error: unknown, target: URL, deadline: AbortSignal): OutboundRequestError | null {
  const chain = causes(error);
  const found = chain.find((item) => item instanceof OutboundRequestError);
  if (found) return found as OutboundRequestError;
  const blocked = chain.find((item): item is BlockedAddressError => item instanceof BlockedAddressError);
  if (blocked) {
    return new OutboundRequestError({
      code: 'blocked_address',
      message:
        blocked.verdict === 'never'
          ? `${serverName(target)} is never contacted: it resolves to a link-local or reserved address.`
          : `${serverName(target)} is not contacted: it resolves to a loopback or private address, and the profile is not marked as an internal server.`,
      detail: `${blocked.message} (port ${target.port || (target.protocol === 'https:' ? 443 : 80)})`,
      cause: blocked,
    });
  }
  const codes = chain.map((item) => (item as { code?: unknown }).code).filter((code): code is string => typeof code === 'string');
  const technical = chain.map((item) => (item instanceof Error ? `${item.name}: ${item.message}` : String(item))).join(' ← ');
  if (deadline.aborted || codes.some((code) => code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')) {
    return new OutboundRequestError({ code: 'timeout', message: `${serverName(target)} did not answer in time.`, detail: `${target.host}: ${technical}`, cause: error });
  }
  if ((error as { name?: unknown }).name === 'AbortError') return null;
  return new OutboundRequestError({ code: 'unreachable', message: `${serverName(target)} could not be reached.`, detail: `${target.host}: ${technical}`, cause: error });
}

function tooLarge(target: URL, maxBytes: number, seen: string): OutboundRequestError {
  return new OutboundRequestError({
    code: 'response_too_large',
    message: `${serverName(target)} answered with more data than expected.`,
    detail: `${target.host} sent ${seen}, over the ${maxBytes}-byte cap`,
  });
}

/** The one way Mailroom makes an HTTP request to a server it does not run. Never follows a redirect: a 3xx is returned as is. */
export async function guardedFetch(url: string | URL, init: RequestInit | undefined, policy: OutboundPolicy): Promise<Response> {
  const target = parseTarget(url);
  const maxBytes = policy.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const deadline = AbortSignal.timeout(policy.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
  try {
    const response = await undiciFetch(target, {
      ...(init as UndiciRequestInit | undefined),
      redirect: 'manual',
      signal,
      dispatcher: agentFor(policy.allowInternal, policy.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, policy.caCertificates ?? []),
    });
    const body = await readCappedBody(response, maxBytes, (seen) => tooLarge(target, maxBytes, seen));
    // A Response of the runtime's own kind, whole in memory: callers (oauth4webapi among them) see an ordinary fetch answer.
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
    });
  } catch (error) {
    const failure = toOutboundError(error, target, deadline);
    if (!failure) throw error;
    logger.warn('outbound request failed', { code: failure.code, detail: failure.detail });
    throw failure;
  }
}

/** `guardedFetch` bound to a policy, in the shape of `fetch` (for oauth4webapi's customFetch hook). */
export function guardedFetchWith(policy: OutboundPolicy): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return (url, init) => guardedFetch(url, init, policy);
}
