import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';

export async function listen(options: { server: Server | NetServer; host: string; port?: number }): Promise<number> {
  const { server, host, port = 0 } = options;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(options: { res: ServerResponse; status: number; body: unknown }): void {
  options.res.writeHead(options.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  options.res.end(JSON.stringify(options.body));
}
