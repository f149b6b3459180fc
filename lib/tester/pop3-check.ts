import { phrase } from '@/lib/i18n/text';
import { decodeOAuthChallenge } from './classify-failure';
import { obtainSignIn, xoauth2Response } from './credentials';
import { codedError, type LineConnection } from '@/lib/net/line-connection';
import { closeGently, openServer, type TestContext } from './open-server';
import { runStep } from './run-step';

async function expectOk(connection: LineConnection, timeoutMs: number): Promise<string> {
  const line = await connection.readLine(timeoutMs);
  if (!line.startsWith('+OK')) throw codedError('EPROTO', line, { reply: line });
  return line;
}

/**
 * POP3: no maintained npm client speaks XOAUTH2, so the tester speaks the few commands it needs
 * itself (RFC 1939, RFC 2449 CAPA, RFC 5034 AUTH): sign in, then STAT.
 */
export async function checkPop3(context: TestContext): Promise<void> {
  const { connection, capabilities } = await openServer('pop3', context);
  const { timeoutMs } = context;
  try {
    const signIn = await obtainSignIn('pop3', context);
    await runStep({ name: 'authentication', stage: 'auth', protocol: 'pop3', context }, async () => {
      if ('accessToken' in signIn) {
        connection.write(`AUTH XOAUTH2 ${xoauth2Response(signIn.user, signIn.accessToken)}`);
        const answer = await connection.readLine(timeoutMs);
        if (answer.startsWith('+ ') || answer === '+') {
          // A failed XOAUTH2 first sends its JSON challenge, acknowledged with an empty line.
          const challenge = decodeOAuthChallenge(answer.slice(1));
          connection.write('');
          const final = await connection.readLine(timeoutMs);
          throw codedError('EAUTH', final, { reply: `${answer}\n${final}`, challenge });
        }
        if (!answer.startsWith('+OK')) throw codedError('EAUTH', answer, { reply: answer });
        return { value: undefined, detail: phrase('tester.details.signedIn', { user: signIn.user, mechanism: 'XOAUTH2', reply: answer }) };
      }
      if (capabilities.some((capability) => capability.toUpperCase() === 'USER')) {
        connection.write(`USER ${signIn.user}`);
        await expectOk(connection, timeoutMs);
        connection.write(`PASS ${signIn.pass}`);
      } else {
        connection.write(`AUTH PLAIN ${Buffer.from(`\0${signIn.user}\0${signIn.pass}`).toString('base64')}`);
      }
      const answer = await connection.readLine(timeoutMs);
      if (!answer.startsWith('+OK')) throw codedError('EAUTH', answer, { reply: answer });
      return { value: undefined, detail: phrase('tester.details.signedInWithPassword', { user: signIn.user, reply: answer }) };
    });
    await runStep({ name: 'stat', stage: 'command', protocol: 'pop3', context }, async () => {
      connection.write('STAT');
      const answer = await expectOk(connection, timeoutMs);
      const [, count] = answer.split(' ');
      return { value: undefined, detail: count === undefined || count === null ? phrase('tester.details.popCountUnknown', { reply: answer }) : phrase('tester.details.popCount', { reply: answer, count }) };
    });
  } finally {
    await closeGently('pop3', connection);
  }
}
