import { writeMail, type WriteMail } from './mail-text';

type LinkMail = { url: string; expiresAt: Date; sentBy: string };

/** The mail that invites a new user to choose their password. */
export function invitationMail({ url, expiresAt, sentBy }: LinkMail): WriteMail {
  return writeMail('mails.invitation', { url, sentBy }, { until: expiresAt });
}

/** The mail that lets an existing user choose a new password. */
export function passwordResetMail({ url, expiresAt, sentBy }: LinkMail): WriteMail {
  return writeMail('mails.passwordReset', { url, sentBy }, { until: expiresAt });
}

/** The mail that asks a mailbox's owner to connect it again. */
export function reconnectLinkMail({ address, url, expiresAt, sentBy }: LinkMail & { address: string }): WriteMail {
  return writeMail('mails.reconnect', { address, url, sentBy }, { until: expiresAt });
}
