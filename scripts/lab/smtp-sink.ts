import { SMTPServer } from 'smtp-server';
import { LAB_HOST } from './lab-config';
import type { ReceivedMessage } from './lab-info';
import { listen } from './http-utilities';

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** RFC 2047 encoded words (`=?UTF-8?Q?pr=C3=AAt?=`), as mailers write a subject that is not ASCII. */
function decodeWords(header: string): string {
  return header.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=(\s+(?==\?))?/g, (_word, _charset: string, encoding: string, text: string) => {
    if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
    const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_hex, code: string) => String.fromCharCode(parseInt(code, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  });
}

function subjectOf(raw: string): string | null {
  const headers = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const match = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(headers);
  return match?.[1] ? decodeWords(match[1].replace(/\r?\n[ \t]/g, ' ').trim()) : null;
}

/** Where Dovecot's submission service relays: keeps every message so a test can read what was sent. */
export class SmtpSink {
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    private readonly messages: ReceivedMessage[],
  ) {}

  static async start(): Promise<SmtpSink> {
    const messages: ReceivedMessage[] = [];
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
          messages.push({
            envelopeFrom: mailFrom ? mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            subject: subjectOf(raw),
            raw,
            receivedAt: new Date().toISOString(),
          });
          callback();
        });
      },
    });
    const port = await listen({ server: server.server, host: LAB_HOST });
    return new SmtpSink(server, port, messages);
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
