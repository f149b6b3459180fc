import type { NotificationMessage } from './send-notification';

const utcMinute = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The mail that invites a new user to choose their password. */
export function invitationMail({ to, url, expiresAt, sentBy }: { to: string; url: string; expiresAt: Date; sentBy: string }): NotificationMessage {
  return {
    to,
    subject: 'Your Mailroom account is ready',
    text: [
      'Hello,',
      '',
      `${sentBy} added you to Mailroom, the portal where your organization connects and checks its mailboxes.`,
      'Open this link to choose your password, then sign in:',
      '',
      url,
      '',
      `The link works once, until ${utcMinute(expiresAt)}. If you did not expect this message, you can ignore it.`,
    ].join('\n'),
  };
}

/** The mail that lets an existing user choose a new password. */
export function passwordResetMail({ to, url, expiresAt, sentBy }: { to: string; url: string; expiresAt: Date; sentBy: string }): NotificationMessage {
  return {
    to,
    subject: 'Choose a new Mailroom password',
    text: [
      'Hello,',
      '',
      `${sentBy} sent you this link to choose a new password for Mailroom.`,
      'Open it, choose the new password, then sign in with it:',
      '',
      url,
      '',
      `The link works once, until ${utcMinute(expiresAt)}. Your current password keeps working until you choose a new one.`,
      'If you did not ask for this, tell your Mailroom admin.',
    ].join('\n'),
  };
}
