import { spawn, type ChildProcess } from 'node:child_process';
import { access, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LAB_HOST } from './lab-config';
import type { MailServerName } from './lab-info';

export const DOVECOT_INSTALL_HINT =
  'Dovecot is not installed. Install it with: sudo apt-get install dovecot-imapd dovecot-pop3d dovecot-submissiond';

const DEFAULT_DOVECOT_PATH = '/usr/sbin/dovecot';
const DEBIAN_DH_PARAMETERS = '/usr/share/dovecot/dh.pem';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 1_000;

export type DovecotListener = 'imap' | 'imaps' | 'pop3' | 'pop3s' | 'submission' | 'submissions';
export type DovecotPorts = Record<DovecotListener, number>;

export type PasswordEntry = { email: string; password: string };

export type DovecotProtocol = 'imap' | 'pop3' | 'submission';

export type DovecotOAuth2 = {
  introspectionUrl: string;
  openidConfigurationUrl: string;
  /** The scope a token needs for each protocol, as Microsoft has one per protocol. */
  requiredScopes: Record<DovecotProtocol, string>;
};

const DOVECOT_PROTOCOLS: DovecotProtocol[] = ['imap', 'pop3', 'submission'];

function oauth2ConfigPath(options: { directory: string; protocol: DovecotProtocol }): string {
  return join(options.directory, `oauth2-${options.protocol}.conf`);
}

export type DovecotOptions = {
  name: MailServerName;
  directory: string;
  ports: DovecotPorts;
  saslMechanisms: string[];
  certificatePath: string;
  keyPath: string;
  relayPort: number;
  /** Token logins, validated by introspection at the persona. */
  oauth2?: DovecotOAuth2;
  /** Password logins, from a passwd-file the lab rewrites when a test adds an account. */
  passwords?: PasswordEntry[];
};

export function dovecotPath(): string {
  return process.env.MAILROOM_LAB_DOVECOT ?? DEFAULT_DOVECOT_PATH;
}

/** Null when the Debian packages the lab needs are there, otherwise what is missing and how to install it. */
export async function findMissingDovecot(): Promise<string | null> {
  try {
    await access(dovecotPath());
  } catch {
    return `${DOVECOT_INSTALL_HINT} (no ${dovecotPath()})`;
  }
  const protocols = await readDovecotProtocols();
  const missing = ['imap', 'pop3', 'submission'].filter((protocol) => !protocols.has(protocol));
  return missing.length ? `${DOVECOT_INSTALL_HINT} (missing: ${missing.join(', ')})` : null;
}

// Debian's protocol packages each drop a file into /usr/share/dovecot/protocols.d; when the binary
// is somewhere else (a custom build), trust that it serves all three.
async function readDovecotProtocols(): Promise<Set<string>> {
  if (dovecotPath() !== DEFAULT_DOVECOT_PATH) return new Set(['imap', 'pop3', 'submission']);
  const protocols = new Set<string>();
  for (const protocol of ['imap', 'pop3', 'submission']) {
    const binary = `/usr/lib/dovecot/${protocol}`;
    if (await access(binary).then(() => true, () => false)) protocols.add(protocol);
  }
  return protocols;
}

/** The user and group Dovecot's mail processes run as when the lab runs as root. */
const MAIL_USER = 'mail';

function processUsers(): { lines: string[]; userdbIds: string } {
  if (process.getuid?.() === 0) {
    return {
      lines: ['default_internal_user = dovecot', 'default_login_user = dovenull', 'first_valid_uid = 8', 'first_valid_gid = 8'],
      userdbIds: `uid=${MAIL_USER} gid=${MAIL_USER}`,
    };
  }
  // Without root Dovecot cannot switch users or chroot: everything runs as whoever runs the lab.
  const { username, uid, gid } = userInfo();
  return {
    lines: [
      `default_internal_user = ${username}`,
      `default_login_user = ${username}`,
      `first_valid_uid = ${uid}`,
      `first_valid_gid = ${gid}`,
      ...['imap-login', 'pop3-login', 'submission-login', 'anvil'].map((service) => `service ${service} {\n  chroot =\n}`),
    ],
    userdbIds: `uid=${uid} gid=${gid}`,
  };
}

/** The numeric id of `name` in an /etc/passwd- or /etc/group-like file. */
async function idInDatabase(options: { file: string; name: string }): Promise<number> {
  const lines = (await readFile(options.file, 'utf8')).split('\n');
  const fields = lines.map((line) => line.split(':')).find((entry) => entry[0] === options.name);
  const id = Number(fields?.[2]);
  if (!Number.isInteger(id)) throw new Error(`No ${options.name} in ${options.file}`);
  return id;
}

/**
 * Who must own what the lab writes into a mailbox for Dovecot's mail processes to use it: the mail
 * user when the lab runs as root, else nobody else (null), since Dovecot then runs as the lab's user.
 */
export async function mailProcessOwner(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const [uid, gid] = await Promise.all([
    idInDatabase({ file: '/etc/passwd', name: MAIL_USER }),
    idInDatabase({ file: '/etc/group', name: MAIL_USER }),
  ]);
  return { uid, gid };
}

/** Where Dovecot keeps each user's Maildir (`mail_location`): `<mail root>/<domain>/<user>`. */
export function mailRootOf(directory: string): string {
  return join(directory, 'mail');
}

function passwordFilePath(directory: string): string {
  return join(directory, 'users.passwd');
}

async function renderConfig(options: DovecotOptions): Promise<string> {
  const { name, directory, ports, oauth2 } = options;
  const users = processUsers();
  const hasDhParameters = await access(DEBIAN_DH_PARAMETERS).then(() => true, () => false);
  const listener = (listenerName: DovecotListener, ssl: boolean) =>
    `  inet_listener ${listenerName} {\n    address = ${LAB_HOST}\n    port = ${ports[listenerName]}\n    ssl = ${ssl ? 'yes' : 'no'}\n  }`;
  const passdbs: string[] = [];
  if (options.passwords) {
    passdbs.push(`passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%Lu ${passwordFilePath(directory)}\n}`);
  }
  if (oauth2) {
    // Dovecot takes one wanted scope per oauth2 passdb: one passdb per protocol.
    for (const protocol of DOVECOT_PROTOCOLS) {
      passdbs.push(
        `protocol ${protocol} {\n  passdb {\n    driver = oauth2\n    mechanisms = xoauth2 oauthbearer\n    args = ${oauth2ConfigPath({ directory, protocol })}\n  }\n}`,
      );
    }
  }
  return [
    `instance_name = mailroom-lab-${name}-${process.pid}`,
    `base_dir = ${join(directory, 'run')}`,
    `state_dir = ${join(directory, 'state')}`,
    `log_path = ${join(directory, 'dovecot.log')}`,
    'protocols = imap pop3 submission',
    `listen = ${LAB_HOST}`,
    `hostname = ${name}.lab.test`,
    'postmaster_address = postmaster@lab.test',
    'ssl = yes',
    `ssl_cert = <${options.certificatePath}`,
    `ssl_key = <${options.keyPath}`,
    ...(hasDhParameters ? [`ssl_dh = <${DEBIAN_DH_PARAMETERS}`] : []),
    `auth_mechanisms = ${options.saslMechanisms.join(' ')}`,
    // Failed logins are part of the tests: no per-IP penalty, no delay (see LAB.md).
    'auth_failure_delay = 0',
    `mail_location = maildir:${mailRootOf(directory)}/%d/%n`,
    ...users.lines,
    `submission_relay_host = ${LAB_HOST}`,
    `submission_relay_port = ${options.relayPort}`,
    'submission_relay_trusted = yes',
    'submission_relay_ssl = no',
    `service imap-login {\n${listener('imap', false)}\n${listener('imaps', true)}\n}`,
    `service pop3-login {\n${listener('pop3', false)}\n${listener('pop3s', true)}\n}`,
    `service submission-login {\n${listener('submission', false)}\n${listener('submissions', true)}\n}`,
    'service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}',
    ...passdbs,
    `userdb {\n  driver = static\n  args = ${users.userdbIds} home=${mailRootOf(directory)}/%d/%n allow_all_users=yes\n}`,
    '',
  ].join('\n');
}

/**
 * Written beside the file and renamed over it: Dovecot opens either the old file or the new one,
 * never one that a write has just emptied (which it would then keep for a second as "no such user").
 */
async function writePasswordFile(options: { directory: string; entries: PasswordEntry[] }): Promise<void> {
  const lines = options.entries.map(({ email, password }) => `${email.toLowerCase()}:{PLAIN}${password}::::::\n`);
  const file = passwordFilePath(options.directory);
  await writeFile(`${file}.new`, lines.join(''), { mode: 0o644 });
  await rename(`${file}.new`, file);
}

function renderOAuth2Config(options: { oauth2: DovecotOAuth2; protocol: DovecotProtocol }): string {
  const { oauth2, protocol } = options;
  return [
    'introspection_mode = post',
    `introspection_url = ${oauth2.introspectionUrl}`,
    'force_introspection = yes',
    'username_attribute = email',
    'active_attribute = active',
    'active_value = true',
    `openid_configuration_url = ${oauth2.openidConfigurationUrl}`,
    `scope = ${oauth2.requiredScopes[protocol]}`,
    '',
  ].join('\n');
}

async function waitUntilAccepting(options: { ports: number[]; process: ChildProcess; logPath: string }): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const pending = new Set(options.ports);
  while (pending.size) {
    if (options.process.exitCode !== null) {
      const log = await readFile(options.logPath, 'utf8').catch(() => '');
      throw new Error(`Dovecot exited with code ${options.process.exitCode}:\n${log.slice(-2000)}`);
    }
    if (Date.now() > deadline) throw new Error(`Dovecot did not open ports ${[...pending].join(', ')} in time`);
    for (const port of [...pending]) {
      if (await isAccepting(port)) pending.delete(port);
    }
    if (pending.size) await sleep(20);
  }
}

function signalGroup(options: { child: ChildProcess; signal: NodeJS.Signals }): void {
  if (options.child.pid === undefined) return;
  try {
    process.kill(-options.child.pid, options.signal);
  } catch {
    // The group is already gone.
  }
}

function isAccepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LAB_HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Another process took a port between its reservation and Dovecot's bind. */
export class DovecotPortTakenError extends Error {}

/** One Dovecot master with its own configuration, directories and listeners, all under `directory`. */
export class DovecotServer {
  /** The password file's writes, one after another in the order they were asked for. */
  private passwordWrites: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: DovecotOptions,
    private readonly child: ChildProcess,
  ) {}

  static async start(options: DovecotOptions): Promise<DovecotServer> {
    const { directory } = options;
    const mailDirectory = mailRootOf(directory);
    await Promise.all([mkdir(mailDirectory, { recursive: true }), mkdir(join(directory, 'state'), { recursive: true })]);
    // The mail user (not the one running the lab) creates the mailboxes.
    await Promise.all([chmod(directory, 0o755), chmod(mailDirectory, 0o1777)]);
    const configPath = join(directory, 'dovecot.conf');
    await writeFile(configPath, await renderConfig(options));
    // Dovecot's auth process reads these as its own unprivileged user.
    const { oauth2 } = options;
    if (oauth2) {
      await Promise.all(
        DOVECOT_PROTOCOLS.map((protocol) =>
          writeFile(oauth2ConfigPath({ directory, protocol }), renderOAuth2Config({ oauth2, protocol }), { mode: 0o644 }),
        ),
      );
    }
    if (options.passwords) await writePasswordFile({ directory, entries: options.passwords });

    // Its own process group: Ctrl-C in a terminal reaches the lab, which stops Dovecot itself, and
    // a stop signals every Dovecot process at once instead of the master alone, which would wait
    // seconds for login processes that are still starting.
    const child = spawn(dovecotPath(), ['-F', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    // Should the lab's process end without stopping the lab (a crash), Dovecot must not outlive it.
    const stopWithParent = () => signalGroup({ child, signal: 'SIGTERM' });
    process.once('exit', stopWithParent);
    child.once('exit', () => process.off('exit', stopWithParent));
    const stderr: Buffer[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const server = new DovecotServer(options, child);
    try {
      await waitUntilAccepting({ ports: Object.values(options.ports), process: child, logPath: join(directory, 'dovecot.log') });
    } catch (error) {
      await server.stop();
      const output = Buffer.concat(stderr).toString('utf8').trim();
      const log = await readFile(join(directory, 'dovecot.log'), 'utf8').catch(() => '');
      const ErrorType = /Address already in use/.test(output + log) ? DovecotPortTakenError : Error;
      throw new ErrorType(`The ${options.name} Dovecot did not start${output ? `: ${output}` : ''}`, { cause: error });
    }
    return server;
  }

  get ports(): DovecotPorts {
    return this.options.ports;
  }

  get mailRoot(): string {
    return mailRootOf(this.options.directory);
  }

  /**
   * Dovecot re-reads a changed passwd-file without a reload, but looks at it at most once per
   * second of its clock: the new accounts count from the next second on, so wait for it.
   */
  async writePasswords(entries: PasswordEntry[]): Promise<void> {
    // Accounts added side by side each rewrite the whole file from the accounts known when they were
    // added. Unordered, an older list could be written last and drop the newest accounts for good.
    const written = this.passwordWrites.then(() => writePasswordFile({ directory: this.options.directory, entries }));
    this.passwordWrites = written.catch(() => undefined);
    await written;
    await sleep(1_000 - (Date.now() % 1_000) + 10);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    signalGroup({ child: this.child, signal: 'SIGTERM' });
    // A master whose login processes are still starting can take seconds; its state is disposable.
    const stoppedInTime = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!stoppedInTime) {
      signalGroup({ child: this.child, signal: 'SIGKILL' });
      await exited;
    }
  }
}
