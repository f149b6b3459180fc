import { createSubmissionTransport } from '@/lib/mail/submission-transport';
import { decodeOAuthChallenge } from './classify-failure';
import { obtainSignIn, xoauth2Response, type SignIn } from './credentials';
import { codedError, type LineConnection } from './line-connection';
import { closeGently, openServer, smtpCommand, type TestContext } from './open-server';
import { runStep } from './run-step';

async function authenticate(connection: LineConnection, signIn: SignIn, capabilities: string[], timeoutMs: number): Promise<string> {
  if ('accessToken' in signIn) {
    const first = await smtpCommand(connection, `AUTH XOAUTH2 ${xoauth2Response(signIn.user, signIn.accessToken)}`, timeoutMs);
    if (first.code === 334) {
      // The server's JSON challenge; an empty line ends the exchange and brings the final refusal.
      const challenge = decodeOAuthChallenge(first.text.slice(4));
      const final = await smtpCommand(connection, '', timeoutMs);
      throw codedError('EAUTH', final.text, { reply: `${first.text}\n${final.text}`, challenge });
    }
    if (first.code !== 235) throw codedError('EAUTH', first.text, { reply: first.text });
    return `Signed in as ${signIn.user} with XOAUTH2: ${first.text}`;
  }
  const offersPlain = capabilities.some((capability) => /^AUTH[ =]/i.test(capability) && /\bPLAIN\b/i.test(capability));
  let reply;
  if (offersPlain) {
    reply = await smtpCommand(connection, `AUTH PLAIN ${Buffer.from(`\0${signIn.user}\0${signIn.pass}`).toString('base64')}`, timeoutMs);
  } else {
    reply = await smtpCommand(connection, 'AUTH LOGIN', timeoutMs);
    if (reply.code === 334) reply = await smtpCommand(connection, Buffer.from(signIn.user).toString('base64'), timeoutMs);
    if (reply.code === 334) reply = await smtpCommand(connection, Buffer.from(signIn.pass).toString('base64'), timeoutMs);
  }
  if (reply.code !== 235) throw codedError('EAUTH', reply.text, { reply: reply.text });
  return `Signed in as ${signIn.user} with a password: ${reply.text}`;
}

/** Sends a real message from the mailbox to itself with nodemailer, over the address already checked. */
async function sendTestMessage(context: TestContext, address: string, signIn: SignIn): Promise<string> {
  const transport = createSubmissionTransport({
    target: context.target,
    address,
    signIn,
    allowSelfSigned: context.allowSelfSigned,
    trustedCertificates: context.trustedCertificates,
    timeoutMs: context.timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: context.address,
      to: context.address,
      subject: 'Mailroom connection test',
      text: 'Mailroom sent this message to check that the mailbox can send. You can delete it.',
    });
    return `Sent to ${context.address}: ${info.response}`;
  } finally {
    transport.close();
  }
}

/**
 * SMTP submission: the shared connection steps, sign-in spoken by the tester itself (so that the
 * server's XOAUTH2 challenge can be read), the envelope of a message (MAIL FROM and RCPT TO, then
 * RSET: nothing is sent), and on request a real test message to the mailbox itself via nodemailer.
 */
export async function checkSmtp(context: TestContext & { sendTestMessage: boolean }): Promise<void> {
  const { connection, capabilities, address } = await openServer('smtp', context);
  const { timeoutMs } = context;
  let signIn: SignIn;
  try {
    signIn = await obtainSignIn('smtp', context);
    const signedIn = signIn;
    await runStep({ name: 'Authentication', stage: 'auth', protocol: 'smtp', context }, async () => ({
      value: undefined,
      detail: await authenticate(connection, signedIn, capabilities, timeoutMs),
    }));
    await runStep({ name: 'Envelope', stage: 'command', protocol: 'smtp', context }, async () => {
      const from = await smtpCommand(connection, `MAIL FROM:<${context.address}>`, timeoutMs);
      if (from.code !== 250) throw codedError('EENVELOPE', from.text, { reply: from.text });
      const to = await smtpCommand(connection, `RCPT TO:<${context.address}>`, timeoutMs);
      if (to.code !== 250 && to.code !== 251) throw codedError('EENVELOPE', to.text, { reply: to.text });
      await smtpCommand(connection, 'RSET', timeoutMs);
      return { value: undefined, detail: `MAIL FROM: ${from.text}\nRCPT TO: ${to.text}\n(reset: nothing sent)` };
    });
  } finally {
    closeGently('smtp', connection);
  }
  if (context.sendTestMessage) {
    await runStep({ name: 'Test message', stage: 'command', protocol: 'smtp', context }, async () => ({
      value: undefined,
      detail: await sendTestMessage(context, address, signIn),
    }));
  }
}
