import { afterEach, describe, expect, it } from 'vitest';
import {
  getLab,
  getTokensByCodeFlow,
  getTokensByDeviceFlow,
  imapLogin,
  labControl,
  labIsAvailable,
  pop3Xoauth2,
  sendMail,
  type PersonaName,
} from '../helpers/lab';

const SERVER_OF: Record<PersonaName, 'gmail' | 'microsoft'> = { google: 'gmail', microsoft: 'microsoft' };
const CASES = [
  { persona: 'google', account: 'alice@gmail.lab.test', otherAccount: 'bob@gmail.lab.test' },
  { persona: 'microsoft', account: 'carol@contoso.lab.test', otherAccount: 'dave@contoso.lab.test' },
] as const;

describe.skipIf(!labIsAvailable)('tokens from the lab authorization server at the lab mail servers', () => {
  afterEach(() => labControl.reset());

  describe.each(CASES)('$persona persona', ({ persona, account, otherAccount }) => {
    const mailServer = () => getLab().mail[SERVER_OF[persona]];

    it('logs in to IMAP, POP3 and submission, and the message sent reaches the sink', async () => {
      const { accessToken } = await getTokensByCodeFlow({ persona, account });
      const auth = { user: account, accessToken };

      await imapLogin({ endpoint: mailServer().imap.tls, auth });
      expect(await pop3Xoauth2({ endpoint: mailServer().pop3.tls, ...auth })).toMatch(/^\+OK/);
      const recipient = `${persona}-recipient@elsewhere.lab.test`;
      const subject = await sendMail({ endpoint: mailServer().smtp.starttls, security: 'starttls', auth, to: recipient });
      const implicitTlsSubject = await sendMail({ endpoint: mailServer().smtp.tls, security: 'tls', auth, to: recipient });

      const received = await labControl.receivedMessages({ to: recipient });
      expect(received.map((message) => message.subject)).toEqual(expect.arrayContaining([subject, implicitTlsSubject]));
      expect(received.find((message) => message.subject === subject)?.envelopeFrom).toBe(account);
    });

    it('rejects a revoked token, another user\'s token and a garbage token', async () => {
      const own = await getTokensByCodeFlow({ persona, account: otherAccount });
      const someoneElses = await getTokensByCodeFlow({ persona, account });

      await expect(imapLogin({ endpoint: mailServer().imap.tls, auth: { user: otherAccount, accessToken: someoneElses.accessToken } })).rejects.toMatchObject({ authenticationFailed: true });
      await expect(imapLogin({ endpoint: mailServer().imap.tls, auth: { user: otherAccount, accessToken: 'not-a-token' } })).rejects.toMatchObject({ authenticationFailed: true });
      await expect(sendMail({ endpoint: mailServer().smtp.starttls, security: 'starttls', auth: { user: otherAccount, accessToken: 'not-a-token' }, to: 'x@elsewhere.lab.test' })).rejects.toMatchObject({ responseCode: 535 });

      await imapLogin({ endpoint: mailServer().imap.tls, auth: { user: otherAccount, accessToken: own.accessToken } });
      expect((await labControl.revokeGrants({ account: otherAccount })).revoked).toBeGreaterThan(0);
      await expect(imapLogin({ endpoint: mailServer().imap.tls, auth: { user: otherAccount, accessToken: own.accessToken } })).rejects.toMatchObject({ authenticationFailed: true });
      expect(await pop3Xoauth2({ endpoint: mailServer().pop3.tls, user: otherAccount, accessToken: own.accessToken })).toMatch(/^-ERR/);
      await expect(sendMail({ endpoint: mailServer().smtp.starttls, security: 'starttls', auth: { user: otherAccount, accessToken: own.accessToken }, to: 'x@elsewhere.lab.test' })).rejects.toMatchObject({ responseCode: 535 });
    });
  });

  it('a token from Microsoft\'s device flow logs in to IMAP', async () => {
    const { accessToken } = await getTokensByDeviceFlow({ persona: 'microsoft', account: 'dave@contoso.lab.test' });
    await imapLogin({ endpoint: getLab().mail.microsoft.imap.tls, auth: { user: 'dave@contoso.lab.test', accessToken } });
  });

  it('asks Microsoft tokens for the scope of each protocol', async () => {
    const dave = 'dave@contoso.lab.test';
    const { identityScopes, mailScopes } = getLab().personas.microsoft;
    const imapScope = mailScopes.find((scope) => scope.endsWith('/IMAP.AccessAsUser.All'));
    if (!imapScope) throw new Error('no IMAP scope');
    const { accessToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: dave, scopes: [...identityScopes, imapScope] });
    const { microsoft } = getLab().mail;

    await imapLogin({ endpoint: microsoft.imap.tls, auth: { user: dave, accessToken } });
    expect(await pop3Xoauth2({ endpoint: microsoft.pop3.tls, user: dave, accessToken })).toMatch(/^-ERR/);
    await expect(sendMail({ endpoint: microsoft.smtp.starttls, security: 'starttls', auth: { user: dave, accessToken }, to: 'x@elsewhere.lab.test' })).rejects.toMatchObject({ responseCode: 535 });
  });

  it('a Google token does not open the Microsoft-like server', async () => {
    const { accessToken } = await getTokensByCodeFlow({ persona: 'google', account: 'alice@gmail.lab.test' });
    await expect(imapLogin({ endpoint: getLab().mail.microsoft.imap.tls, auth: { user: 'alice@gmail.lab.test', accessToken } })).rejects.toMatchObject({ authenticationFailed: true });
  });

  it('the generic server takes passwords, over STARTTLS too, including for an account added at run time', async () => {
    const erin = getLab().accounts.find((account) => account.provider === 'password');
    if (!erin?.password) throw new Error('The lab lists no password account');
    const { imap, smtp } = getLab().mail.generic;
    await imapLogin({ endpoint: imap.tls, auth: { user: erin.email, pass: erin.password } });
    await expect(imapLogin({ endpoint: imap.tls, auth: { user: erin.email, pass: 'wrong' } })).rejects.toMatchObject({ authenticationFailed: true });

    const added = await labControl.createAccount({ email: `frank-${Date.now()}@imap.lab.test`, provider: 'password', password: 'frank-password' });
    const subject = await sendMail({ endpoint: smtp.starttls, security: 'starttls', auth: { user: added.email, pass: 'frank-password' }, to: 'generic@elsewhere.lab.test' });
    expect((await labControl.receivedMessages({ to: 'generic@elsewhere.lab.test' })).map((message) => message.subject)).toContain(subject);
  });

  it('advertises what each provider advertises', async () => {
    const { gmail, microsoft } = getLab().mail;
    expect(gmail.saslMechanisms).toEqual(['XOAUTH2', 'OAUTHBEARER']);
    expect(microsoft.saslMechanisms).toEqual(['XOAUTH2']);
  });
});
