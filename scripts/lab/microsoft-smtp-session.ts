import { connect, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { onCrlfLines } from './crlf-lines';
import { LAB_HOST } from './lab-config';
import type { ConnectionHandler } from './mail-front';

// Exchange Online's own wording; Dovecot can only answer 535 5.7.8 with a text of its choosing,
// so this part of the SMTP dialogue is spoken here, in front of Dovecot's plain listener.
export const SMTP_AUTH_DISABLED_REPLY =
  '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.';
const AUTH_BEFORE_STARTTLS_REPLY = '504 5.7.4 Unrecognized authentication type';
// BDAT carries binary chunks a line-based relay cannot follow; Exchange Online offers neither extension.
const HIDDEN_CAPABILITIES = new Set(['STARTTLS', 'CHUNKING', 'BINARYMIME', 'BURL']);

function xoauth2User(initialResponse: string): string | null {
  const decoded = Buffer.from(initialResponse, 'base64').toString('utf8');
  return /^user=([^\x01]*)\x01/.exec(decoded)?.[1]?.toLowerCase() ?? null;
}

/**
 * Microsoft-like submission: TLS (implicit, or after STARTTLS) ends here, AUTH is offered only
 * once the connection is encrypted, and accounts whose SMTP AUTH is disabled get Microsoft's 535.
 * Everything else goes to Dovecot as it came.
 */
export function microsoftSmtpSession(options: {
  upstreamPort: number;
  secureContext: SecureContext;
  implicitTls: boolean;
  isSmtpAuthDisabled: (email: string) => boolean;
}): ConnectionHandler {
  return (rawClient) => {
    const upstream = connect({ host: LAB_HOST, port: options.upstreamPort });
    let client: Socket = rawClient;
    let secure = false;
    let inMessageContent = false;
    let awaitingXoauth2Response = false;
    let ehloReply: string[] = [];
    const pendingCommands: string[] = [];

    const reply = (line: string) => client.write(`${line}\r\n`, 'latin1');
    const forward = (line: string) => upstream.write(`${line}\r\n`, 'latin1');
    const close = () => {
      rawClient.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    upstream.on('close', close);
    rawClient.on('close', close);

    const authenticateXoauth2 = (initialResponse: string) => {
      if (initialResponse === '*') return reply('501 5.7.0 Authentication aborted');
      const user = xoauth2User(initialResponse);
      if (user && options.isSmtpAuthDisabled(user)) return reply(SMTP_AUTH_DISABLED_REPLY);
      pendingCommands.push('AUTH');
      forward(`AUTH XOAUTH2 ${initialResponse}`);
    };

    const handleClientLine = (line: string) => {
      if (inMessageContent) {
        forward(line);
        if (line === '.') inMessageContent = false;
        return;
      }
      if (awaitingXoauth2Response) {
        awaitingXoauth2Response = false;
        return authenticateXoauth2(line);
      }
      const [verb = '', mechanism, initialResponse] = line.split(' ');
      const command = verb.toUpperCase();
      if (command === 'STARTTLS' && !secure) {
        reply('220 2.0.0 SMTP server ready');
        return startTls();
      }
      if (command === 'AUTH') {
        if (!secure) return reply(AUTH_BEFORE_STARTTLS_REPLY);
        if (mechanism?.toUpperCase() === 'XOAUTH2') {
          if (initialResponse) return authenticateXoauth2(initialResponse);
          awaitingXoauth2Response = true;
          return reply('334 ');
        }
      }
      pendingCommands.push(command === 'HELO' || command === 'EHLO' ? 'EHLO' : command);
      forward(line);
    };

    const startTls = () => {
      rawClient.removeAllListeners('data');
      const secured = new TLSSocket(rawClient, { isServer: true, secureContext: options.secureContext });
      secured.on('error', close);
      client = secured;
      secure = true;
      onCrlfLines({ encoding: 'latin1', socket: secured, handleLine: handleClientLine });
    };

    const rewriteEhloReply = (lines: string[]): string[] => {
      const [greeting = '250 lab.test', ...capabilities] = lines.map((line) => line.slice(4));
      const offered = capabilities.filter((capability) => {
        const name = capability.split(' ')[0]?.toUpperCase() ?? '';
        return !HIDDEN_CAPABILITIES.has(name) && (secure || name !== 'AUTH');
      });
      if (!secure) offered.push('STARTTLS');
      const all = [greeting, ...offered];
      return all.map((text, index) => `250${index === all.length - 1 ? ' ' : '-'}${text}`);
    };

    const handleUpstreamLine = (line: string) => {
      const command = pendingCommands[0];
      const isLastLine = /^\d{3}(?: |$)/.test(line);
      const isIntermediate = /^3\d\d/.test(line);
      if (command === 'EHLO' && line.startsWith('250')) {
        ehloReply.push(line);
        if (!isLastLine) return;
        pendingCommands.shift();
        for (const rewritten of rewriteEhloReply(ehloReply)) reply(rewritten);
        ehloReply = [];
        return;
      }
      if (command === 'DATA' && line.startsWith('354')) inMessageContent = true;
      if (isLastLine && !isIntermediate && command !== undefined) pendingCommands.shift();
      reply(line);
    };

    onCrlfLines({ encoding: 'latin1', socket: upstream, handleLine: handleUpstreamLine });

    if (options.implicitTls) startTls();
    else onCrlfLines({ encoding: 'latin1', socket: rawClient, handleLine: handleClientLine });
  };
}
