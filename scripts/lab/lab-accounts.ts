import { createHash } from 'node:crypto';
import type { LabAccount, PersonaName } from './lab-info';

function hashOf(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The accounts every part of the lab knows, the fixed ones plus those a test adds. */
export class LabAccounts {
  private readonly byEmail = new Map<string, LabAccount>();

  constructor(accounts: LabAccount[]) {
    for (const account of accounts) this.add(account);
  }

  list(): LabAccount[] {
    return [...this.byEmail.values()];
  }

  find(email: string): LabAccount | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  add(account: LabAccount): LabAccount {
    const email = account.email.toLowerCase();
    if (this.byEmail.has(email)) throw new Error(`The lab already has an account ${email}`);
    const added = { ...account, email };
    this.byEmail.set(email, added);
    return added;
  }

  /** A stable, opaque subject per provider, as the real ones give (Google: digits; Microsoft: base64url). */
  subjectOf(options: { persona: PersonaName; email: string }): string {
    const digest = hashOf(`${options.persona}:${options.email.toLowerCase()}`);
    return options.persona === 'google'
      ? `1${digest.readBigUInt64BE(0).toString().padStart(20, '0')}`
      : digest.subarray(0, 32).toString('base64url');
  }

  findBySubject(options: { persona: PersonaName; subject: string }): LabAccount | undefined {
    return this.list().find(
      (account) =>
        account.provider === options.persona &&
        this.subjectOf({ persona: options.persona, email: account.email }) === options.subject,
    );
  }
}
