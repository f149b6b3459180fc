import { ImapFlow } from 'imapflow';
import { isIP } from 'node:net';
import { obtainSignIn } from './credentials';
import { closeGently, openServer, type TestContext } from './open-server';
import { runStep } from './run-step';
import { trustOptions } from './trusted-context';

/**
 * IMAP: the shared connection steps, then imapflow signs in (XOAUTH2 / OAUTHBEARER or password) on
 * a connection of its own to the address already checked, and opens INBOX to read its message count.
 */
export async function checkImap(context: TestContext): Promise<void> {
  const opened = await openServer('imap', context);
  closeGently('imap', opened.connection);
  const signIn = await obtainSignIn('imap', context);
  const { target, timeoutMs } = context;
  const client = new ImapFlow({
    host: opened.address,
    port: target.port,
    secure: target.security === 'tls',
    doSTARTTLS: target.security === 'starttls' ? true : target.security === 'none' ? false : undefined,
    servername: isIP(target.host) ? undefined : target.host,
    auth: 'accessToken' in signIn ? { user: signIn.user, accessToken: signIn.accessToken } : { user: signIn.user, pass: signIn.pass },
    tls: {
      // The certificate was verified in the TLS step; a self-signed one only reaches here when allowed.
      rejectUnauthorized: !context.allowSelfSigned,
      ...trustOptions(context.trustedCertificates),
      ...(isIP(target.host) ? {} : { servername: target.host }),
    },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableAutoIdle: true,
  });
  client.on('error', () => undefined);
  try {
    await runStep({ name: 'Authentication', stage: 'auth', protocol: 'imap', context }, async () => {
      await client.connect();
      return { value: undefined, detail: `Signed in as ${signIn.user} with ${'accessToken' in signIn ? 'OAuth (XOAUTH2 / OAUTHBEARER)' : 'password'}` };
    });
    await runStep({ name: 'Open INBOX', stage: 'command', protocol: 'imap', context }, async () => {
      const inbox = await client.mailboxOpen('INBOX', { readOnly: true });
      return { value: undefined, detail: `INBOX holds ${inbox.exists} message${inbox.exists === 1 ? '' : 's'}` };
    });
    await client.logout().catch(() => undefined);
  } finally {
    client.close();
  }
}
