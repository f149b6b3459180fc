// The lab's Graph-like and Gmail-like REST services together, and what the control API sets on them.
import { MailApiFaults, MailboxDelegations } from './api-faults';
import { startApiServer } from './api-server';
import type { AuthorizationServer } from './authorization-server';
import { introspectorFor } from './bearer-tokens';
import { GmailApiService } from './gmail-api-service';
import { GraphService } from './graph-service';
import type { LabAccounts } from './lab-accounts';
import type { ApiRequestCounts, GmailFault, GraphFault, MailApiFault, MailApiName, MailApisInfo, MailboxRights, PersonaName } from './lab-info';
import type { LabMailboxes } from './maildir';
import { SinkRelay } from './sink-relay';

export const GRAPH_FAULTS: GraphFault[] = ['InvalidAuthenticationToken', 'ErrorAccessDenied', 'MailboxNotEnabledForRESTAPI'];
export const GMAIL_FAULTS: GmailFault[] = ['accessNotConfigured', 'failedPrecondition', 'authError'];

/** Thrown for a control request that cannot apply (a fault of the other service, an unknown mailbox); the control API answers 400. */
export class MailApiControlError extends Error {}

export class MailApis {
  private constructor(
    readonly info: MailApisInfo,
    private readonly accounts: LabAccounts,
    private readonly faults: { graph: MailApiFaults<GraphFault>; gmail: MailApiFaults<GmailFault> },
    private readonly delegations: MailboxDelegations,
    private readonly stopAll: () => Promise<void>,
  ) {}

  static async start(options: {
    accounts: LabAccounts;
    mailboxes: LabMailboxes;
    authorizationServer: AuthorizationServer;
    tls: { certificate: string; key: string };
    sinkPort: number;
  }): Promise<MailApis> {
    const { accounts, mailboxes, authorizationServer, tls } = options;
    const introspectAt = (persona: PersonaName) =>
      introspectorFor({
        introspectionUrl: authorizationServer.personaInfo(persona).endpoints.introspection,
        client: authorizationServer.introspectionClient(persona),
      });
    const faults = { graph: new MailApiFaults<GraphFault>(), gmail: new MailApiFaults<GmailFault>() };
    const delegations = new MailboxDelegations();
    const relay = new SinkRelay(options.sinkPort);
    const graph = new GraphService({
      accounts,
      mailboxes,
      introspect: introspectAt('microsoft'),
      faults: faults.graph,
      delegations,
      relay,
      authorizationEndpoint: authorizationServer.personaInfo('microsoft').endpoints.authorization,
    });
    const gmail = new GmailApiService({ accounts, mailboxes, introspect: introspectAt('google'), faults: faults.gmail, relay });
    const servers = await Promise.all([
      startApiServer({ name: 'Graph', ...tls, handle: (request) => graph.handle(request) }),
      startApiServer({ name: 'Gmail API', ...tls, handle: (request) => gmail.handle(request) }),
    ]);
    const [graphServer, gmailServer] = servers;
    const stopAll = async () => {
      await Promise.all(servers.map((server) => server.stop()));
      relay.close();
    };
    const info: MailApisInfo = { graph: { baseUrl: `${graphServer.origin}/v1.0` }, gmail: { baseUrl: `${gmailServer.origin}/gmail/v1` } };
    return new MailApis(info, accounts, faults, delegations, stopAll);
  }

  /** Of one account (the token's or the mailbox's) or of one client id, until set back to null. */
  setFault(options: { service: MailApiName; account?: string; clientId?: string; fault: MailApiFault | null }): void {
    const { service, fault, ...target } = options;
    if ((target.account === undefined) === (target.clientId === undefined)) throw new MailApiControlError('Name either an account or a client id');
    if (service === 'graph') {
      if (fault !== null && !isOneOf(fault, GRAPH_FAULTS)) throw new MailApiControlError(`Graph has no fault ${fault}`);
      this.faults.graph.setFault({ ...target, fault });
    } else {
      if (fault !== null && !isOneOf(fault, GMAIL_FAULTS)) throw new MailApiControlError(`The Gmail API has no fault ${fault}`);
      this.faults.gmail.setFault({ ...target, fault });
    }
  }

  /** The next `requests` requests by or to the account answer 429 with `Retry-After: retryAfterSeconds`. */
  setThrottle(options: { service: MailApiName; account: string; requests: number; retryAfterSeconds: number }): void {
    const { service, ...throttle } = options;
    this.faults[service].setThrottle(throttle);
  }

  /** Exchange Online's Full Access and Send As permissions of `delegate` on `mailbox` (Graph only). */
  setDelegation(options: { mailbox: string; delegate: string } & MailboxRights): void {
    const { mailbox, delegate, fullAccess, sendAs } = options;
    for (const address of [mailbox, delegate]) {
      if (this.accounts.find(address)?.provider !== 'microsoft') throw new MailApiControlError(`${address} is no Microsoft account of the lab`);
    }
    this.delegations.set({ mailbox, delegate, rights: { fullAccess, sendAs } });
  }

  removeDelegation(options: { mailbox: string; delegate: string }): void {
    this.delegations.remove(options);
  }

  requestCounts(options: { service: MailApiName; account: string }): ApiRequestCounts {
    return this.faults[options.service].requestCounts(options.account);
  }

  stop(): Promise<void> {
    return this.stopAll();
  }
}

function isOneOf<T extends string>(value: string, values: readonly T[]): value is T {
  return (values as readonly string[]).includes(value);
}
