// Plain data and pure functions: the profile form warns with these before saving.

/**
 * The fields that say where the profile's OAuth client sends its secret and its mailboxes' refresh
 * tokens, or which app they belong to. Changing one clears the stored client secret (unless the same
 * change sends one) and ends the mailboxes' grants: neither may follow an edit to a new destination.
 */
export const DESTINATION_FIELDS = {
  'endpoints.token': 'the token endpoint',
  'endpoints.device': 'the device authorization endpoint',
  'endpoints.revocation': 'the revocation endpoint',
  'endpoints.userinfo': 'the user info endpoint',
  'endpoints.jwks': 'the JWKS endpoint',
  issuer: 'the issuer',
  tenant: 'the tenant',
  clientId: 'the client id',
  tokenEndpointAuthMethod: 'the client authentication method',
} as const;

export type DestinationField = keyof typeof DESTINATION_FIELDS;

export function destinationFieldsIn(changedFields: readonly string[]): DestinationField[] {
  return (Object.keys(DESTINATION_FIELDS) as DestinationField[]).filter((field) => changedFields.includes(field));
}

/** "the token endpoint", "the token endpoint and the tenant", "the token endpoint, the issuer and the tenant". */
function listed(fields: readonly DestinationField[]): string {
  const labels = fields.map((field) => DESTINATION_FIELDS[field]);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

export function secretClearedNotice(fields: readonly DestinationField[], when: 'done' | 'before'): string {
  const why = `because ${listed(fields)} changed`;
  return when === 'done'
    ? `The client secret was cleared: enter it again, ${why}.`
    : `The client secret must be entered again ${why}: type it above, or it will be cleared when you save.`;
}

export function grantsEndedNotice(count: number, when: 'done' | 'before'): string {
  const mailboxes = count === 1 ? '1 connected mailbox' : `${count} connected mailboxes`;
  return when === 'done'
    ? `${mailboxes} must reconnect: ${count === 1 ? 'its tokens were' : 'their tokens were'} issued for the previous OAuth settings and were deleted.`
    : `${mailboxes} will need to reconnect: ${count === 1 ? 'its tokens were' : 'their tokens were'} issued for the current OAuth settings and will be deleted.`;
}
