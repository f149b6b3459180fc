// What Gmail and Exchange Online answer where Dovecot would answer in its own words. Dovecot
// refuses a token with a challenge of its own ({"status":"401","schemes":"bearer","scope":"mail"}),
// which names no provider's scope: the fronts speak these lines instead.

export type OAuthMailServer = 'gmail' | 'microsoft';

/** Gmail's challenge for any refused XOAUTH2 or OAUTHBEARER sign-in, on IMAP and SMTP alike. */
export const GMAIL_OAUTH_CHALLENGE = Buffer.from(
  JSON.stringify({ status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' }),
).toString('base64');

export const IMAP_REPLIES: Record<OAuthMailServer, { authenticationFailed: string; imapDisabled: string }> = {
  gmail: {
    authenticationFailed: 'NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)',
    // Sent instead of OK once the token is accepted: Gmail knows whose account it is.
    imapDisabled:
      'NO [ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)',
  },
  microsoft: {
    // Exchange Online sends no challenge: the refusal is this one line.
    authenticationFailed: 'NO AUTHENTICATE failed.',
    // Exchange Online accepts the token, then refuses every command that needs the mailbox.
    imapDisabled: 'BAD User is authenticated but not connected.',
  },
};

export const SMTP_REPLIES: Record<OAuthMailServer, { authenticationFailed: string[]; authBeforeStartTls: string }> = {
  gmail: {
    authenticationFailed: [
      '535-5.7.8 Username and Password not accepted. For more information, go to',
      '535 5.7.8  https://support.google.com/mail/?p=BadCredentials lab - gsmtp',
    ],
    authBeforeStartTls: '530 5.7.0 Must issue a STARTTLS command first. lab - gsmtp',
  },
  microsoft: {
    authenticationFailed: ['535 5.7.3 Authentication unsuccessful [microsoft.lab.test]'],
    authBeforeStartTls: '504 5.7.4 Unrecognized authentication type',
  },
};

/** Gmail's temporary refusal of a message, which a sender retries later. */
export const SMTP_DEFERRED_REPLY = '451 4.3.0 Mail server temporarily rejected message. lab - gsmtp';

export const SMTP_AUTH_DISABLED_REPLY =
  '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.';
