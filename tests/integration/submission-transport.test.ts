// Issue 12, point 6: notifications send through nodemailer on the connection whose certificate
// Mailroom judged itself, for implicit TLS and for STARTTLS alike.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSubmissionTransport } from '@/lib/mail/submission-transport';
import { CertificateError } from '@/lib/net/line-connection';
import { getLab, labControl, labIsAvailable, waitForReceivedMail } from '../helpers/lab';

const run = randomBytes(3).toString('hex');

async function passwordAccount(name: string) {
  const address = `${name}-${run}@imap.lab.test`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  await labControl.createAccount({ email: address, provider: 'password', password });
  return { address, password };
}

describe.skipIf(!labIsAvailable)('openSubmissionTransport, against the mail lab', () => {
  it('sends over STARTTLS and over implicit TLS, on the verified connection', async () => {
    const { generic } = getLab().mail;
    const account = await passwordAccount('submission');
    for (const [security, endpoint] of [['starttls', generic.smtp.starttls], ['tls', generic.smtp.tls]] as const) {
      const since = new Date();
      const subject = `Submission over ${security} ${run}`;
      const transport = await openSubmissionTransport({
        target: { host: endpoint.host, port: endpoint.port, security },
        address: endpoint.host,
        signIn: { user: account.address, pass: account.password },
        acceptedCertificates: [],
        caCertificates: [getLab().caCertificate],
        timeoutMs: 5000,
      });
      try {
        await transport.sendMail({ from: account.address, to: account.address, subject, text: 'Sent on the verified connection.' });
      } finally {
        transport.close();
      }
      expect((await waitForReceivedMail({ to: account.address, subject, since })).subject).toBe(subject);
    }
  });

  it('refuses a server whose certificate is not the accepted one before nodemailer gets the connection', async () => {
    const { starttls } = getLab().mail.generic.smtp;
    const opening = openSubmissionTransport({
      target: { host: starttls.host, port: starttls.port, security: 'starttls' },
      address: starttls.host,
      signIn: { user: 'nobody@imap.lab.test', pass: 'never sent' },
      acceptedCertificates: [{ host: starttls.host, sha256: 'ab'.repeat(32) }],
      caCertificates: [getLab().caCertificate],
      timeoutMs: 5000,
    });
    await expect(opening).rejects.toBeInstanceOf(CertificateError);
    await expect(opening).rejects.toMatchObject({ code: 'CERT_MISMATCH' });
  });

  it('refuses a self-signed certificate nobody accepted', async () => {
    const endpoint = getLab().mail.generic.selfSigned.smtp;
    const opening = openSubmissionTransport({
      target: { host: endpoint.host, port: endpoint.port, security: 'tls' },
      address: endpoint.host,
      signIn: { user: 'nobody@imap.lab.test', pass: 'never sent' },
      acceptedCertificates: [],
      caCertificates: [getLab().caCertificate],
      timeoutMs: 5000,
    });
    await expect(opening).rejects.toMatchObject({ code: 'CERT_UNTRUSTED', reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});
