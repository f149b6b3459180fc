// Issue 12, acceptance 2: every outbound HTTP request goes through one guard that refuses internal
// addresses (every spelling), never follows a redirect, and caps time and size.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeAddress } from '@/lib/net/address-policy';
import { guardedFetch, OutboundRequestError, type OutboundPolicy } from '@/lib/net/guarded-fetch';
import { createTlsMaterial, type TlsMaterial } from '../../scripts/lab/tls-material';

const run = promisify(execFile);

/** An HTTP server on 127.0.0.1 that counts every TCP connection and answers as told. */
type Recorder = { server: HttpServer; port: number; connections: number; requests: string[] };

async function recordingServer(answer: (path: string, response: import('node:http').ServerResponse) => void): Promise<Recorder> {
  const server = createHttpServer((request, response) => {
    recorder.requests.push(`${request.method} ${request.url}`);
    answer(request.url ?? '/', response);
  });
  const recorder: Recorder = { server, port: 0, connections: 0, requests: [] };
  server.on('connection', () => (recorder.connections += 1));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  recorder.port = (server.address() as { port: number }).port;
  return recorder;
}

let main: Recorder;
let redirectTarget: Recorder;
let silent: Server;
let silentPort: number;
const silentSockets: Socket[] = [];

const external: OutboundPolicy = { allowInternal: false };
const internal: OutboundPolicy = { allowInternal: true };

async function refusal(promise: Promise<unknown>): Promise<OutboundRequestError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OutboundRequestError);
  return error as OutboundRequestError;
}

beforeAll(async () => {
  redirectTarget = await recordingServer((_, response) => response.end('you should not be here'));
  main = await recordingServer((path, response) => {
    if (path === '/redirect') {
      response.writeHead(307, { location: `http://127.0.0.1:${redirectTarget.port}/token` }).end();
    } else if (path === '/large') {
      response.writeHead(200, { 'content-length': String(64 * 1024) }).end(Buffer.alloc(64 * 1024, 'a'));
    } else if (path === '/large-chunked') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      for (let index = 0; index < 64; index += 1) response.write(Buffer.alloc(1024, 'b'));
      response.end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
  });
  silent = createTcpServer((socket) => silentSockets.push(socket));
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all([main, redirectTarget].map((recorder) => new Promise((resolve) => recorder.server.close(resolve))));
  await new Promise((resolve) => silent.close(resolve));
});

describe('guardedFetch, for a profile that is not internal', () => {
  it('refuses loopback, private, link-local and metadata addresses in every spelling, before any connection', async () => {
    const port = main.port;
    const addresses = [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::ffff:7f00:1]:${port}/`,
      `http://[::127.0.0.1]:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f.0.0.1:${port}/`,
      `http://0177.0.0.1:${port}/`,
      `http://10.0.0.1:${port}/`,
      `http://192.168.1.1:${port}/`,
      `http://169.254.169.254/latest/meta-data/`,
      `http://[fe80::1]:${port}/`,
      `http://0.0.0.0:${port}/`,
      `http://[::]:${port}/`,
    ];
    for (const address of addresses) {
      const error = await refusal(guardedFetch(address, { method: 'POST', body: 'client_secret=s3cret' }, external));
      expect(error.code, address).toBe('blocked_address');
      // What an owner may read names the host at most: never the address it resolved to, nor the port.
      expect(error.message).not.toMatch(/127\.0\.0\.1|::1\b/);
      expect(error.message).not.toContain(String(port));
      expect(error.detail).toMatch(/resolves to/);
    }
    expect(main.connections).toBe(0);
  });

  it('refuses URLs with credentials and schemes other than http(s), naming no secret', async () => {
    const withCredentials = await refusal(guardedFetch(`http://client:hunter2@example.org:${main.port}/`, undefined, internal));
    expect(withCredentials.code).toBe('invalid_url');
    expect(`${withCredentials.message} ${withCredentials.detail}`).not.toContain('hunter2');
    expect((await refusal(guardedFetch('file:///etc/passwd', undefined, internal))).code).toBe('invalid_url');
    expect(main.connections).toBe(0);
  });
});

describe('guardedFetch, for an internal profile', () => {
  it('reaches loopback, but never link-local or metadata addresses', async () => {
    const response = await guardedFetch(`http://127.0.0.1:${main.port}/token`, undefined, internal);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect((await refusal(guardedFetch('http://169.254.169.254/latest/meta-data/', undefined, internal))).code).toBe('blocked_address');
    expect((await refusal(guardedFetch('http://[::ffff:a9fe:a9fe]/latest/meta-data/', undefined, internal))).code).toBe('blocked_address');
  });

  it('returns a 307 as it is, and its Location receives nothing', async () => {
    const response = await guardedFetch(`http://127.0.0.1:${main.port}/redirect`, { method: 'POST', body: 'refresh_token=abc' }, internal);
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(`http://127.0.0.1:${redirectTarget.port}/token`);
    expect(redirectTarget.connections).toBe(0);
  });

  it('refuses a body over the cap, announced or not', async () => {
    const policy = { ...internal, maxResponseBytes: 16 * 1024 };
    expect((await refusal(guardedFetch(`http://127.0.0.1:${main.port}/large`, undefined, policy))).code).toBe('response_too_large');
    expect((await refusal(guardedFetch(`http://127.0.0.1:${main.port}/large-chunked`, undefined, policy))).code).toBe('response_too_large');
  });

  it('gives up on a server that accepts and never answers, without naming its address', async () => {
    const error = await refusal(guardedFetch(`http://127.0.0.1:${silentPort}/token`, undefined, { ...internal, timeoutMs: 300 }));
    expect(error.code).toBe('timeout');
    expect(error.message).not.toContain('127.0.0.1');
    expect(error.message).not.toContain(String(silentPort));
  });

  it('says a closed port is unreachable, without naming its address', async () => {
    const closed = createTcpServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await refusal(guardedFetch(`http://127.0.0.1:${port}/`, undefined, internal));
    expect(error.code).toBe('unreachable');
    expect(error.message).not.toContain(String(port));
    expect(error.detail).toContain(String(port));
  });
});

describe('judgeAddress', () => {
  it('judges every spelling of an address as the address it reaches', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::7f00:1', '::ffff:0:7f00:1', '10.0.0.1', '192.168.1.1', 'fd12::1']) {
      expect(judgeAddress(address), address).toBe('internal');
    }
    for (const address of ['169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', 'fe80::1', 'fe80::1%eth0', '::', '0.0.0.0', 'ff02::1', 'not-an-address']) {
      expect(judgeAddress(address), address).toBe('never');
    }
    for (const address of ['142.250.27.108', '2a00:1450:400c:c06::6c']) expect(judgeAddress(address), address).toBe('allowed');
  });
});

describe('guardedFetch over TLS, with extra trusted CAs', () => {
  let material: TlsMaterial;
  let labSigned: HttpsServer;
  let otherName: HttpsServer;
  const url = (server: HttpsServer) => `https://127.0.0.1:${(server.address() as { port: number }).port}/me`;
  const codesUnder = (error: unknown) => {
    const codes: unknown[] = [];
    for (let current = error; current; current = (current as { cause?: unknown }).cause) codes.push((current as { code?: unknown }).code);
    return codes;
  };

  async function httpsServer(options: { cert: string; key: string }): Promise<HttpsServer> {
    const server = createHttpsServer(options, (_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  }

  beforeAll(async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'guarded-fetch-tls-'));
    material = await createTlsMaterial({ directory });
    // Signed by the same CA, for a name that is not the one requested.
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-CA', material.ca.certificatePath, '-CAkey', material.ca.keyPath,
      '-subj', '/CN=elsewhere.test', '-addext', 'subjectAltName=DNS:elsewhere.test',
      '-keyout', path.join(directory, 'other.key'), '-out', path.join(directory, 'other.pem'),
    ]);
    labSigned = await httpsServer({ cert: material.server.certificate, key: material.server.key });
    otherName = await httpsServer({ cert: readFileSync(path.join(directory, 'other.pem'), 'utf8'), key: readFileSync(path.join(directory, 'other.key'), 'utf8') });
  });

  afterAll(async () => {
    await Promise.all([labSigned, otherName].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('trusts a server signed by a CA it is given, and only for requests made with that CA', async () => {
    const withoutCa = await refusal(guardedFetch(url(labSigned), undefined, internal));
    expect(withoutCa.code).toBe('unreachable');
    expect(codesUnder(withoutCa)).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');

    const response = await guardedFetch(url(labSigned), undefined, { ...internal, caCertificates: [material.ca.certificate] });
    expect(await response.json()).toEqual({ ok: true });

    // A connection kept alive for the CA never serves a request made without it.
    expect((await refusal(guardedFetch(url(labSigned), undefined, internal))).code).toBe('unreachable');
  });

  it('still checks the host name against the certificate, and does not trust a self-signed one for the CA', async () => {
    const policy = { ...internal, caCertificates: [material.ca.certificate] };
    expect(codesUnder(await refusal(guardedFetch(url(otherName), undefined, policy)))).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    const selfSigned = await httpsServer({ cert: material.selfSigned.certificate, key: material.selfSigned.key });
    try {
      expect(codesUnder(await refusal(guardedFetch(url(selfSigned), undefined, policy)))).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      await new Promise((resolve) => selfSigned.close(resolve));
    }
  });
});
