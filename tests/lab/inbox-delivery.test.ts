import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import {
  getLab,
  getTokensByCodeFlow,
  labControl,
  labIsAvailable,
  sendMail,
  trustLabCa,
  type Endpoint,
  type MailCredentials,
} from '../helpers/lab';

async function ownAccount(options: { provider: 'google' | 'microsoft' | 'password'; domain: string }): Promise<{ email: string; password: string }> {
  const email = `delivery-${randomBytes(4).toString('hex')}@${options.domain}`;
  const password = randomBytes(8).toString('hex');
  await labControl.createAccount({ email, provider: options.provider, ...(options.provider === 'password' ? { password } : {}) });
  return { email, password };
}

/** The subjects of INBOX as IMAP shows them; opening it lets Dovecot move new mail from new/ to cur/. */
async function imapSubjects(options: { endpoint: Endpoint; auth: MailCredentials }): Promise<string[]> {
  const client = new ImapFlow({ host: options.endpoint.host, port: options.endpoint.port, secure: true, auth: options.auth, tls: trustLabCa(), logger: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.mailboxOpen('INBOX');
    const subjects: string[] = [];
    for await (const message of client.fetch('1:*', { envelope: true })) subjects.push(message.envelope?.subject ?? '');
    await client.logout();
    return subjects;
  } finally {
    client.close();
  }
}

describe.skipIf(!labIsAvailable)('mail the sink receives for a lab account', () => {
  it('lands in the INBOX of each recipient’s own server, where IMAP reads it, and keeps its id once Dovecot has seen it', async () => {
    const [sender, gmailRecipient, passwordRecipient] = await Promise.all([
      ownAccount({ provider: 'microsoft', domain: 'contoso.lab.test' }),
      ownAccount({ provider: 'google', domain: 'gmail.lab.test' }),
      ownAccount({ provider: 'password', domain: 'imap.lab.test' }),
    ]);
    const { accessToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: sender.email });
    const subject = await sendMail({
      endpoint: getLab().mail.microsoft.smtp.starttls,
      security: 'starttls',
      auth: { user: sender.email, accessToken },
      to: [gmailRecipient.email, passwordRecipient.email, 'outsider@elsewhere.lab.test'].join(', '),
    });

    const [delivered] = await labControl.inbox({ account: gmailRecipient.email });
    expect(delivered).toMatchObject({ subject, from: sender.email, messageId: expect.any(String) });
    expect((await labControl.inbox({ account: passwordRecipient.email })).map((message) => message.subject)).toEqual([subject]);
    expect(await labControl.inbox({ account: sender.email })).toEqual([]);

    const { accessToken: gmailToken } = await getTokensByCodeFlow({ persona: 'google', account: gmailRecipient.email });
    expect(await imapSubjects({ endpoint: getLab().mail.gmail.imap.tls, auth: { user: gmailRecipient.email, accessToken: gmailToken } })).toEqual([subject]);
    expect(await imapSubjects({ endpoint: getLab().mail.generic.imap.tls, auth: { user: passwordRecipient.email, pass: passwordRecipient.password } })).toEqual([subject]);
    expect((await labControl.inbox({ account: gmailRecipient.email })).map((message) => message.id)).toEqual([delivered?.id]);
  });
});
