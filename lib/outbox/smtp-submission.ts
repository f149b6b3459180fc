import type { TrustedCertificate } from '@/db/schema';
import type { ServerTarget } from '@/lib/mail/server-target';
import type { SubmissionSignIn } from '@/lib/mail/submission-transport';
import { codedError, LineConnection, smtpCommand, type SmtpReply } from '@/lib/net/line-connection';
import type { FailureStage } from '@/lib/tester/classify-failure';
import { signInOverSmtp } from '@/lib/tester/smtp-check';

/** The longest wait for a server to close the connection after QUIT: the message is sent by then. */
const QUIT_WAIT_MS = 5_000;

/** A submission that failed, with where it stood: what the classifier of the tester reads, and whether the message may have gone. */
export class SubmissionError extends Error {
  constructor(
    readonly stage: FailureStage,
    readonly cause: unknown,
    /** The message's content had started to go to the server. */
    readonly afterHandoff: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'SubmissionError';
  }

  /** The server's reply, when it answered one (never what the client sent). */
  get reply(): string | undefined {
    const reply = (this.cause as { reply?: unknown }).reply;
    return typeof reply === 'string' ? reply : undefined;
  }

  /** A 4xx reply: the server says to try again later. */
  get deferred(): boolean {
    return /^4\d\d/.test(this.reply ?? '');
  }
}

export type Submission = {
  target: ServerTarget;
  /** The address the network guard allowed for the target's host. */
  address: string;
  signIn: SubmissionSignIn;
  acceptedCertificates: TrustedCertificate[];
  caCertificates: string[];
  timeoutMs: number;
  envelope: { from: string; to: string[] };
  /** The message, dot-stuffed, ending with CRLF.CRLF. */
  data: Buffer;
  /** Called after DATA's 354, right before the content goes: it throws to keep the message back. */
  beforeHandoff: () => Promise<void>;
};

/** The server took the message: its 250, and the connection still open until `close` ends it. */
export type AcceptedSubmission = { reply: string; close: () => Promise<void> };

function expect(reply: SmtpReply, ...codes: number[]): SmtpReply {
  if (!codes.includes(reply.code)) throw codedError(reply.code >= 500 ? 'EREFUSED' : 'EDEFERRED', reply.text, { reply: reply.text });
  return reply;
}


/**
 * One message by SMTP submission, spoken by the portal itself (as the tester does) so that the
 * moment the content starts to go is known: TLS as the profile says with its accepted
 * certificates, sign-in (XOAUTH2, PLAIN or LOGIN), the envelope, then DATA. Resolves at the
 * server's 250, so that the caller records it before anything else can fail; `close` then ends
 * the connection with QUIT and waits for the server to close it, so that it is gone at the server
 * too (the profile's connection count holds there, not only here).
 */
export async function submitMessage(submission: Submission): Promise<AcceptedSubmission> {
  const { target, timeoutMs } = submission;
  let stage: FailureStage = 'tcp';
  let handedOver = false;
  let connection: LineConnection;
  try {
    connection = await LineConnection.connect({ address: submission.address, port: target.port, timeoutMs });
  } catch (error) {
    throw new SubmissionError(stage, error, false);
  }
  const secure = () => connection.startTls({ host: target.host, acceptedCertificates: submission.acceptedCertificates, caCertificates: submission.caCertificates, timeoutMs });
  try {
    if (target.security === 'tls') {
      stage = 'tls';
      await secure();
    }
    stage = 'greeting';
    expect(await smtpCommand(connection, null, timeoutMs), 220);
    let hello = expect(await smtpCommand(connection, 'EHLO mailroom.invalid', timeoutMs), 250);
    if (target.security === 'starttls') {
      expect(await smtpCommand(connection, 'STARTTLS', timeoutMs), 220);
      stage = 'tls';
      await secure();
      stage = 'greeting';
      hello = expect(await smtpCommand(connection, 'EHLO mailroom.invalid', timeoutMs), 250);
    }
    stage = 'auth';
    await signInOverSmtp(connection, submission.signIn, hello.lines.slice(1).map((line) => line.slice(4)), timeoutMs);
    stage = 'command';
    expect(await smtpCommand(connection, `MAIL FROM:<${submission.envelope.from}>`, timeoutMs), 250);
    for (const recipient of submission.envelope.to) expect(await smtpCommand(connection, `RCPT TO:<${recipient}>`, timeoutMs), 250, 251);
    expect(await smtpCommand(connection, 'DATA', timeoutMs), 354);
    await submission.beforeHandoff();
    handedOver = true;
    connection.writeRaw(submission.data);
    const accepted = expect(await smtpCommand(connection, null, timeoutMs), 250);
    return { reply: accepted.text, close: () => quit(connection, timeoutMs) };
  } catch (error) {
    connection.close();
    throw new SubmissionError(stage, error, handedOver);
  }
}

/** QUIT, then the server's close (read as the connection's end), within the time limit; the socket is destroyed either way. */
async function quit(connection: LineConnection, timeoutMs: number): Promise<void> {
  const waitMs = Math.min(timeoutMs, QUIT_WAIT_MS);
  try {
    await smtpCommand(connection, 'QUIT', waitMs);
    await connection.readLine(waitMs);
  } catch {
    // The end of the connection is what was awaited.
  } finally {
    connection.close();
  }
}
