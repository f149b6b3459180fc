import type { ServerProfile } from '@/db/schema';
import { invalidInput } from '@/lib/errors';
import { toFieldErrors } from '@/lib/validations/field-errors';
import {
  profileSchema,
  type CreateProfileRequest,
  type ProfileDraft,
  type ResolvedProfile,
  type UpdateProfileRequest,
} from '@/lib/validations/profiles';
import { ACCESS_TOKEN_FIELDS, destinationFieldsIn, type DestinationField } from './destination';
import { PROVIDERS } from '@/lib/providers';
import { isApiProtocol, isOAuth, type MailProtocol, type ProfilePreset } from '@/lib/providers/provider';
import { ADVANCED_DEFAULTS, allowsPublicClient, defaultAuthType, presetFor } from './presets';

export type SecretChange = 'set' | 'replaced' | 'cleared' | null;

/** A stored profile in the shape of a request, so that a change can be merged into it. */
function draftFromRow(row: ServerProfile): ProfileDraft {
  return {
    name: row.name,
    serverType: row.serverType,
    authType: row.authType,
    clientId: row.clientId,
    clientSecret: null,
    clientSecretKept: row.clientSecret !== null,
    clientSecretMustBeReentered: false,
    clientSecretExpiresAt: row.clientSecretExpiresAt?.toISOString() ?? null,
    publicClient: row.publicClient,
    tenant: row.tenant,
    publishingStatus: row.publishingStatus,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    issuer: row.issuer,
    endpoints: {
      authorization: row.authorizationEndpoint,
      token: row.tokenEndpoint,
      device: row.deviceEndpoint,
      revocation: row.revocationEndpoint,
      userinfo: row.userinfoEndpoint,
      jwks: row.jwksEndpoint,
      api: row.apiEndpoint,
    },
    scopes: row.scopes,
    incoming: { protocol: row.incomingProtocol, host: row.incomingHost, port: row.incomingPort, security: row.incomingSecurity },
    outgoing: { protocol: row.outgoingProtocol, host: row.outgoingHost, port: row.outgoingPort, security: row.outgoingSecurity },
    trustedCertificates: row.trustedCertificates,
    internalServer: row.internalServer,
    isDefault: row.isDefault,
    allowAccessTokens: row.allowAccessTokens,
    mailboxCap: row.mailboxCap,
    advanced: {
      processEmailFrom: row.processEmailFrom?.toISOString() ?? null,
      minPollingIntervalMinutes: row.minPollingIntervalMinutes,
      maxConcurrentConnections: row.maxConcurrentConnections,
      moveFailedToUndeliverable: row.moveFailedToUndeliverable,
      connectionTimeoutSeconds: row.connectionTimeoutSeconds,
      sendRatePerMinute: row.sendRatePerMinute,
      queuedMessageExpiryHours: row.queuedMessageExpiryHours,
    },
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every leaf as `{ "incoming.port": value }`, to say which fields a change touched. */
function leaves(value: unknown, prefix = ''): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return { [prefix]: value };
  return Object.assign({}, ...Object.entries(value).map(([key, inner]) => leaves(inner, prefix ? `${prefix}.${key}` : key)));
}

export type ResolvedChange = {
  profile: ResolvedProfile;
  secretChange: SecretChange;
  /** Dotted names of the fields that differ from the stored profile (all of them on create). */
  changedFields: string[];
  /** On update: each changed field's stored and new value, for the audit log (the secret is never among them). */
  changes: Record<string, { from: unknown; to: unknown }>;
  /** On update: the changed fields that say where the OAuth client's secret and tokens go (lib/profiles/destination.ts). */
  destinationChanged: DestinationField[];
  /** On update: every changed field that ends the mailboxes' grants, the destination's and the API root. */
  grantsEndedBy: string[];
};

/**
 * Fills what a request leaves out and validates the whole profile. On create, omitted fields come
 * from the preset of (server type, sign-in type, tenant, incoming protocol). On update, omitted
 * fields keep their stored value, except that a field still at its old preset follows the new
 * preset when the server type, sign-in type, tenant or protocol changes.
 */
export function mergeProfileChange({
  request,
  stored,
  extraProviderOrigins,
}: {
  request: CreateProfileRequest | UpdateProfileRequest;
  stored: ServerProfile | null;
  /** MAILROOM_EXTRA_PROVIDER_ORIGINS: a test lab's stand-ins for Google and Microsoft. */
  extraProviderOrigins: readonly string[];
}): ResolvedChange {
  const base = stored ? draftFromRow(stored) : null;
  const serverType = request.serverType ?? base!.serverType;
  const authType =
    request.authType ??
    (base && PROVIDERS[serverType].authTypes.includes(base.authType) ? base.authType : defaultAuthType(serverType));
  const tenant = request.tenant !== undefined ? request.tenant : PROVIDERS[serverType].tenant ? (base?.tenant ?? null) : null;
  const incomingProtocol = request.incoming?.protocol ?? base?.incoming.protocol ?? 'imap';
  const outgoingProtocol = request.outgoing?.protocol ?? base?.outgoing.protocol ?? 'smtp';
  const preset = presetFor({ serverType, authType, tenant, incomingProtocol, outgoingProtocol });
  const oldPreset: ProfilePreset | null = base
    ? presetFor({
        serverType: base.serverType,
        authType: base.authType,
        tenant: base.tenant,
        incomingProtocol: base.incoming.protocol,
        outgoingProtocol: base.outgoing.protocol,
      })
    : null;

  /** The requested value, else the stored one unless it was just the old preset, else the new preset. */
  function pick<T>(requested: T | undefined, storedValue: T | undefined, oldPresetValue: T | undefined, presetValue: T): T {
    if (requested !== undefined) return requested;
    if (base && !same(storedValue, oldPresetValue)) return storedValue as T;
    return presetValue;
  }
  // A direction moved to a web API leaves its host behind, whatever it was; one moved back to a socket takes the preset's.
  const location = (side: 'incoming' | 'outgoing', protocol: MailProtocol) => {
    const keep = !isApiProtocol(protocol) && !(base && isApiProtocol(base[side].protocol));
    const stored = keep ? base?.[side] : undefined;
    const old = keep ? oldPreset?.[side] : undefined;
    if (isApiProtocol(protocol)) {
      return { host: request[side]?.host ?? null, port: request[side]?.port ?? null, security: request[side]?.security ?? null };
    }
    return {
      host: pick(request[side]?.host, stored?.host, old?.host, preset[side].host),
      port: pick(request[side]?.port, stored?.port, old?.port, preset[side].port),
      security: pick(request[side]?.security, stored?.security, old?.security, preset[side].security),
    };
  };
  const endpoint = (name: keyof ProfilePreset['endpoints']) =>
    pick(request.endpoints?.[name], base?.endpoints[name], oldPreset?.endpoints[name], preset.endpoints[name]);
  const advanced = <K extends keyof typeof ADVANCED_DEFAULTS>(name: K) =>
    request.advanced?.[name] !== undefined ? request.advanced[name] : (base?.advanced[name] ?? ADVANCED_DEFAULTS[name]);

  const oauth = isOAuth(authType);
  const hadSecret = base?.clientSecretKept ?? false;
  // Moving to password sign-in drops the OAuth client unless the request says otherwise.
  const clientSecret = request.clientSecret !== undefined ? request.clientSecret : null;

  const draft: ProfileDraft = {
    name: request.name ?? base!.name,
    serverType,
    authType,
    clientId: request.clientId !== undefined ? request.clientId : oauth ? (base?.clientId ?? null) : null,
    clientSecret,
    clientSecretKept: request.clientSecret === undefined && hadSecret && oauth,
    clientSecretMustBeReentered: false,
    clientSecretExpiresAt: request.clientSecretExpiresAt !== undefined ? request.clientSecretExpiresAt : (base?.clientSecretExpiresAt ?? null),
    publicClient:
      request.publicClient ?? (allowsPublicClient(serverType, authType) ? (base?.publicClient ?? false) : false),
    tenant,
    publishingStatus: pick(request.publishingStatus, base?.publishingStatus, oldPreset?.publishingStatus, preset.publishingStatus),
    // A password profile has no OAuth client: the column keeps its default.
    tokenEndpointAuthMethod: oauth
      ? pick(request.tokenEndpointAuthMethod, base?.tokenEndpointAuthMethod, oldPreset?.tokenEndpointAuthMethod, preset.tokenEndpointAuthMethod)
      : (request.tokenEndpointAuthMethod ?? 'client_secret_post'),
    issuer: pick(request.issuer, base?.issuer, oldPreset?.issuer, preset.issuer),
    endpoints: {
      authorization: endpoint('authorization'),
      token: endpoint('token'),
      device: endpoint('device'),
      revocation: endpoint('revocation'),
      userinfo: endpoint('userinfo'),
      jwks: endpoint('jwks'),
      api: endpoint('api'),
    },
    scopes: pick(request.scopes, base?.scopes, oldPreset?.scopes, preset.scopes),
    incoming: { protocol: incomingProtocol, ...location('incoming', incomingProtocol) },
    outgoing: { protocol: outgoingProtocol, ...location('outgoing', outgoingProtocol) },
    trustedCertificates: request.trustedCertificates ?? base?.trustedCertificates ?? [],
    internalServer: request.internalServer ?? base?.internalServer ?? false,
    isDefault: request.isDefault ?? base?.isDefault ?? false,
    allowAccessTokens: request.allowAccessTokens ?? base?.allowAccessTokens ?? false,
    mailboxCap: pick(request.mailboxCap, base?.mailboxCap, oldPreset?.mailboxCap, preset.mailboxCap),
    advanced: {
      processEmailFrom: advanced('processEmailFrom'),
      minPollingIntervalMinutes: advanced('minPollingIntervalMinutes'),
      maxConcurrentConnections: advanced('maxConcurrentConnections'),
      moveFailedToUndeliverable: advanced('moveFailedToUndeliverable'),
      connectionTimeoutSeconds: advanced('connectionTimeoutSeconds'),
      sendRatePerMinute: advanced('sendRatePerMinute'),
      queuedMessageExpiryHours: advanced('queuedMessageExpiryHours'),
    },
  };

  const withoutSecret = (value: ProfileDraft) => ({ ...value, clientSecret: undefined, clientSecretKept: undefined, clientSecretMustBeReentered: undefined });
  const before = base ? leaves(withoutSecret(base)) : {};
  const after = leaves(withoutSecret(draft));
  const changedFields = Object.keys(after).filter((key) => !same(after[key], before[key]));
  const destinationChanged = base ? destinationFieldsIn(changedFields) : [];
  const accessTokenPlaceChanged = base && isOAuth(base.authType) ? ACCESS_TOKEN_FIELDS.filter((field) => changedFields.includes(field)) : [];
  const grantsEndedBy = [...destinationChanged, ...accessTokenPlaceChanged];

  // The stored secret was given for the old destination: it never follows an edit to a new one.
  if (draft.clientSecretKept && destinationChanged.length > 0) {
    draft.clientSecretKept = false;
    draft.clientSecretMustBeReentered = true;
  }
  const secretChange: SecretChange =
    typeof clientSecret === 'string' ? (hadSecret ? 'replaced' : 'set') : hadSecret && !draft.clientSecretKept ? 'cleared' : null;
  if (secretChange === 'cleared' && request.clientSecretExpiresAt === undefined) draft.clientSecretExpiresAt = null;

  const parsed = profileSchema({ extraProviderOrigins }).safeParse(draft);
  if (!parsed.success) throw invalidInput(toFieldErrors(parsed.error));
  const changes = base ? Object.fromEntries(changedFields.map((field) => [field, { from: before[field] ?? null, to: after[field] ?? null }])) : {};
  return { profile: parsed.data, secretChange, changedFields, changes, destinationChanged, grantsEndedBy };
}
