// Plain data and pure functions: the profile form warns with these before saving.
import { phrase, type MessagePath } from '@/lib/i18n/phrase';
import type { Phrase } from '@/lib/i18n/render';

/**
 * The fields that say where the profile's OAuth client sends its secret and its mailboxes' refresh
 * tokens, or which app they belong to, with the words that name them. Changing one clears the stored
 * client secret (unless the same change sends one) and ends the mailboxes' grants: neither may follow
 * an edit to a new destination.
 */
export const DESTINATION_FIELDS = {
  'endpoints.token': 'profiles.notices.fields.tokenEndpoint',
  'endpoints.device': 'profiles.notices.fields.deviceEndpoint',
  'endpoints.revocation': 'profiles.notices.fields.revocationEndpoint',
  'endpoints.userinfo': 'profiles.notices.fields.userinfoEndpoint',
  'endpoints.jwks': 'profiles.notices.fields.jwksEndpoint',
  issuer: 'profiles.notices.fields.issuer',
  tenant: 'profiles.notices.fields.tenant',
  clientId: 'profiles.notices.fields.clientId',
  tokenEndpointAuthMethod: 'profiles.notices.fields.tokenEndpointAuthMethod',
} as const satisfies Record<string, MessagePath>;

export type DestinationField = keyof typeof DESTINATION_FIELDS;

/**
 * Where the mailboxes' access tokens go besides the provider's own mail servers: the Graph or Gmail API
 * root, set or cleared when a direction moves to or from a web API. A change ends the grants (the
 * new protocol asks for other rights, and no token follows an edit to a new place) but keeps the
 * client secret, which never goes there.
 */
export const ACCESS_TOKEN_FIELDS = ['endpoints.api'] as const;

export function destinationFieldsIn(changedFields: readonly string[]): DestinationField[] {
  return (Object.keys(DESTINATION_FIELDS) as DestinationField[]).filter((field) => changedFields.includes(field));
}

/** "a", "a and b", "a, b and c", in the reader's language: each list is a phrase holding the rest of it. */
export function listed(items: readonly (string | Phrase)[]): string | Phrase {
  const [first = '', ...rest] = items;
  if (rest.length === 0) return first;
  if (rest.length === 1) return phrase('profiles.notices.list.and', { first, last: rest[0]! });
  return phrase('profiles.notices.list.comma', { first, rest: listed(rest) });
}

/** The changed destination fields as people read them: "the token endpoint and the tenant". */
export function destinationFieldsText(fields: readonly DestinationField[]): string | Phrase {
  return listed(fields.map((field) => phrase(DESTINATION_FIELDS[field])));
}

export function secretClearedNotice(fields: readonly DestinationField[], when: 'done' | 'before'): Phrase {
  const values = { fields: destinationFieldsText(fields), count: fields.length };
  return phrase(when === 'done' ? 'profiles.notices.secretCleared' : 'profiles.notices.secretWillClear', values);
}

export function grantsEndedNotice(count: number, when: 'done' | 'before'): Phrase {
  return phrase(when === 'done' ? 'profiles.notices.grantsEnded' : 'profiles.notices.grantsWillEnd', { count });
}
