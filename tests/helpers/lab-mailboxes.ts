// Many lab password mailboxes at once, for the bulk tests (one portal instance or several).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServerProfile, User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { applyMailboxEvent, createMailbox } from '@/lib/mailboxes/mailboxes';
import { setMailboxPassword } from '@/lib/mailboxes/set-mailbox-password';
import { insertProfile } from './fixtures';
import { getLab, imapLogin, labControl, type MailPorts } from './lab';

/** Runs `work` over `items`, `width` at a time. */
export async function inBatches<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += width) results.push(...(await Promise.all(items.slice(start, start + width).map(work))));
  return results;
}

/** The lab's CA in a file, as an operator trusts a company CA: through MAILROOM_EXTRA_CA_FILE. */
export function writeLabCaFile(): string {
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'mailroom-ca-')), 'lab-ca.pem');
  writeFileSync(caFile, getLab().caCertificate);
  return caFile;
}

/** A custom password profile on ports of the lab's generic server (IMAP over TLS, SMTP with STARTTLS). */
export function labPasswordProfile(ports: MailPorts, overrides: Parameters<typeof insertProfile>[0] = {}): Promise<ServerProfile> {
  return insertProfile({
    name: `Lab bulk ${randomBytes(3).toString('hex')}`,
    serverType: 'custom',
    authType: 'password',
    clientId: null,
    scopes: [],
    incomingProtocol: 'imap',
    incomingHost: ports.imap.tls.host,
    incomingPort: ports.imap.tls.port,
    incomingSecurity: 'tls',
    outgoingHost: ports.smtp.starttls.host,
    outgoingPort: ports.smtp.starttls.port,
    outgoingSecurity: 'starttls',
    internalServer: true,
    connectionTimeoutSeconds: 10,
    ...overrides,
  });
}

/**
 * Lab password accounts, one per mailbox (the login is `<name>-<run>@imap.lab.test`), attached to
 * `profile` and connected with their password, or with `storedPassword` instead when given.
 */
export async function connectedPasswordMailboxes({
  profile,
  owner,
  names,
  run,
  storedPassword,
}: {
  profile: ServerProfile;
  owner: User;
  names: string[];
  run: string;
  storedPassword?: string;
}) {
  // The lab writes its password file in order, one account list after another: a hundred at a time is safe.
  const accounts = await inBatches(names, 100, async (name) => {
    const address = `${name}-${run}@imap.lab.test`;
    const password = `pw-${randomBytes(9).toString('hex')}`;
    await labControl.createAccount({ email: address, provider: 'password', password });
    return { address, password };
  });
  const created = await inBatches(accounts, 10, async ({ address, password }) => {
    const mailbox = await createMailbox({
      actor: COMMAND_LINE_ACTOR,
      input: { address, ownerId: owner.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared: false },
    });
    await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
    await setMailboxPassword({ viewer: owner, mailboxId: mailbox.id, password: storedPassword ?? password });
    return { ...mailbox, password };
  });
  // Accounts take up to a second to reach Dovecot: wait for the last one, through the lab's shared ports.
  const last = accounts.at(-1)!;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await imapLogin({ endpoint: getLab().mail.generic.imap.tls, auth: { user: last.address, pass: last.password }, timeoutMs: 5000 });
      break;
    } catch (error) {
      if (attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return created;
}
