import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { trustOptions } from './trusted-context';

const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);

/** An error with a Node-style code, which the classifier reads. */
export function codedError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

export type CertificateReport = { detail: string };

function describeName(name: Record<string, unknown> | undefined): string {
  if (!name) return '?';
  return ['CN', 'O']
    .map((key) => (name[key] ? `${key}=${String(name[key])}` : ''))
    .filter(Boolean)
    .join(', ');
}

/**
 * A socket read line by line, for the parts of the dialogue the tester speaks itself: greetings,
 * capabilities, STARTTLS, and the POP3 and SMTP commands. Every read has a deadline.
 */
export class LineConnection {
  private socket: Socket | TLSSocket;
  private buffer = '';
  private readonly lines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.listen(socket);
  }

  private listen(socket: Socket | TLSSocket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end = this.buffer.indexOf('\n');
      while (end !== -1) {
        this.push(this.buffer.slice(0, end).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(end + 1);
        end = this.buffer.indexOf('\n');
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(codedError('ECONNRESET', 'The server closed the connection.')));
  }

  private push(line: string): void {
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) waiter.resolve(line);
    else this.lines.push(line);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(this.failure);
  }

  static connect({ address, port, timeoutMs }: { address: string; port: number; timeoutMs: number }): Promise<LineConnection> {
    return new Promise((resolve, reject) => {
      const socket = connectTcp({ host: address, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(codedError('ETIMEDOUT', `No TCP connection to ${address}:${port} within ${timeoutMs} ms.`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new LineConnection(socket));
      });
    });
  }

  /**
   * Upgrades to TLS and verifies the certificate against Node's CA store (plus `trustedCertificates`),
   * accepting a self-signed one only when the profile allows it.
   */
  async startTls(options: { host: string; trustedCertificates: string[]; allowSelfSigned: boolean; timeoutMs: number }): Promise<CertificateReport> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    const secure = connectTls({
      socket: plain,
      host: options.host,
      servername: isIP(options.host) ? undefined : options.host,
      ...trustOptions(options.trustedCertificates),
      // Verified below, so that a self-signed certificate can be told apart and accepted where allowed.
      rejectUnauthorized: false,
    });
    this.socket = secure;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        secure.destroy();
        reject(codedError('ETIMEDOUT', `No TLS handshake within ${options.timeoutMs} ms.`));
      }, options.timeoutMs);
      secure.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.removeAllListeners('error');
        resolve();
      });
    });
    this.listen(secure);
    const certificate = secure.getPeerCertificate();
    const facts = [
      secure.getProtocol() ?? 'TLS',
      `subject ${describeName(certificate.subject as unknown as Record<string, unknown>)}`,
      `issuer ${describeName(certificate.issuer as unknown as Record<string, unknown>)}`,
      `expires ${certificate.valid_to ? new Date(certificate.valid_to).toISOString().slice(0, 10) : '?'}`,
    ];
    if (secure.authorized) return { detail: `${facts.join('; ')}; verified` };
    const code = String(secure.authorizationError ?? 'UNKNOWN');
    if (options.allowSelfSigned && SELF_SIGNED.has(code)) {
      return { detail: `${facts.join('; ')}; self-signed, accepted because the profile allows self-signed certificates` };
    }
    secure.destroy();
    throw codedError(code, `The certificate was not accepted (${code}): ${facts.join('; ')}`);
  }

  readLine(timeoutMs: number): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(codedError('ETIMEDOUT', `No answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.waiter = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  write(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  close(): void {
    this.socket.destroy();
  }
}
