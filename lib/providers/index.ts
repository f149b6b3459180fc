// Plain data and pure functions: the profile form imports these in the browser too.
import { custom } from './custom';
import { gmail } from './gmail';
import { PROVIDER_IDS, type ProviderId } from './ids';
import { microsoft365 } from './microsoft365';
import type { Provider } from './provider';

/** One descriptor per server type: a new id in PROVIDER_IDS does not compile until it has one here. */
export const PROVIDERS: { readonly [Id in ProviderId]: Provider<Id> } = { gmail, microsoft365, custom };

export { PROVIDER_IDS, type ProviderId };

/** The server types whose descriptor says yes: for SQL conditions and enums that must follow the descriptors. */
export function providerIdsWhere(test: (provider: Provider) => boolean): ProviderId[] {
  return PROVIDER_IDS.filter((id) => test(PROVIDERS[id]));
}

/** The labels of the server types whose descriptor says yes, for messages: "Microsoft 365", "A or B". */
export function providerLabelsWhere(test: (provider: Provider) => boolean): string {
  const labels = providerIdsWhere(test).map((id) => PROVIDERS[id].label);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`;
}

/** Who has shared mailboxes, as messages name it. */
export const sharedMailboxProviders = (): string => providerLabelsWhere((provider) => provider.sharedMailboxes);
