import { isIP } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { trustOptions } from '@/lib/tester/trusted-context';
import type { ServerTarget } from '@/lib/tester/types';

export type SubmissionSignIn = { user: string } & ({ accessToken: string } | { pass: string });

/**
 * A nodemailer transport to a profile's outgoing server, at an address the network guard already
 * allowed (so the name is not resolved a second time), signed in with XOAUTH2 or a password.
 */
export function createSubmissionTransport(options: {
  target: ServerTarget;
  address: string;
  signIn: SubmissionSignIn;
  allowSelfSigned: boolean;
  trustedCertificates: string[];
  timeoutMs: number;
}): Transporter {
  const { target, address, signIn, timeoutMs } = options;
  return nodemailer.createTransport({
    host: address,
    port: target.port,
    secure: target.security === 'tls',
    requireTLS: target.security === 'starttls',
    ignoreTLS: target.security === 'none',
    auth: 'accessToken' in signIn ? { type: 'OAuth2', user: signIn.user, accessToken: signIn.accessToken } : { user: signIn.user, pass: signIn.pass },
    tls: {
      rejectUnauthorized: !options.allowSelfSigned,
      ...trustOptions(options.trustedCertificates),
      ...(isIP(target.host) ? {} : { servername: target.host }),
    },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}
