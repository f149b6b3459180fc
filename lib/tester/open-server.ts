import { phrase, renderText, type Phrase } from '@/lib/i18n/text';
import { BlockedAddressError } from '@/lib/net/address-policy';
import { CertificateError, codedError, LineConnection, smtpCommand, type TlsTrust } from '@/lib/net/line-connection';
import { runStep, type StepOptions } from './run-step';
import type { CheckContext } from './types';

export type Protocol = 'imap' | 'pop3' | 'smtp';
export type TestContext = StepOptions['context'];

export type OpenedServer = { connection: LineConnection; address: string; greeting: string; capabilities: string[] };

const IMAP_TAG = 'T1';

/** Every line of an IMAP command's response, up to and including its tagged status line. */
export async function readImapTagged(connection: LineConnection, tag: string, timeoutMs: number): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await connection.readLine(timeoutMs);
    lines.push(line);
    if (line.startsWith(`${tag} `)) return lines;
  }
}

async function readPop3Multiline(connection: LineConnection, timeoutMs: number): Promise<string[]> {
  const first = await connection.readLine(timeoutMs);
  if (!first.startsWith('+OK')) return [first];
  const lines = [first];
  for (;;) {
    const line = await connection.readLine(timeoutMs);
    if (line === '.') return lines;
    lines.push(line);
  }
}

function refused(reply: string): Error {
  return codedError('EPROTO', reply, { reply });
}

/** How each protocol greets, lists capabilities and starts TLS: the part the tester speaks itself. */
const dialects = {
  imap: {
    async greeting(connection: LineConnection, timeoutMs: number) {
      const line = await connection.readLine(timeoutMs);
      if (!line.startsWith('* OK') && !line.startsWith('* PREAUTH')) throw refused(line);
      return line;
    },
    async startTls(connection: LineConnection, timeoutMs: number) {
      connection.write(`${IMAP_TAG} STARTTLS`);
      const lines = await readImapTagged(connection, IMAP_TAG, timeoutMs);
      if (!lines.at(-1)!.startsWith(`${IMAP_TAG} OK`)) throw refused(lines.join('\n'));
    },
    async capabilities(connection: LineConnection, timeoutMs: number, greeting: string | null) {
      // A server that lists them in its greeting (Dovecot does) is not asked again, as imapflow does not.
      const greeted = greeting ? /^\* (?:OK|PREAUTH) \[CAPABILITY ([^\]]*)\]/i.exec(greeting) : null;
      if (greeted) return greeted[1]!.split(' ');
      connection.write(`${IMAP_TAG} CAPABILITY`);
      const lines = await readImapTagged(connection, IMAP_TAG, timeoutMs);
      const listed = lines.find((line) => line.startsWith('* CAPABILITY '));
      return listed ? listed.slice('* CAPABILITY '.length).split(' ') : [];
    },
    close(connection: LineConnection) {
      connection.write('T9 LOGOUT');
    },
  },
  pop3: {
    async greeting(connection: LineConnection, timeoutMs: number) {
      const line = await connection.readLine(timeoutMs);
      if (!line.startsWith('+OK')) throw refused(line);
      return line;
    },
    async startTls(connection: LineConnection, timeoutMs: number) {
      connection.write('STLS');
      const line = await connection.readLine(timeoutMs);
      if (!line.startsWith('+OK')) throw refused(line);
    },
    async capabilities(connection: LineConnection, timeoutMs: number) {
      connection.write('CAPA');
      const lines = await readPop3Multiline(connection, timeoutMs);
      return lines.slice(1);
    },
    close(connection: LineConnection) {
      connection.write('QUIT');
    },
  },
  smtp: {
    async greeting(connection: LineConnection, timeoutMs: number) {
      const reply = await smtpCommand(connection, null, timeoutMs);
      if (reply.code !== 220) throw refused(reply.text);
      return reply.text;
    },
    async startTls(connection: LineConnection, timeoutMs: number) {
      const hello = await smtpCommand(connection, 'EHLO mailroom.invalid', timeoutMs);
      if (hello.code !== 250) throw refused(hello.text);
      const reply = await smtpCommand(connection, 'STARTTLS', timeoutMs);
      if (reply.code !== 220) throw refused(reply.text);
    },
    async capabilities(connection: LineConnection, timeoutMs: number) {
      const reply = await smtpCommand(connection, 'EHLO mailroom.invalid', timeoutMs);
      if (reply.code !== 250) throw refused(reply.text);
      return reply.lines.slice(1).map((line) => line.slice(4));
    },
    close(connection: LineConnection) {
      connection.write('QUIT');
    },
  },
} as const;

/**
 * Says QUIT or LOGOUT and resolves once the connection is closed: by the server, which closes it
 * after its answer, or by the tester 50 ms later. Until then the server still counts it against the
 * profile's connections.
 */
export function closeGently(protocol: Protocol, connection: LineConnection): Promise<void> {
  const closed = connection.whenClosed();
  try {
    dialects[protocol].close(connection);
  } finally {
    setTimeout(() => connection.close(), 50).unref();
  }
  return closed;
}

/** Whether the capabilities offer the sign-in this mailbox needs, and its words for messages. */
function neededMechanism(protocol: Protocol, context: CheckContext, capabilities: string[]): { offered: boolean; name: Phrase } {
  const upper = capabilities.map((capability) => capability.toUpperCase());
  const sasl = (mechanism: string) =>
    upper.some((capability) =>
      protocol === 'imap'
        ? capability === `AUTH=${mechanism}`
        : protocol === 'pop3'
          ? capability.startsWith('SASL ') && capability.split(' ').includes(mechanism)
          : /^AUTH[ =]/.test(capability) && capability.slice(5).split(' ').includes(mechanism),
    );
  if (context.credentials.kind === 'oauth') {
    return { offered: sasl('XOAUTH2') || (protocol === 'imap' && sasl('OAUTHBEARER')), name: phrase(protocol === 'imap' ? 'tester.mechanisms.oauthImap' : 'tester.mechanisms.oauth') };
  }
  if (protocol === 'imap') return { offered: !upper.includes('LOGINDISABLED'), name: phrase('tester.mechanisms.imapLogin') };
  if (protocol === 'pop3') return { offered: upper.includes('USER') || sasl('PLAIN'), name: phrase('tester.mechanisms.pop3Password') };
  return { offered: sasl('PLAIN') || sasl('LOGIN'), name: phrase('tester.mechanisms.smtpPassword') };
}

/**
 * The steps every protocol shares: name resolution (through the network guard), TCP connect, TLS
 * (implicit or STARTTLS, with the certificate described), and greeting and capabilities, checking
 * that the needed sign-in mechanism is offered. Leaves the connection open for the caller.
 */
export async function openServer(protocol: Protocol, context: TestContext): Promise<OpenedServer> {
  const { target, timeoutMs } = context;
  const step = (name: StepOptions['name'], stage: StepOptions['stage']) => ({ name, stage, protocol, context });
  const dialect = dialects[protocol];

  const address = await runStep(
    {
      ...step('nameResolution', 'dns'),
      evidence: (error) =>
        error instanceof BlockedAddressError ? { reply: error.message, blocked: { host: error.host, address: error.address, verdict: error.verdict } } : {},
    },
    async () => {
      const resolved = await context.resolveHost(target.host);
      return { value: resolved.address, detail: `${target.host} → ${resolved.all.join(', ')}` };
    },
  );

  const trust: TlsTrust = { host: target.host, acceptedCertificates: context.acceptedCertificates, caCertificates: context.caCertificates, timeoutMs };
  const tlsStep = {
    ...step('tls', 'tls'),
    evidence: (error: unknown) => (error instanceof CertificateError ? { certificate: { sha256: error.sha256, reason: error.reason } } : {}),
  };
  const connection = await runStep(step('tcpConnect', 'tcp'), async () => ({
    value: await LineConnection.connect({ address, port: target.port, timeoutMs }),
    detail: phrase('tester.details.connected', { server: `${address}:${target.port}` }),
  }));
  try {
    let greeting = '';
    // What a server says before STARTTLS is not trusted after it (RFC 3501 6.2.1): capabilities are asked again.
    let greetedBeforeTls = false;
    if (target.security === 'tls') {
      await runStep(tlsStep, async () => {
        const report = await connection.startTls(trust);
        return { value: undefined, detail: `Implicit TLS: ${report.detail}` };
      });
    } else if (target.security === 'starttls') {
      await runStep(tlsStep, async () => {
        greeting = await dialect.greeting(connection, timeoutMs);
        greetedBeforeTls = true;
        await dialect.startTls(connection, timeoutMs);
        const report = await connection.startTls(trust);
        return { value: undefined, detail: `STARTTLS: ${report.detail}` };
      });
    } else {
      await runStep(step('tls', 'tls'), async () => ({ value: undefined, detail: phrase('tester.details.tlsNotUsed') }));
    }

    let missing: Phrase | undefined;
    const capabilities = await runStep(
      { ...step('greeting', 'greeting'), evidence: () => (missing ? { missingMechanism: missing } : {}) },
      async () => {
        if (!greeting) greeting = await dialect.greeting(connection, timeoutMs);
        const listed = await dialect.capabilities(connection, timeoutMs, greetedBeforeTls ? null : greeting);
        const mechanism = neededMechanism(protocol, context, listed);
        if (!mechanism.offered) {
          missing = mechanism.name;
          throw codedError('MECHANISM_MISSING', `Not offered: ${renderText(mechanism.name, 'en')}`, { reply: listed.join(' ') });
        }
        return { value: listed, detail: phrase('tester.details.greeting', { greeting, capabilities: listed.join(' ') }) };
      },
    );
    return { connection, address, greeting, capabilities };
  } catch (error) {
    connection.close();
    throw error;
  }
}
