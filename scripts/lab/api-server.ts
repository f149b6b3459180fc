import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:https';
import { listen, readBody } from './http-utilities';
import { LAB_HOST } from './lab-config';

export type ApiRequest = { method: string; url: URL; headers: IncomingHttpHeaders; body: string };
/** `body` undefined: an answer without a body (Graph's 202 to sendMail). */
export type ApiAnswer = { status: number; body?: unknown; headers?: Record<string, string> };
export type HandleApiRequest = (request: ApiRequest) => Promise<ApiAnswer>;

const MAX_BODY_CHARACTERS = 36 * 1024 * 1024;
// Longer than the clients' own idle timeouts, as the providers' front ends are, and shorter than
// Node's headers timeout (60 s), which would otherwise cut a reused connection.
const KEEP_ALIVE_MS = 30_000;

/** One mail API on its own loopback HTTPS port, with the lab CA's certificate for 127.0.0.1. */
export async function startApiServer(options: {
  name: string;
  certificate: string;
  key: string;
  handle: HandleApiRequest;
}): Promise<{ origin: string; stop: () => Promise<void> }> {
  const server = createServer({ cert: options.certificate, key: options.key, keepAlive: true }, (req, res) => {
    const answer = async (): Promise<ApiAnswer> => {
      const body = await readBody(req);
      if (body.length > MAX_BODY_CHARACTERS) return { status: 413, body: { error: 'Request too large' } };
      return options.handle({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'https://lab'), headers: req.headers, body });
    };
    answer()
      .catch((error: unknown): ApiAnswer => {
        console.error(`lab ${options.name}:`, error);
        return { status: 500, body: { error: 'Internal lab error' } };
      })
      .then(({ status, body, headers }) => {
        const payload = body === undefined ? '' : JSON.stringify(body);
        res.writeHead(status, {
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
          'cache-control': 'private',
          ...headers,
        });
        res.end(payload);
      });
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  const port = await listen({ server, host: LAB_HOST });
  return {
    origin: `https://${LAB_HOST}:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
