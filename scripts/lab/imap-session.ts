import { connect, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { onCrlfLines } from './crlf-lines';
import { LAB_HOST } from './lab-config';
import type { ConnectionHandler } from './mail-front';
import { GMAIL_OAUTH_CHALLENGE, IMAP_REPLIES, type OAuthMailServer } from './provider-replies';
import { saslUser } from './sasl-user';

// What Exchange Online still answers for a mailbox whose IMAP is turned off.
const MAILBOX_FREE_COMMANDS = new Set(['CAPABILITY', 'ID', 'NOOP', 'LOGOUT']);

type Authentication = { tag: string; mechanism: string; user: string | null };

/**
 * Gmail- or Microsoft-like IMAP in front of Dovecot's plain listener: TLS (implicit, or after
 * STARTTLS) ends here, a refused token is answered in the provider's words, and an account whose
 * IMAP is turned off is refused as the provider refuses it. Until the sign-in succeeds the
 * dialogue is read line by line; after it, lines pass as they came.
 */
export function providerImapSession(options: {
  server: OAuthMailServer;
  upstreamPort: number;
  secureContext: SecureContext;
  implicitTls: boolean;
  isImapDisabled: (email: string) => boolean;
}): ConnectionHandler {
  const { server } = options;
  const replies = IMAP_REPLIES[server];
  return (rawClient) => {
    let client: Socket = rawClient;
    let secure = false;
    let signedIn = false;
    let authentication: Authentication | null = null;
    // Microsoft with IMAP turned off: signed in, but every command that needs the mailbox is refused.
    let notConnected = false;
    let upstream: Socket;
    let upstreamGreeted = false;
    const waitingForUpstream: string[] = [];

    const reply = (line: string) => client.write(`${line}\r\n`, 'latin1');
    const forward = (line: string) => {
      if (upstreamGreeted) upstream.write(`${line}\r\n`, 'latin1');
      else waitingForUpstream.push(line);
    };
    const close = () => {
      rawClient.destroy();
      upstream.destroy();
    };

    // Dovecot's plain listener offers STARTTLS, which this front has already done, or does itself.
    const withoutStartTls = (line: string) =>
      secure && /^(\* OK \[CAPABILITY |\* CAPABILITY |\S+ OK \[CAPABILITY )/i.test(line) ? line.replace(/ STARTTLS(?=[ \]]|$)/i, '') : line;

    const handleAuthenticationReply = (current: Authentication, line: string) => {
      if (line.startsWith('+')) {
        // An empty continuation asks for the initial response; one with data is Dovecot's refusal.
        if (!line.slice(1).trim()) return reply(line);
        if (server === 'gmail') return reply(`+ ${GMAIL_OAUTH_CHALLENGE}`);
        upstream.write(current.mechanism === 'OAUTHBEARER' ? 'AQ==\r\n' : '\r\n', 'latin1');
        return;
      }
      if (!line.startsWith(`${current.tag} `)) return reply(withoutStartTls(line));
      authentication = null;
      const status = line.slice(current.tag.length + 1).split(' ')[0]?.toUpperCase();
      if (status === 'NO') return reply(`${current.tag} ${replies.authenticationFailed}`);
      if (status !== 'OK') return reply(line);
      if (current.user && options.isImapDisabled(current.user)) {
        if (server === 'gmail') {
          reply(`${current.tag} ${replies.imapDisabled}`);
          // Dovecot's session is signed in; the client's goes on signed out, on a fresh one.
          connectUpstream({ greetClient: false });
          return;
        }
        notConnected = true;
      }
      signedIn = true;
      reply(withoutStartTls(line));
    };

    const handleUpstreamLine = (line: string) => {
      if (signedIn) return reply(line);
      if (authentication) return handleAuthenticationReply(authentication, line);
      reply(withoutStartTls(line));
    };

    function connectUpstream(connectOptions: { greetClient: boolean }): void {
      const previous = upstream as Socket | undefined;
      const socket = connect({ host: LAB_HOST, port: options.upstreamPort });
      upstream = socket;
      upstreamGreeted = false;
      previous?.destroy();
      socket.on('error', () => socket === upstream && close());
      socket.on('close', () => socket === upstream && close());
      onCrlfLines({
        encoding: 'latin1',
        socket,
        handleLine: (line) => {
          if (upstreamGreeted) return handleUpstreamLine(line);
          upstreamGreeted = true;
          if (connectOptions.greetClient) reply(withoutStartTls(line));
          for (const waiting of waitingForUpstream.splice(0)) forward(waiting);
        },
      });
    }

    const handleClientLine = (line: string) => {
      if (signedIn && !notConnected) return forward(line);
      if (authentication) {
        authentication.user ??= saslUser({ mechanism: authentication.mechanism, response: line });
        return forward(line);
      }
      const [tag = '', verb = '', mechanism = '', initialResponse] = line.split(' ');
      const command = verb.toUpperCase();
      if (notConnected) {
        if (MAILBOX_FREE_COMMANDS.has(command)) return forward(line);
        return reply(`${tag} ${replies.imapDisabled}`);
      }
      if (command === 'STARTTLS' && !secure) {
        reply(`${tag} OK Begin TLS negotiation now.`);
        return startTls();
      }
      if (command === 'AUTHENTICATE') {
        const upperMechanism = mechanism.toUpperCase();
        authentication = {
          tag,
          mechanism: upperMechanism,
          user: initialResponse ? saslUser({ mechanism: upperMechanism, response: initialResponse }) : null,
        };
      }
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

    rawClient.on('close', close);
    connectUpstream({ greetClient: true });
    if (options.implicitTls) startTls();
    else onCrlfLines({ encoding: 'latin1', socket: rawClient, handleLine: handleClientLine });
  };
}
