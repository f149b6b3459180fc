import type { IncomingHttpHeaders } from 'node:http';
import type { IntrospectionClient } from './authorization-server';

/** Whom an access token speaks for, as the persona's introspection says. */
export type BearerIdentity = { email: string; subject: string; clientId: string; scopes: string[] };

/** Null when the token is unknown, expired, revoked or no access token. */
export type IntrospectToken = (token: string) => Promise<BearerIdentity | null>;

/** The token of `Authorization: Bearer <token>`; null when the header is missing or another scheme. */
export function bearerTokenOf(headers: IncomingHttpHeaders): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1] ?? null;
}

/** RFC 6749 2.3.1: the client's id and secret are form-encoded before they go into HTTP Basic. */
function basicCredentials(client: IntrospectionClient): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret)}`).toString('base64');
}

/**
 * Validates each token at the persona that issued it, as Dovecot does (RFC 7662), with the persona's
 * introspection client, which may introspect every token of its persona. No cache: a revoked token
 * fails at once.
 */
export function introspectorFor(options: { introspectionUrl: string; client: IntrospectionClient }): IntrospectToken {
  const authorization = `Basic ${basicCredentials(options.client)}`;
  return async (token) => {
    const response = await fetch(options.introspectionUrl, {
      method: 'POST',
      headers: { authorization },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    if (!response.ok) throw new Error(`Introspection answered ${response.status}`);
    const result = (await response.json()) as Record<string, unknown>;
    // A refresh token is active too, but no API takes it as a bearer token.
    if (result.active !== true || result.token_type !== 'Bearer' || typeof result.email !== 'string') return null;
    return {
      email: result.email.toLowerCase(),
      subject: String(result.sub ?? ''),
      clientId: String(result.client_id ?? ''),
      scopes: String(result.scope ?? '').split(' ').filter(Boolean),
    };
  };
}
