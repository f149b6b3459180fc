// The mailboxes Dovecot serves, read and written the Maildir way, so that the mail APIs and the
// SMTP sink's deliveries see the same INBOX as IMAP and POP3 do.
import { chown, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabAccounts } from './lab-accounts';
import type { LabAccount, MailServerName, ReceivedMessage } from './lab-info';
import { parseHeaders, type MailHeader } from './mail-headers';

export type MaildirOwner = { uid: number; gid: number } | null;

export type MaildirMessage = {
  /** The file's base name, before the `:2,<flags>` Dovecot appends when it moves the file to cur/. */
  id: string;
  raw: string;
  headers: MailHeader[];
  receivedAt: Date;
  unread: boolean;
};

const MAIL_SERVER_OF: Record<LabAccount['provider'], MailServerName> = { google: 'gmail', microsoft: 'microsoft', password: 'generic' };
const READ_ATTEMPTS = 3;

let deliveries = 0;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function namesIn(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).filter((name) => !name.startsWith('.'));
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

async function readMessage(options: { directory: string; name: string; seen: boolean }): Promise<MaildirMessage> {
  const path = join(options.directory, options.name);
  const [raw, status] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  const [id = options.name, info = ''] = options.name.split(':');
  return { id, raw, headers: parseHeaders(raw), receivedAt: status.mtime, unread: !(options.seen && /^2,.*S/.test(info)) };
}

async function readInboxOnce(maildir: string): Promise<MaildirMessage[]> {
  const [fresh, current] = await Promise.all([namesIn(join(maildir, 'new')), namesIn(join(maildir, 'cur'))]);
  return Promise.all([
    ...fresh.map((name) => readMessage({ directory: join(maildir, 'new'), name, seen: false })),
    ...current.map((name) => readMessage({ directory: join(maildir, 'cur'), name, seen: true })),
  ]);
}

/** The INBOX of one Maildir, newest first; empty when Dovecot has not created it yet. */
export async function readInbox(maildir: string): Promise<MaildirMessage[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const messages = await readInboxOnce(maildir);
      return messages.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || b.id.localeCompare(a.id));
    } catch (error) {
      // Dovecot moved a file from new/ to cur/ between the listing and the read: list again.
      if (!isMissing(error) || attempt === READ_ATTEMPTS) throw error;
    }
  }
}

async function makeOwnedDirectory(options: { path: string; owner: MaildirOwner }): Promise<void> {
  await mkdir(options.path, { recursive: true, mode: 0o700 });
  if (options.owner) await chown(options.path, options.owner.uid, options.owner.gid);
}

/**
 * Delivers as Dovecot's LDA does: Return-Path and Delivered-To on top, LF line ends, written in tmp/
 * and renamed into new/, owned by the mail processes' user. Creates the Maildir when missing.
 */
export async function deliverToMaildir(options: {
  mailRoot: string;
  email: string;
  envelopeFrom: string;
  raw: string;
  owner: MaildirOwner;
}): Promise<string> {
  const { mailRoot, email, owner } = options;
  const maildir = maildirOf({ mailRoot, email });
  const domainDirectory = join(maildir, '..');
  for (const path of [domainDirectory, maildir, ...['tmp', 'new', 'cur'].map((name) => join(maildir, name))]) {
    await makeOwnedDirectory({ path, owner });
  }
  const now = Date.now();
  deliveries += 1;
  const id = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${deliveries}.mailroom-lab`;
  const message = `Return-Path: <${options.envelopeFrom}>\nDelivered-To: ${email}\n${options.raw.replace(/\r\n/g, '\n')}`;
  const temporary = join(maildir, 'tmp', id);
  await writeFile(temporary, message, { mode: 0o600 });
  if (owner) await chown(temporary, owner.uid, owner.gid);
  await rename(temporary, join(maildir, 'new', id));
  return id;
}

/** `<mail root>/<domain>/<user>`, as Dovecot's `mail_location` names it. */
export function maildirOf(options: { mailRoot: string; email: string }): string {
  const at = options.email.lastIndexOf('@');
  const user = options.email.slice(0, at).toLowerCase();
  const domain = options.email.slice(at + 1).toLowerCase();
  const unsafe = (part: string) => !part || part === '.' || part === '..' || part.includes('/');
  if (at < 0 || unsafe(user) || unsafe(domain)) throw new Error(`Not a mailbox address: ${options.email}`);
  return join(options.mailRoot, domain, user);
}

/** The lab accounts' INBOXes, each in the Maildir of the Dovecot that serves the account. */
export class LabMailboxes {
  constructor(
    private readonly accounts: LabAccounts,
    private readonly mailRoots: Record<MailServerName, string>,
    private readonly owner: MaildirOwner,
  ) {}

  /** Null when `email` is no lab account. */
  private mailRootOf(email: string): string | null {
    const account = this.accounts.find(email);
    return account ? this.mailRoots[MAIL_SERVER_OF[account.provider]] : null;
  }

  /** The account's INBOX, newest first; empty for an address the lab does not know. */
  async readInbox(email: string): Promise<MaildirMessage[]> {
    const mailRoot = this.mailRootOf(email);
    return mailRoot ? readInbox(maildirOf({ mailRoot, email })) : [];
  }

  /** Into the INBOX of each recipient that is a lab account; other recipients only reach the sink. */
  async deliver(message: ReceivedMessage): Promise<void> {
    const recipients = [...new Set(message.envelopeTo.map((address) => address.toLowerCase()))];
    await Promise.all(
      recipients.map(async (email) => {
        const mailRoot = this.mailRootOf(email);
        if (!mailRoot) return;
        await deliverToMaildir({ mailRoot, email, envelopeFrom: message.envelopeFrom, raw: message.raw, owner: this.owner });
      }),
    );
  }
}
