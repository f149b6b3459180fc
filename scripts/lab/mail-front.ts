import { connect, createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { LAB_HOST } from './lab-config';
import type { ConnectionCount, ServerFault } from './lab-info';
import { listen } from './http-utilities';

export type ConnectionHandler = (socket: Socket) => void;

/** Client connections at one or more fronts: open now, and the most open at once and how many since the last reset. */
export class ConnectionCounter {
  private open = 0;
  private maxOpen = 0;
  private total = 0;

  opened(): void {
    this.open += 1;
    this.total += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
  }

  closed(): void {
    this.open -= 1;
  }

  reset(): void {
    this.maxOpen = this.open;
    this.total = 0;
  }

  get count(): ConnectionCount {
    return { open: this.open, maxOpen: this.maxOpen, total: this.total };
  }
}

/**
 * The port a client connects to, in front of a Dovecot listener, so that a test can make the
 * server unreachable (nothing listens: connection refused) or hang (connections accepted, never answered),
 * and so that the lab can count the clients' connections.
 */
export class MailFront {
  private readonly sockets = new Set<Socket>();
  private fault: ServerFault | null = null;
  private server: Server = createServer((socket) => this.accept(socket));
  private listeningPort = 0;

  private constructor(
    private readonly handleConnection: ConnectionHandler,
    private readonly counters: ConnectionCounter[],
  ) {}

  static async start(options: { handleConnection: ConnectionHandler; counters: ConnectionCounter[] }): Promise<MailFront> {
    const front = new MailFront(options.handleConnection, options.counters);
    front.listeningPort = await listen({ server: front.server, host: LAB_HOST });
    return front;
  }

  get port(): number {
    return this.listeningPort;
  }

  async setFault(fault: ServerFault | null): Promise<void> {
    if (fault === this.fault) return;
    if (this.fault === 'unreachable') {
      this.server = createServer((socket) => this.accept(socket));
      await listen({ server: this.server, host: LAB_HOST, port: this.port });
    }
    this.fault = fault;
    if (fault === 'unreachable') {
      this.destroySockets();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }

  async stop(): Promise<void> {
    this.destroySockets();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    for (const counter of this.counters) counter.opened();
    // Closed for the count when the client closes its side (its FIN: 'end'), not only once Node has
    // closed ours ('close', a loop turn or two later): a stall in between would count a connection
    // the client had closed beside its next one (a killed portal instance's, beside another's).
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      for (const counter of this.counters) counter.closed();
    };
    socket.once('end', uncount);
    socket.once('close', () => {
      this.sockets.delete(socket);
      uncount();
    });
    socket.on('error', () => socket.destroy());
    if (this.fault === 'hang') return;
    this.handleConnection(socket);
  }

  private destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/**
 * Passes bytes both ways; TLS, when there is any, is Dovecot's. Without Nagle's algorithm on
 * either side: a reply Dovecot writes in pieces would otherwise wait, between two pieces, for the
 * client's delayed ACK (40 ms on Linux), a pause no client meets on the servers the lab stands for.
 */
export function pipeTo(upstreamPort: number): ConnectionHandler {
  return (client) => {
    client.setNoDelay(true);
    const upstream = connect({ host: LAB_HOST, port: upstreamPort, noDelay: true });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };
}

/** Ends TLS here, with a certificate of the lab's choosing, and passes the plain bytes to Dovecot. */
export function terminateTlsTo(options: { upstreamPort: number; secureContext: SecureContext }): ConnectionHandler {
  const pipe = pipeTo(options.upstreamPort);
  return (client) => {
    const secured = new TLSSocket(client, { isServer: true, secureContext: options.secureContext });
    secured.on('error', () => client.destroy());
    pipe(secured);
  };
}
