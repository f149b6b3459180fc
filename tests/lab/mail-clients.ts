// Small real clients for the lab tests: imapflow, nodemailer, and a raw POP3 exchange.
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { getLab, type Endpoint } from '../helpers/lab';

export type MailCredentials = { user: string; accessToken: string } | { user: string; pass: string };

export function trustLabCa(): ConnectionOptions {
  return { ca: [getLab().caCertificate] };
}

/** Connects with implicit TLS, logs in, opens INBOX and logs out. */
export async function imapLogin(options: {
  endpoint: Endpoint;
  auth: MailCredentials;
  tls?: ConnectionOptions;
  /** How long to wait for the connection and the greeting; imapflow's defaults are long. */
  timeoutMs?: number;
}): Promise<void> {
  const client = new ImapFlow({
    host: options.endpoint.host,
    port: options.endpoint.port,
    secure: true,
    auth: options.auth,
    tls: options.tls ?? trustLabCa(),
    logger: false,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.logout();
  } finally {
    client.close();
  }
}

/** Sends one message through submission; returns the subject to look for at the sink. */
export async function sendMail(options: {
  endpoint: Endpoint;
  security: 'tls' | 'starttls';
  auth: MailCredentials;
  to: string;
  tls?: ConnectionOptions;
}): Promise<string> {
  const { endpoint, auth } = options;
  const transport = nodemailer.createTransport({
    host: endpoint.host,
    port: endpoint.port,
    secure: options.security === 'tls',
    requireTLS: options.security === 'starttls',
    auth: 'accessToken' in auth ? { type: 'OAuth2', user: auth.user, accessToken: auth.accessToken } : auth,
    tls: options.tls ?? trustLabCa(),
  });
  const subject = `Lab message ${Math.random().toString(36).slice(2)}`;
  try {
    await transport.sendMail({ from: auth.user, to: options.to, subject, text: 'Sent through the mail lab.' });
  } finally {
    transport.close();
  }
  return subject;
}

/** The POP3 dialogue of RFC 1939 + RFC 5034 with XOAUTH2: resolves to the server's final answer line. */
export async function pop3Xoauth2(options: { endpoint: Endpoint; user: string; accessToken: string }): Promise<string> {
  const socket = connectTls({ host: options.endpoint.host, port: options.endpoint.port, ...trustLabCa() });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let end = buffered.indexOf('\r\n');
    while (end !== -1) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
      end = buffered.indexOf('\r\n');
    }
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const line = lines.shift();
      if (line !== undefined) return resolve(line);
      waiting.push(resolve);
      socket.once('error', reject);
    });
  try {
    const greeting = await nextLine();
    if (!greeting.startsWith('+OK')) throw new Error(`POP3 greeting: ${greeting}`);
    const initialResponse = Buffer.from(`user=${options.user}\x01auth=Bearer ${options.accessToken}\x01\x01`).toString('base64');
    socket.write(`AUTH XOAUTH2 ${initialResponse}\r\n`);
    let answer = await nextLine();
    // A failed XOAUTH2 first sends an error challenge, which the client acknowledges with an empty line.
    if (answer.startsWith('+ ')) {
      socket.write('\r\n');
      answer = await nextLine();
    }
    if (answer.startsWith('+OK')) {
      socket.write('STAT\r\n');
      const stat = await nextLine();
      if (!stat.startsWith('+OK')) throw new Error(`POP3 STAT after login: ${stat}`);
      socket.write('QUIT\r\n');
    }
    return answer;
  } finally {
    socket.destroy();
  }
}
