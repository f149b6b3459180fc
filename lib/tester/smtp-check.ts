import type { Phrase } from '@/lib/i18n/render';
import { phrase } from '@/lib/i18n/text';
import MailComposer from 'nodemailer/lib/mail-composer';
import { codedError, smtpCommand, type LineConnection } from '@/lib/net/line-connection';
import { decodeOAuthChallenge } from './classify-failure';
import { obtainSignIn, xoauth2Response, type SignIn } from './credentials';
import { closeGently, openServer, type TestContext } from './open-server';
import { runStep } from './run-step';

/**
 * Signs in on an open SMTP connection, spoken by Mailroom itself so that the server's XOAUTH2
 * challenge can be read: XOAUTH2 with an access token, else PLAIN when offered, else LOGIN. Resolves
 * with the server's 235; a refusal throws EAUTH with the server's reply (and the decoded challenge).
 * The tester and the outbox both sign in this way.
 */
export async function signInOverSmtp(connection: LineConnection, signIn: SignIn, capabilities: string[], timeoutMs: number): Promise<{ mechanism: string; reply: string }> {
  if ('accessToken' in signIn) {
    const first = await smtpCommand(connection, `AUTH XOAUTH2 ${xoauth2Response(signIn.user, signIn.accessToken)}`, timeoutMs);
    if (first.code === 334) {
      // The server's JSON challenge; an empty line ends the exchange and brings the final refusal.
      const challenge = decodeOAuthChallenge(first.text.slice(4));
      const final = await smtpCommand(connection, '', timeoutMs);
      throw codedError('EAUTH', final.text, { reply: `${first.text}\n${final.text}`, challenge });
    }
    if (first.code !== 235) throw codedError('EAUTH', first.text, { reply: first.text });
    return { mechanism: 'XOAUTH2', reply: first.text };
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
  return { mechanism: offersPlain ? 'PLAIN' : 'LOGIN', reply: reply.text };
}

async function authenticate(connection: LineConnection, signIn: SignIn, capabilities: string[], timeoutMs: number): Promise<Phrase> {
  const { mechanism, reply } = await signInOverSmtp(connection, signIn, capabilities, timeoutMs);
  return mechanism === 'XOAUTH2'
    ? phrase('tester.details.signedIn', { user: signIn.user, mechanism, reply })
    : phrase('tester.details.signedInWithPassword', { user: signIn.user, reply });
}

/** A message from the mailbox to itself, dot-stuffed for DATA (RFC 5321 4.5.2), ending with the lone dot. */
async function testMessageData(address: string): Promise<Buffer> {
  const message = await new MailComposer({
    from: address,
    to: address,
    subject: 'Mailroom connection test',
    text: 'Mailroom sent this message to check that the mailbox can send. You can delete it.',
  })
    .compile()
    .build();
  const stuffed = message.toString('utf8').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return Buffer.from(`${stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`}.\r\n`, 'utf8');
}

/**
 * SMTP submission: the shared connection steps, then everything on that same verified connection:
 * sign-in spoken by the tester itself (so that the server's XOAUTH2 challenge can be read), the
 * envelope of a message (MAIL FROM and RCPT TO), and either RSET (nothing sent) or, on request,
 * DATA with a real test message to the mailbox itself.
 */
export async function checkSmtp(context: TestContext & { sendTestMessage: boolean }): Promise<void> {
  const { connection, capabilities } = await openServer('smtp', context);
  const { timeoutMs } = context;
  try {
    const signIn = await obtainSignIn('smtp', context);
    await runStep({ name: 'authentication', stage: 'auth', protocol: 'smtp', context }, async () => ({
      value: undefined,
      detail: await authenticate(connection, signIn, capabilities, timeoutMs),
    }));
    await runStep({ name: 'envelope', stage: 'command', protocol: 'smtp', context }, async () => {
      const from = await smtpCommand(connection, `MAIL FROM:<${context.address}>`, timeoutMs);
      if (from.code !== 250) throw codedError('EENVELOPE', from.text, { reply: from.text });
      const to = await smtpCommand(connection, `RCPT TO:<${context.address}>`, timeoutMs);
      if (to.code !== 250 && to.code !== 251) throw codedError('EENVELOPE', to.text, { reply: to.text });
      const accepted = `MAIL FROM: ${from.text}\nRCPT TO: ${to.text}`;
      if (context.sendTestMessage) return { value: undefined, detail: accepted };
      await smtpCommand(connection, 'RSET', timeoutMs);
      return { value: undefined, detail: phrase('tester.details.envelopeReset', { replies: accepted }) };
    });
    if (context.sendTestMessage) {
      await runStep({ name: 'testMessage', stage: 'command', protocol: 'smtp', context }, async () => {
        const ready = await smtpCommand(connection, 'DATA', timeoutMs);
        if (ready.code !== 354) throw codedError('EMESSAGE', ready.text, { reply: ready.text });
        connection.writeRaw(await testMessageData(context.address));
        const sent = await smtpCommand(connection, null, timeoutMs);
        if (sent.code !== 250) throw codedError('EMESSAGE', sent.text, { reply: sent.text });
        return { value: undefined, detail: phrase('tester.details.sent', { address: context.address, reply: sent.text }) };
      });
    }
  } finally {
    await closeGently('smtp', connection);
  }
}
