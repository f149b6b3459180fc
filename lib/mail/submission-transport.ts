import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { TrustedCertificate } from '@/db/schema';
import { codedError, LineConnection, smtpCommand } from '@/lib/net/line-connection';
import type { ServerTarget } from './server-target';

export type SubmissionSignIn = { user: string } & ({ accessToken: string } | { pass: string });

/** Greets, asks for STARTTLS and upgrades, so that nodemailer starts on the verified connection. */
async function startTlsOnSubmission(connection: LineConnection, timeoutMs: number): Promise<void> {
  const greeting = await smtpCommand(connection, null, timeoutMs);
  if (greeting.code !== 220) throw codedError('EPROTO', greeting.text, { reply: greeting.text });
  const hello = await smtpCommand(connection, 'EHLO mailroom.invalid', timeoutMs);
  if (hello.code !== 250) throw codedError('EPROTO', hello.text, { reply: hello.text });
  const ready = await smtpCommand(connection, 'STARTTLS', timeoutMs);
  if (ready.code !== 220) throw codedError('ETLS', ready.text, { reply: ready.text });
}

/**
 * A nodemailer transport for one message through a profile's outgoing server, at an address the
 * network guard already allowed (the name is not resolved again). The connection is opened and its
 * certificate judged here (implicit TLS or STARTTLS, accepted certificates honoured) before
 * nodemailer gets the socket: nodemailer signs in on that very connection, never on one of its own.
 */
export async function openSubmissionTransport(options: {
  target: ServerTarget;
  address: string;
  signIn: SubmissionSignIn;
  acceptedCertificates: TrustedCertificate[];
  caCertificates: string[];
  timeoutMs: number;
}): Promise<Transporter> {
  const { target, address, signIn, timeoutMs } = options;
  const connection = await LineConnection.connect({ address, port: target.port, timeoutMs });
  let resumedGreeting = '';
  try {
    if (target.security === 'starttls') {
      await startTlsOnSubmission(connection, timeoutMs);
      // After STARTTLS the server sends no new greeting; nodemailer waits for one, then says EHLO again as RFC 3207 wants.
      resumedGreeting = `220 ${target.host} ready after STARTTLS\r\n`;
    }
    if (target.security !== 'none') {
      await connection.startTls({ host: target.host, acceptedCertificates: options.acceptedCertificates, caCertificates: options.caCertificates, timeoutMs });
    }
  } catch (error) {
    connection.close();
    throw error;
  }
  const socket = connection.release(resumedGreeting);
  let handedOver = false;
  const transportOptions: SMTPTransport.Options = {
    host: address,
    port: target.port,
    // The socket is already what the profile says: secured when it uses TLS, so nodemailer never upgrades it itself.
    secure: target.security !== 'none',
    ignoreTLS: true,
    getSocket: (_, callback) => {
      if (handedOver) return callback(new Error('The verified connection was already used.'), false);
      handedOver = true;
      return callback(null, { connection: socket, secured: target.security !== 'none' });
    },
    auth: 'accessToken' in signIn ? { type: 'OAuth2', user: signIn.user, accessToken: signIn.accessToken } : { user: signIn.user, pass: signIn.pass },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
  return nodemailer.createTransport(transportOptions);
}
