import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { TrustedCertificate } from '@/db/schema';
import { trustOptions } from '@/lib/tester/trusted-context';

/** An error with a Node-style code, which the tester's classifier reads. */
export function codedError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

/** A fingerprint as stored and compared: 64 lowercase hex digits, without colons. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase();
}

/**
 * The server's certificate was refused, and nothing was written on the connection after the
 * handshake. `CERT_UNTRUSTED`: it does not verify (`reason` says why: self-signed, unknown issuer,
 * expired, another name) and the profile accepts no certificate for the host. `CERT_MISMATCH`: the
 * profile accepted another certificate for the host.
 */
export class CertificateError extends Error {
  constructor(
    readonly code: 'CERT_UNTRUSTED' | 'CERT_MISMATCH',
    readonly sha256: string,
    readonly reason: string,
    description: string,
  ) {
    super(`${code === 'CERT_MISMATCH' ? 'Not the accepted certificate' : `The certificate does not verify (${reason})`}: ${description}; SHA-256 ${sha256}`);
    this.name = 'CertificateError';
  }
}

export type TlsTrust = {
  /** The host name the certificate must be for (and the SNI sent); an IP address sends no SNI. */
  host: string;
  /** Certificates an admin accepted for hosts of the profile: for this host, only these are accepted. */
  acceptedCertificates: TrustedCertificate[];
  /** PEM CA certificates trusted besides Node's store (MAILROOM_EXTRA_CA_FILE, the lab's CA in tests). */
  caCertificates: string[];
  timeoutMs: number;
};

function describeName(name: Record<string, unknown> | undefined): string {
  if (!name) return '?';
  return ['CN', 'O']
    .map((key) => (name[key] ? `${key}=${String(name[key])}` : ''))
    .filter(Boolean)
    .join(', ');
}

/**
 * A socket read line by line, for the dialogues the portal speaks itself: greetings, capabilities,
 * STARTTLS, sign-in and commands. Every read has a deadline.
 */
export class LineConnection {
  private socket: Socket | TLSSocket;
  private buffer = '';
  private readonly lines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;
  private readonly handlers = {
    data: (chunk: string) => {
      this.buffer += chunk;
      let end = this.buffer.indexOf('\n');
      while (end !== -1) {
        this.push(this.buffer.slice(0, end).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(end + 1);
        end = this.buffer.indexOf('\n');
      }
    },
    error: (error: Error) => this.fail(error),
    close: () => this.fail(codedError('ECONNRESET', 'The server closed the connection.')),
  };

  private constructor(socket: Socket) {
    this.socket = socket;
    this.listen();
  }

  private listen(): void {
    this.socket.setEncoding('utf8');
    this.socket.on('data', this.handlers.data);
    this.socket.on('error', this.handlers.error);
    this.socket.on('close', this.handlers.close);
  }

  private unlisten(): void {
    this.socket.off('data', this.handlers.data);
    this.socket.off('error', this.handlers.error);
    this.socket.off('close', this.handlers.close);
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
      // Commands go out whole, one at a time: with Nagle's algorithm a command written right after
      // the TLS handshake waited for the server's delayed ACK, 40 ms on Linux.
      const socket = connectTcp({ host: address, port, noDelay: true });
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
   * Upgrades this very connection to TLS and judges the certificate before anything else is
   * written on it: the certificate an admin accepted for the host, when there is one (exactly that
   * one), otherwise a chain to Node's CA store (plus `caCertificates`) for the host name. A refused
   * certificate closes the connection and throws CertificateError with the fingerprint met.
   */
  async startTls(trust: TlsTrust): Promise<{ detail: string }> {
    this.unlisten();
    const secure = connectTls({
      socket: this.socket,
      host: trust.host,
      servername: isIP(trust.host) ? undefined : trust.host,
      ...trustOptions(trust.caCertificates),
      // Judged below, where an accepted certificate can be told apart from one merely signed by a CA.
      rejectUnauthorized: false,
    });
    this.socket = secure;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        secure.destroy();
        reject(codedError('ETIMEDOUT', `No TLS handshake within ${trust.timeoutMs} ms.`));
      }, trust.timeoutMs);
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
    const certificate = secure.getPeerCertificate();
    const sha256 = normalizeFingerprint(certificate.fingerprint256 ?? '');
    const facts = [
      secure.getProtocol() ?? 'TLS',
      `subject ${describeName(certificate.subject as unknown as Record<string, unknown>)}`,
      `issuer ${describeName(certificate.issuer as unknown as Record<string, unknown>)}`,
      `expires ${certificate.valid_to ? new Date(certificate.valid_to).toISOString().slice(0, 10) : '?'}`,
    ].join('; ');
    const accepted = trust.acceptedCertificates
      .filter((entry) => entry.host.toLowerCase() === trust.host.toLowerCase())
      .map((entry) => normalizeFingerprint(entry.sha256));
    const reason = String(secure.authorizationError ?? 'UNKNOWN');
    if (accepted.length > 0 && !accepted.includes(sha256)) {
      secure.destroy();
      throw new CertificateError('CERT_MISMATCH', sha256, secure.authorized ? 'VERIFIED_BUT_NOT_ACCEPTED' : reason, facts);
    }
    if (accepted.length === 0 && !secure.authorized) {
      secure.destroy();
      throw new CertificateError('CERT_UNTRUSTED', sha256, reason, facts);
    }
    this.listen();
    return { detail: `${facts}; ${accepted.length > 0 ? 'the certificate accepted in the profile' : 'verified'}; SHA-256 ${sha256}` };
  }

  /**
   * Hands the socket to another client (nodemailer), with whatever was received and not read
   * put back in front, paused until that client listens, so that nothing it should read is lost.
   */
  release(prepend = ''): Socket | TLSSocket {
    const socket = this.socket;
    socket.pause();
    this.unlisten();
    const unread = `${prepend}${this.lines.map((line) => `${line}\r\n`).join('')}${this.buffer}`;
    if (unread) socket.unshift(Buffer.from(unread, 'utf8'));
    const resumeWhenRead = (event: string | symbol) => {
      if (event !== 'data') return;
      socket.off('newListener', resumeWhenRead);
      process.nextTick(() => socket.resume());
    };
    socket.on('newListener', resumeWhenRead);
    return socket;
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

  /** Bytes as they are (a message body, an IMAP literal), with no line ending added. */
  writeRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolves once the connection is closed, by the server or by `close()`. */
  whenClosed(): Promise<void> {
    const socket = this.socket;
    if (socket.closed) return Promise.resolve();
    return new Promise((resolve) => socket.once('close', () => resolve()));
  }
}

export type SmtpReply = { code: number; lines: string[]; text: string };

async function readSmtpReply(connection: LineConnection, timeoutMs: number): Promise<SmtpReply> {
  const lines: string[] = [];
  for (;;) {
    const line = await connection.readLine(timeoutMs);
    lines.push(line);
    if (!/^\d{3}-/.test(line)) break;
  }
  return { code: Number.parseInt(lines.at(-1)!.slice(0, 3), 10), lines, text: lines.join('\n') };
}

/** Sends one SMTP command line (or none, for the greeting) and reads its whole reply. */
export async function smtpCommand(connection: LineConnection, line: string | null, timeoutMs: number): Promise<SmtpReply> {
  if (line !== null) connection.write(line);
  return readSmtpReply(connection, timeoutMs);
}
