import type { ApiRequestCounts, MailApiFault, MailboxRights } from './lab-info';

type Throttle = { requests: number; retryAfterSeconds: number };

/**
 * What a test has set on one mail API: faults of an account or of a client, throttled accounts, and
 * the requests counted per account. All of it stays until the test that set it undoes it: other test
 * files use the lab meanwhile, so no reset clears it.
 */
export class MailApiFaults<Fault extends MailApiFault> {
  private readonly accountFaults = new Map<string, Fault>();
  private readonly clientFaults = new Map<string, Fault>();
  private readonly throttles = new Map<string, Throttle>();
  /** By lowercased account, then HTTP status. */
  private readonly counts = new Map<string, Map<number, number>>();

  setFault(options: { account?: string; clientId?: string; fault: Fault | null }): void {
    const { account, clientId, fault } = options;
    const [faults, key] = account !== undefined ? [this.accountFaults, account.toLowerCase()] : [this.clientFaults, clientId ?? ''];
    if (fault === null) faults.delete(key);
    else faults.set(key, fault);
  }

  /** The client's fault, else the first of the accounts' (the token's and the mailbox's). */
  faultOf(options: { accounts: string[]; clientId: string }): Fault | null {
    const clientFault = this.clientFaults.get(options.clientId);
    if (clientFault) return clientFault;
    for (const account of options.accounts) {
      const fault = this.accountFaults.get(account);
      if (fault) return fault;
    }
    return null;
  }

  /** The next `requests` requests made by or to the account answer 429; 0 ends it. */
  setThrottle(options: { account: string; requests: number; retryAfterSeconds: number }): void {
    const account = options.account.toLowerCase();
    if (options.requests > 0) this.throttles.set(account, { requests: options.requests, retryAfterSeconds: options.retryAfterSeconds });
    else this.throttles.delete(account);
  }

  /** The seconds to wait when one of the accounts is throttled, which uses up one of its throttled requests; else null. */
  takeThrottle(accounts: string[]): number | null {
    for (const account of accounts) {
      const throttle = this.throttles.get(account);
      if (!throttle) continue;
      if (throttle.requests <= 1) this.throttles.delete(account);
      else this.throttles.set(account, { ...throttle, requests: throttle.requests - 1 });
      return throttle.retryAfterSeconds;
    }
    return null;
  }

  count(options: { accounts: string[]; status: number }): void {
    for (const account of new Set(options.accounts)) {
      const byStatus = this.counts.get(account) ?? new Map<number, number>();
      byStatus.set(options.status, (byStatus.get(options.status) ?? 0) + 1);
      this.counts.set(account, byStatus);
    }
  }

  requestCounts(account: string): ApiRequestCounts {
    const byStatus = Object.fromEntries([...(this.counts.get(account.toLowerCase()) ?? new Map<number, number>())].map(([status, count]) => [String(status), count]));
    return { total: Object.values(byStatus).reduce((sum, count) => sum + count, 0), byStatus };
  }
}

/** Exchange Online's mailbox permissions: who may open a (shared) mailbox, and who may send as it. */
export class MailboxDelegations {
  /** By mailbox, then delegate, both lowercased. */
  private readonly rights = new Map<string, Map<string, MailboxRights>>();

  set(options: { mailbox: string; delegate: string; rights: MailboxRights }): void {
    const mailbox = options.mailbox.toLowerCase();
    const delegates = this.rights.get(mailbox) ?? new Map<string, MailboxRights>();
    delegates.set(options.delegate.toLowerCase(), options.rights);
    this.rights.set(mailbox, delegates);
  }

  remove(options: { mailbox: string; delegate: string }): void {
    this.rights.get(options.mailbox.toLowerCase())?.delete(options.delegate.toLowerCase());
  }

  rightsOf(options: { mailbox: string; delegate: string }): MailboxRights {
    return this.rights.get(options.mailbox.toLowerCase())?.get(options.delegate.toLowerCase()) ?? { fullAccess: false, sendAs: false };
  }
}
