import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { LAB_HOST } from './lab-config';
import type { ReceivedMessage } from './lab-info';
import { listen } from './http-utilities';
import { subjectOf } from './mail-headers';

/** What happens to a received message besides being kept: the lab delivers it to its accounts' INBOXes. */
export type DeliverMessage = (message: ReceivedMessage) => Promise<void>;

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

// smtp-server holds every greeting 100 ms to catch clients that talk too soon, with no option to
// turn it off. Dovecot's submission opens its relay connection at MAIL FROM, so each envelope a
// client sent through the lab waited those 100 ms, where a provider's own relay greets at once.
// The sink has no connection limit, the only other thing init() checks.
SMTPConnection.prototype.init = function greetAtOnce(this: SMTPConnection) {
  this._setListeners(() => this.connectionReady());
};

/**
 * Where Dovecot's submission service and the mail APIs relay: keeps every message so a test can read
 * what was sent, and hands it on to `deliver` before it answers, so that a sent message is in its
 * recipients' INBOXes by the time the sender hears 250.
 */
export class SmtpSink {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    private readonly messages: ReceivedMessage[],
    private readonly delivery: { deliver: DeliverMessage },
  ) {}

  static async start(): Promise<SmtpSink> {
    const messages: ReceivedMessage[] = [];
    // Until `deliverWith` names the mailboxes, a message is only kept.
    const delivery: { deliver: DeliverMessage } = { deliver: async () => {} };
    const server = new SMTPServer({
      name: 'sink.lab.test',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAX_MESSAGE_BYTES,
      logger: false,
      closeTimeout: 500,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const mailFrom = session.envelope.mailFrom;
          const message: ReceivedMessage = {
            envelopeFrom: mailFrom ? mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            subject: subjectOf(raw),
            raw,
            receivedAt: new Date().toISOString(),
          };
          messages.push(message);
          // A failed delivery is the lab's problem, not the sender's: the message stays in the sink.
          delivery.deliver(message).then(
            () => callback(),
            (error: unknown) => {
              console.error('lab sink: could not deliver to an INBOX:', error);
              callback();
            },
          );
        });
      },
    });
    const port = await listen({ server: server.server, host: LAB_HOST });
    return new SmtpSink(server, port, messages, delivery);
  }

  /** What to do with each message once kept. */
  deliverWith(deliver: DeliverMessage): void {
    this.delivery.deliver = deliver;
  }

  received(options: { to?: string }): ReceivedMessage[] {
    const to = options.to?.toLowerCase();
    return to ? this.messages.filter((message) => message.envelopeTo.includes(to)) : [...this.messages];
  }

  clear(): void {
    this.messages.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
