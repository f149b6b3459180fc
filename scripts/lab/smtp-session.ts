import { connect, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { onCrlfLines } from './crlf-lines';
import { LAB_HOST } from './lab-config';
import type { ConnectionHandler } from './mail-front';
import type { SmtpFault } from './lab-info';
import { GMAIL_OAUTH_CHALLENGE, SMTP_AUTH_DISABLED_REPLY, SMTP_DEFERRED_REPLY, SMTP_REPLIES, type OAuthMailServer } from './provider-replies';
import { saslUser } from './sasl-user';

// BDAT carries binary chunks a line-based relay cannot follow; Exchange Online offers neither
// extension, Gmail offers CHUNKING, which no client of the portal uses.
const HIDDEN_CAPABILITIES = new Set(['STARTTLS', 'CHUNKING', 'BINARYMIME', 'BURL']);

/**
 * Gmail- or Microsoft-like submission in front of Dovecot's plain listener: TLS (implicit, or
 * after STARTTLS) ends here, AUTH is offered only once the connection is encrypted, a refused
 * token is answered in the provider's words, and on the Microsoft-like server accounts whose SMTP
 * AUTH is disabled get Exchange Online's 535 5.7.139. A signed-in account's SMTP fault, if any,
 * applies from its MAIL FROM. Everything else goes to Dovecot as it came.
 */
export function providerSmtpSession(options: {
  server: OAuthMailServer;
  upstreamPort: number;
  secureContext: SecureContext;
  implicitTls: boolean;
  isSmtpAuthDisabled: (email: string) => boolean;
  /** The account's fault for its next message, used up as it applies. */
  takeSmtpFault: (email: string) => SmtpFault | null;
}): ConnectionHandler {
  const { server } = options;
  const replies = SMTP_REPLIES[server];
  return (rawClient) => {
    const upstream = connect({ host: LAB_HOST, port: options.upstreamPort });
    let client: Socket = rawClient;
    let secure = false;
    let inMessageContent = false;
    let awaitingXoauth2Response = false;
    // The client's next line answers a 334 from Dovecot: SASL data, no command.
    let awaitingSaslLine = false;
    let ehloReply: string[] = [];
    const pendingCommands: string[] = [];
    let signingInAs: string | null = null;
    let withholdDataReply = false;

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
      const user = saslUser({ mechanism: 'XOAUTH2', response: initialResponse });
      if (server === 'microsoft' && user && options.isSmtpAuthDisabled(user)) return reply(SMTP_AUTH_DISABLED_REPLY);
      signingInAs = user;
      pendingCommands.push('AUTH');
      forward(`AUTH XOAUTH2 ${initialResponse}`);
    };

    const handleClientLine = (line: string) => {
      if (inMessageContent) {
        forward(line);
        if (line === '.') inMessageContent = false;
        return;
      }
      if (awaitingSaslLine) {
        awaitingSaslLine = false;
        return forward(line);
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
      if (command === 'MAIL' && signingInAs) {
        const fault = options.takeSmtpFault(signingInAs);
        if (fault === 'defer') return reply(SMTP_DEFERRED_REPLY);
        if (fault === 'stall') return;
        withholdDataReply = fault === 'withhold_reply';
      }
      if (command === 'AUTH') {
        if (!secure) return reply(replies.authBeforeStartTls);
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

    // Dovecot refuses a token with a challenge of its own, then 535 5.7.8: the provider's words instead.
    const handleAuthReply = (line: string) => {
      if (line.startsWith('334')) {
        const askingForData = !line.slice(4).trim();
        if (server === 'microsoft' && !askingForData) return forward('');
        awaitingSaslLine = true;
        return reply(askingForData ? line : `334 ${GMAIL_OAUTH_CHALLENGE}`);
      }
      pendingCommands.shift();
      if (!line.startsWith('535')) return reply(line);
      for (const refusal of replies.authenticationFailed) reply(refusal);
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
      if (command === 'AUTH' && isLastLine) return handleAuthReply(line);
      if (command === 'DATA' && line.startsWith('354')) inMessageContent = true;
      if (isLastLine && !isIntermediate && command !== undefined) pendingCommands.shift();
      if (command === 'DATA' && !isIntermediate && withholdDataReply) return;
      reply(line);
    };

    onCrlfLines({ encoding: 'latin1', socket: upstream, handleLine: handleUpstreamLine });

    if (options.implicitTls) startTls();
    else onCrlfLines({ encoding: 'latin1', socket: rawClient, handleLine: handleClientLine });
  };
}
