import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { AuthorizationServer } from './authorization-server';
import { startControlApi } from './control-api';
import { DovecotPortTakenError, DovecotServer, findMissingDovecot, mailProcessOwner, type DovecotListener, type DovecotOAuth2, type DovecotPorts, type DovecotProtocol, type PasswordEntry } from './dovecot';
import { listen } from './http-utilities';
import { LabAccounts } from './lab-accounts';
import {
  GOOGLE_MAIL_SCOPE,
  LAB_ACCOUNTS,
  labClients,
  portalCallbackUrl,
  LAB_HOST,
  MICROSOFT_IMAP_SCOPE,
  MICROSOFT_POP_SCOPE,
  MICROSOFT_SMTP_SCOPE,
} from './lab-config';
import type {
  ApiRequestCounts,
  ConnectionStats,
  Endpoint,
  LabAccount,
  LabInfo,
  MailPorts,
  MailProtocol,
  MailServerInfo,
  MailServerName,
  OAuthClient,
  PersonaName,
  ReceivedMessage,
  ServerFault,
  SmtpFault,
  IdTokenFault,
  InboxMessage,
  LiveTokens,
  MailApiFault,
  MailApiName,
  MailboxRights,
  TokenFault,
  TokenRequestCounts,
} from './lab-info';
import { MailApis } from './mail-apis';
import { headerValue, parseAddresses } from './mail-headers';
import { LabMailboxes } from './maildir';
import { ConnectionCounter, MailFront, pipeTo, terminateTlsTo, type ConnectionHandler } from './mail-front';
import { providerImapSession } from './imap-session';
import { providerSmtpSession } from './smtp-session';
import { SmtpSink } from './smtp-sink';
import { LAB_DIRECTORY_PREFIX, recordLabOwner, stopStaleLabs } from './stale-labs';
import { createTlsMaterial } from './tls-material';

/** Thrown when the machine lacks what the lab needs; its message says how to install it. */
export class LabUnavailableError extends Error {}

type Security = 'tls' | 'starttls' | 'self-signed';
type FrontRole = { server: MailServerName; protocol: MailProtocol; security: Security };
/** `portsId` marks the fronts of ports opened at run time; the lab's own have none. */
type FrontEntry = FrontRole & { front: MailFront; portsId: string | null };
type Dovecots = Record<MailServerName, DovecotServer>;
type ConnectionCounters = Record<MailProtocol, ConnectionCounter>;
type StartFront = (options: FrontRole & { counters: ConnectionCounter[] }) => Promise<MailFront>;
/** The providers' per-account switches, by lowercased address; SMTP faults with the messages they still apply to. */
type AccountSwitches = { smtpAuthDisabled: Set<string>; imapDisabled: Set<string>; smtpFaults: Map<string, { fault: SmtpFault; times: number }> };

const MAIL_SERVERS: MailServerName[] = ['gmail', 'microsoft', 'generic'];

const DOVECOT_LISTENERS: DovecotListener[] = ['imap', 'imaps', 'pop3', 'pop3s', 'submission', 'submissions'];
const PLAIN_LISTENER: Record<MailProtocol, DovecotListener> = { imap: 'imap', pop3: 'pop3', smtp: 'submission' };
const TLS_LISTENER: Record<MailProtocol, DovecotListener> = { imap: 'imaps', pop3: 'pop3s', smtp: 'submissions' };
const PROTOCOLS: MailProtocol[] = ['imap', 'pop3', 'smtp'];
const SASL_MECHANISMS: Record<MailServerName, string[]> = {
  gmail: ['xoauth2', 'oauthbearer'],
  microsoft: ['xoauth2'],
  generic: ['plain', 'login'],
};

function passwordEntriesOf(accounts: LabAccounts): PasswordEntry[] {
  return accounts
    .list()
    .flatMap((account) => (account.provider === 'password' && account.password ? [{ email: account.email, password: account.password }] : []));
}

/** Ports for each Dovecot's own listeners: all held open together so they differ, then handed over. */
async function reserveDovecotPorts(count: number): Promise<DovecotPorts[]> {
  const servers: Server[] = Array.from({ length: count * DOVECOT_LISTENERS.length }, () => createServer());
  const ports = await Promise.all(servers.map((server) => listen({ server, host: LAB_HOST })));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return Array.from({ length: count }, (_, instance) =>
    Object.fromEntries(
      DOVECOT_LISTENERS.map((listener, index) => [listener, ports[instance * DOVECOT_LISTENERS.length + index]]),
    ) as DovecotPorts,
  );
}

function connectionCounters(): ConnectionCounters {
  return { imap: new ConnectionCounter(), pop3: new ConnectionCounter(), smtp: new ConnectionCounter() };
}

function securitiesOf(server: MailServerName): Security[] {
  return server === 'generic' ? ['tls', 'starttls', 'self-signed'] : ['tls', 'starttls'];
}

function frontStarter(options: {
  dovecots: Dovecots;
  labCertificate: SecureContext;
  selfSignedCertificate: SecureContext;
  switches: AccountSwitches;
}): StartFront {
  const { dovecots, labCertificate, selfSignedCertificate, switches } = options;
  const handlerFor = (server: MailServerName, protocol: MailProtocol, security: Security): ConnectionHandler => {
    const { ports } = dovecots[server];
    if (security === 'self-signed') {
      return terminateTlsTo({ upstreamPort: ports[PLAIN_LISTENER[protocol]], secureContext: selfSignedCertificate });
    }
    // The provider-like servers speak their provider's words where those differ from Dovecot's.
    if (server !== 'generic' && protocol !== 'pop3') {
      const session = {
        server,
        upstreamPort: ports[PLAIN_LISTENER[protocol]],
        secureContext: labCertificate,
        implicitTls: security === 'tls',
      };
      return protocol === 'smtp'
        ? providerSmtpSession({ ...session, isSmtpAuthDisabled: (email) => switches.smtpAuthDisabled.has(email), takeSmtpFault: (email) => takeSmtpFault(switches, email) })
        : providerImapSession({ ...session, isImapDisabled: (email) => switches.imapDisabled.has(email) });
    }
    return pipeTo(ports[security === 'tls' ? TLS_LISTENER[protocol] : PLAIN_LISTENER[protocol]]);
  };
  return ({ server, protocol, security, counters }) =>
    MailFront.start({ handleConnection: handlerFor(server, protocol, security), counters });
}

function endpointOf(options: { fronts: FrontEntry[]; server: MailServerName; protocol: MailProtocol; security: Security }): Endpoint {
  const { fronts, server, protocol, security } = options;
  const entry = fronts.find((front) => front.server === server && front.protocol === protocol && front.security === security);
  if (!entry) throw new Error(`The lab has no ${security} ${protocol} listener for ${server}`);
  return { host: LAB_HOST, port: entry.front.port };
}

function mailServerInfoOf(options: { fronts: FrontEntry[]; server: MailServerName }): MailServerInfo {
  const { fronts, server } = options;
  const endpoints = (protocol: MailProtocol, security: Security) => endpointOf({ fronts, server, protocol, security });
  return {
    name: server,
    saslMechanisms: SASL_MECHANISMS[server].map((mechanism) => mechanism.toUpperCase()),
    ...(Object.fromEntries(
      PROTOCOLS.map((protocol) => [protocol, { tls: endpoints(protocol, 'tls'), starttls: endpoints(protocol, 'starttls') }]),
    ) as Pick<MailServerInfo, MailProtocol>),
  };
}

function takeSmtpFault(switches: AccountSwitches, email: string): SmtpFault | null {
  const entry = switches.smtpFaults.get(email.toLowerCase());
  if (!entry) return null;
  if (--entry.times <= 0) switches.smtpFaults.delete(email.toLowerCase());
  return entry.fault;
}

function setSwitch(options: { set: Set<string>; account: string; disabled: boolean }): void {
  const email = options.account.toLowerCase();
  if (options.disabled) options.set.add(email);
  else options.set.delete(email);
}

/** Everything `npm run lab` and the test setup start, and what the control API acts on. */
export class Lab {
  private readonly connectionCounters: Record<MailServerName, ConnectionCounters> = {
    gmail: connectionCounters(),
    microsoft: connectionCounters(),
    generic: connectionCounters(),
  };
  /** The counters of ports opened at run time, by id: their connections count here and in the lab's. */
  private readonly mailPortsCounters = new Map<string, { server: MailServerName; counters: ConnectionCounters }>();
  private fronts: FrontEntry[] = [];
  private controlUrl = '';
  private stopParts: () => Promise<void> = async () => {};

  private constructor(
    private readonly accounts: LabAccounts,
    private readonly authorizationServer: AuthorizationServer,
    private readonly sink: SmtpSink,
    private readonly dovecots: Dovecots,
    private readonly caCertificate: string,
    private readonly switches: AccountSwitches,
    private readonly startFront: StartFront,
    private readonly mailboxes: LabMailboxes,
    private readonly mailApis: MailApis,
  ) {}

  /** `portalCallback`: the redirect URI the preset web clients accept (default: a portal on localhost:3000). */
  static async start({ portalCallback = portalCallbackUrl({}) }: { portalCallback?: string } = {}): Promise<Lab> {
    const missing = await findMissingDovecot();
    if (missing) throw new LabUnavailableError(missing);
    // Left behind by runs killed hard; never another live run's lab.
    await stopStaleLabs().catch((error: unknown) => console.error('lab: could not stop stale labs:', error));
    const directory = await mkdtemp(join(tmpdir(), LAB_DIRECTORY_PREFIX));
    // Dovecot's unprivileged processes must reach their files below it; keys stay 0600.
    await chmod(directory, 0o755);
    const stoppers: (() => Promise<unknown>)[] = [() => rm(directory, { recursive: true, force: true })];
    // Stops in reverse order of start, the temporary directory last.
    const stopStarted = async () => {
      for (const stop of [...stoppers].reverse()) await stop().catch(() => undefined);
    };
    try {
      await recordLabOwner(directory);
      const accounts = new LabAccounts(LAB_ACCOUNTS);
      const [tls, sink, authorizationServer] = await Promise.all([
        createTlsMaterial({ directory }).catch((error: unknown) => {
          throw new LabUnavailableError('The lab makes its certificates with openssl: sudo apt-get install openssl', { cause: error });
        }),
        SmtpSink.start(),
        AuthorizationServer.start({ accounts, clients: labClients(portalCallback) }),
      ]);
      stoppers.push(() => sink.stop(), () => authorizationServer.stop());

      const oauth2Of = (persona: PersonaName, requiredScopes: Record<DovecotProtocol, string>): DovecotOAuth2 => {
        const { endpoints } = authorizationServer.personaInfo(persona);
        const { clientId, clientSecret } = authorizationServer.introspectionClient(persona);
        const introspectionUrl = new URL(endpoints.introspection);
        introspectionUrl.username = clientId;
        introspectionUrl.password = clientSecret;
        return { introspectionUrl: introspectionUrl.href, openidConfigurationUrl: endpoints.discovery, requiredScopes };
      };
      const reservedPorts = await reserveDovecotPorts(3);
      const startDovecot = async (
        name: MailServerName,
        { ports, ...settings }: { ports: DovecotPorts | undefined; oauth2?: DovecotOAuth2; passwords?: PasswordEntry[] },
      ) => {
        const instanceDirectory = join(directory, name);
        await mkdir(instanceDirectory);
        if (!ports) throw new Error(`No ports reserved for the ${name} Dovecot`);
        const startOn = (dovecotPorts: DovecotPorts) =>
          DovecotServer.start({
            name,
            directory: instanceDirectory,
            ports: dovecotPorts,
            saslMechanisms: SASL_MECHANISMS[name],
            certificatePath: tls.server.certificatePath,
            keyPath: tls.server.keyPath,
            relayPort: sink.port,
            ...settings,
          });
        // Labs of parallel test runs on one machine can race for a reserved port: one more try.
        const dovecot = await startOn(ports).catch(async (error: unknown) => {
          if (!(error instanceof DovecotPortTakenError)) throw error;
          const [freshPorts] = await reserveDovecotPorts(1);
          if (!freshPorts) throw error;
          return startOn(freshPorts);
        });
        stoppers.push(() => dovecot.stop());
        return dovecot;
      };
      const [gmail, microsoft, generic] = await Promise.all([
        startDovecot('gmail', {
          ports: reservedPorts[0],
          oauth2: oauth2Of('google', { imap: GOOGLE_MAIL_SCOPE, pop3: GOOGLE_MAIL_SCOPE, submission: GOOGLE_MAIL_SCOPE }),
        }),
        startDovecot('microsoft', {
          ports: reservedPorts[1],
          oauth2: oauth2Of('microsoft', { imap: MICROSOFT_IMAP_SCOPE, pop3: MICROSOFT_POP_SCOPE, submission: MICROSOFT_SMTP_SCOPE }),
        }),
        startDovecot('generic', { ports: reservedPorts[2], passwords: passwordEntriesOf(accounts) }),
      ]);

      const dovecots = { gmail, microsoft, generic };
      // What the sink receives for a lab account lands in its INBOX, where IMAP, POP3 and the mail APIs read it.
      const mailboxes = new LabMailboxes(
        accounts,
        { gmail: gmail.mailRoot, microsoft: microsoft.mailRoot, generic: generic.mailRoot },
        await mailProcessOwner(),
      );
      sink.deliverWith((message) => mailboxes.deliver(message));
      const mailApis = await MailApis.start({
        accounts,
        mailboxes,
        authorizationServer,
        tls: { certificate: tls.server.certificate, key: tls.server.key },
        sinkPort: sink.port,
      });
      stoppers.push(() => mailApis.stop());
      const switches: AccountSwitches = { smtpAuthDisabled: new Set(), imapDisabled: new Set(), smtpFaults: new Map() };
      const startFront = frontStarter({
        dovecots,
        labCertificate: createSecureContext({ cert: tls.server.certificate, key: tls.server.key }),
        selfSignedCertificate: createSecureContext({ cert: tls.selfSigned.certificate, key: tls.selfSigned.key }),
        switches,
      });
      const lab = new Lab(accounts, authorizationServer, sink, dovecots, tls.ca.certificate, switches, startFront, mailboxes, mailApis);
      const labFronts = await Promise.all(
        MAIL_SERVERS.map((server) => lab.startFronts({ server, securities: securitiesOf(server), portsId: null })),
      );
      lab.fronts = labFronts.flat();
      stoppers.push(() => Promise.all(lab.fronts.map(({ front }) => front.stop())));
      const control = await startControlApi({ lab });
      stoppers.push(() => control.stop());
      lab.controlUrl = control.url;
      lab.stopParts = stopStarted;
      return lab;
    } catch (error) {
      await stopStarted();
      throw error;
    }
  }

  get info(): LabInfo {
    const labFronts = this.fronts.filter((entry) => entry.portsId === null);
    const selfSigned = Object.fromEntries(
      PROTOCOLS.map((protocol) => [protocol, endpointOf({ fronts: labFronts, server: 'generic', protocol, security: 'self-signed' })]),
    ) as Record<MailProtocol, Endpoint>;
    const mailServer = (server: MailServerName) => mailServerInfoOf({ fronts: labFronts, server });
    return {
      available: true,
      controlUrl: this.controlUrl,
      caCertificate: this.caCertificate,
      personas: {
        google: this.authorizationServer.personaInfo('google'),
        microsoft: this.authorizationServer.personaInfo('microsoft'),
      },
      mail: { gmail: mailServer('gmail'), microsoft: mailServer('microsoft'), generic: { ...mailServer('generic'), selfSigned } },
      sink: { host: LAB_HOST, port: this.sink.port },
      api: this.mailApis.info,
      accounts: this.accounts.list(),
    };
  }

  /**
   * TLS and STARTTLS ports of their own for each protocol of `server`, in front of the same Dovecot,
   * so that a test can count its own connections while other test files use the lab.
   */
  async openMailPorts(options: { server: MailServerName }): Promise<MailPorts> {
    const { server } = options;
    const id = `${server}-${this.mailPortsCounters.size + 1}`;
    const counters = connectionCounters();
    this.mailPortsCounters.set(id, { server, counters });
    const fronts = await this.startFronts({ server, securities: ['tls', 'starttls'], portsId: id, ownCounters: counters });
    this.fronts.push(...fronts);
    return { id, ...mailServerInfoOf({ fronts, server }) };
  }

  /** Every mail connection at the lab, or only those at the ports `openMailPorts` opened as `portsId`. */
  connectionStats(options: { portsId?: string }): ConnectionStats {
    const { portsId } = options;
    const countsOf = (counters: ConnectionCounters | null) =>
      Object.fromEntries(
        PROTOCOLS.map((protocol) => [protocol, counters ? counters[protocol].count : { open: 0, maxOpen: 0, total: 0 }]),
      ) as ConnectionStats[MailServerName];
    if (portsId === undefined) {
      return Object.fromEntries(MAIL_SERVERS.map((server) => [server, countsOf(this.connectionCounters[server])])) as ConnectionStats;
    }
    const ports = this.mailPortsOf(portsId);
    return Object.fromEntries(
      MAIL_SERVERS.map((server) => [server, countsOf(server === ports.server ? ports.counters : null)]),
    ) as ConnectionStats;
  }

  tokenRequests(options: { clientId?: string }): TokenRequestCounts {
    return this.authorizationServer.tokenRequestCounts(options);
  }

  /**
   * Token request counts to zero; for connections, the most open at once to those open now and the total to zero.
   * A client id or a ports id limits the reset to that client's requests or those ports' connections.
   */
  resetCounters(options: { clientId?: string; portsId?: string }): void {
    const { clientId, portsId } = options;
    const scoped = clientId !== undefined || portsId !== undefined;
    if (!scoped || clientId !== undefined) this.authorizationServer.resetTokenRequestCounts({ clientId });
    if (scoped && portsId === undefined) return;
    const ports = portsId === undefined ? [...this.mailPortsCounters.values()] : [this.mailPortsOf(portsId)];
    const counters = [...(scoped ? [] : Object.values(this.connectionCounters)), ...ports.map(({ counters }) => counters)];
    for (const byProtocol of counters) for (const counter of Object.values(byProtocol)) counter.reset();
  }

  private mailPortsOf(portsId: string): { server: MailServerName; counters: ConnectionCounters } {
    const ports = this.mailPortsCounters.get(portsId);
    if (!ports) throw new Error(`No mail ports ${portsId} in the lab`);
    return ports;
  }

  private startFronts(options: {
    server: MailServerName;
    securities: Security[];
    portsId: string | null;
    ownCounters?: ConnectionCounters;
  }): Promise<FrontEntry[]> {
    const { server, securities, portsId, ownCounters } = options;
    const roles = PROTOCOLS.flatMap((protocol) => securities.map((security) => ({ server, protocol, security })));
    return Promise.all(
      roles.map(async (role) => {
        const counters = [this.connectionCounters[server][role.protocol], ...(ownCounters ? [ownCounters[role.protocol]] : [])];
        return { ...role, portsId, front: await this.startFront({ ...role, counters }) };
      }),
    );
  }

  setTokenFault(options: { persona: PersonaName; fault: TokenFault | null }): void {
    this.authorizationServer.setTokenFault(options);
  }

  setAccessTokenLifetime(options: { persona: PersonaName; seconds: number | null }): void {
    this.authorizationServer.setAccessTokenLifetime(options);
  }

  setAdminConsentRequired(options: { clientId: string; required: boolean }): void {
    this.authorizationServer.setAdminConsentRequired(options);
  }

  setSlowDown(options: { persona: PersonaName; clientId: string; polls: number }): void {
    this.authorizationServer.setSlowDown(options);
  }

  setIdTokenFault(options: { persona: PersonaName; clientId: string; fault: IdTokenFault | null }): void {
    this.authorizationServer.setIdTokenFault(options);
  }

  liveTokens(options: { persona: PersonaName; clientId: string; account: string }): LiveTokens {
    return this.authorizationServer.liveTokens({ persona: options.persona, clientId: options.clientId, email: options.account });
  }

  revokeGrants(options: { account: string }): number {
    return this.authorizationServer.revokeGrants({ email: options.account });
  }

  setSmtpAuthDisabled(options: { account: string; disabled: boolean }): void {
    setSwitch({ set: this.switches.smtpAuthDisabled, ...options });
  }

  /** The account's next `times` messages through the Gmail- and Microsoft-like submission servers meet `fault`; null ends it. */
  setSmtpFault(options: { account: string; fault: SmtpFault | null; times: number }): void {
    const email = options.account.toLowerCase();
    if (options.fault) this.switches.smtpFaults.set(email, { fault: options.fault, times: options.times });
    else this.switches.smtpFaults.delete(email);
  }

  /** Gmail's IMAP setting of the account, or Exchange Online's ImapEnabled of the mailbox. */
  setImapDisabled(options: { account: string; disabled: boolean }): void {
    setSwitch({ set: this.switches.imapDisabled, ...options });
  }

  async setServerFault(options: { server: MailServerName; protocol?: MailProtocol; fault: ServerFault | null }): Promise<void> {
    const targets = this.fronts.filter(
      (entry) => entry.server === options.server && (!options.protocol || entry.protocol === options.protocol),
    );
    await Promise.all(targets.map(({ front }) => front.setFault(options.fault)));
  }

  receivedMessages(options: { to?: string }): ReceivedMessage[] {
    return this.sink.received(options);
  }

  clearReceivedMessages(): void {
    this.sink.clear();
  }

  /** The account's INBOX as its Maildir holds it, newest first. */
  async inbox(options: { account: string }): Promise<InboxMessage[]> {
    const messages = await this.mailboxes.readInbox(options.account);
    return messages.map(({ id, headers, receivedAt }) => ({
      id,
      subject: headerValue(headers, 'subject'),
      from: parseAddresses(headerValue(headers, 'from'))[0]?.address ?? null,
      messageId: headerValue(headers, 'message-id'),
      receivedAt: receivedAt.toISOString(),
    }));
  }

  setApiFault(options: { service: MailApiName; account?: string; clientId?: string; fault: MailApiFault | null }): void {
    this.mailApis.setFault(options);
  }

  setApiThrottle(options: { service: MailApiName; account: string; requests: number; retryAfterSeconds: number }): void {
    this.mailApis.setThrottle(options);
  }

  setDelegation(options: { mailbox: string; delegate: string } & MailboxRights): void {
    this.mailApis.setDelegation(options);
  }

  removeDelegation(options: { mailbox: string; delegate: string }): void {
    this.mailApis.removeDelegation(options);
  }

  apiRequests(options: { service: MailApiName; account: string }): ApiRequestCounts {
    return this.mailApis.requestCounts(options);
  }

  registerClient(options: Parameters<AuthorizationServer['registerClient']>[0]): Promise<OAuthClient> {
    return this.authorizationServer.registerClient(options);
  }

  async createAccount(account: LabAccount): Promise<LabAccount> {
    if (account.provider === 'password' && !account.password) throw new Error('A password account needs a password');
    const created = this.accounts.add(account);
    if (created.provider === 'password') await this.dovecots.generic.writePasswords(passwordEntriesOf(this.accounts));
    return created;
  }

  /**
   * Clears the lab-wide faults. An account's or a client's faults stay until the test that set them
   * undoes them: other test files reset the lab while it runs. Accounts, clients, tokens, received
   * messages, INBOXes and counters stay too, and so do the mail APIs' faults, throttles and delegations,
   * all of which belong to an account or a client.
   */
  async reset(): Promise<void> {
    this.authorizationServer.clearPersonaFaults();
    await Promise.all(this.fronts.map(({ front }) => front.setFault(null)));
  }

  stop(): Promise<void> {
    return this.stopParts();
  }
}
