import { ADVANCED_DEFAULTS, defaultAuthType, presetFor } from '@/lib/profiles/presets';
import { PROVIDER_IDS, type ProviderId } from '@/lib/providers';
import type { ProfilePreset } from '@/lib/providers/provider';
import type { DestinationField } from '@/lib/profiles/destination';
import type { ProfileResponse } from '@/lib/validations/profiles';

/** The profile form's fields, named by their dotted path in the API, as the strings inputs hold. */
export type ProfileFormValues = {
  name: string;
  serverType: string;
  authType: string;
  tenant: string;
  clientId: string;
  publicClient: string;
  clearClientSecret: string;
  clientSecretExpiresAt: string;
  publishingStatus: string;
  tokenEndpointAuthMethod: string;
  issuer: string;
  'endpoints.authorization': string;
  'endpoints.token': string;
  'endpoints.device': string;
  'endpoints.revocation': string;
  'endpoints.userinfo': string;
  'endpoints.jwks': string;
  'endpoints.api': string;
  scopes: string;
  'incoming.protocol': string;
  'incoming.host': string;
  'incoming.port': string;
  'incoming.security': string;
  'outgoing.protocol': string;
  'outgoing.host': string;
  'outgoing.port': string;
  'outgoing.security': string;
  /** One accepted certificate a line: host, then SHA-256 fingerprint. */
  trustedCertificates: string;
  internalServer: string;
  isDefault: string;
  allowAccessTokens: string;
  mailboxCap: string;
  'advanced.processEmailFrom': string;
  'advanced.minPollingIntervalMinutes': string;
  'advanced.maxConcurrentConnections': string;
  'advanced.moveFailedToUndeliverable': string;
  'advanced.connectionTimeoutSeconds': string;
  'advanced.sendRatePerMinute': string;
  'advanced.queuedMessageExpiryHours': string;
};

const checked = (value: boolean) => (value ? 'on' : '');

/** A direction's server fields; empty for a web API direction (the preset's defaults come back with a socket protocol). */
function locationFormValues<Side extends 'incoming' | 'outgoing'>(side: Side, location: { host: string | null; port: number | null; security: string | null }) {
  return {
    [`${side}.host`]: location.host ?? '',
    [`${side}.port`]: location.port === null ? '' : String(location.port),
    [`${side}.security`]: location.security ?? '',
  } as Record<`${Side}.host` | `${Side}.port` | `${Side}.security`, string>;
}
const day = (iso: string | null) => iso?.slice(0, 10) ?? '';

/** The fields a preset fills. */
export function presetFormValues(preset: ProfilePreset) {
  return {
    'endpoints.authorization': preset.endpoints.authorization ?? '',
    'endpoints.token': preset.endpoints.token ?? '',
    'endpoints.device': preset.endpoints.device ?? '',
    'endpoints.revocation': preset.endpoints.revocation ?? '',
    'endpoints.userinfo': preset.endpoints.userinfo ?? '',
    'endpoints.jwks': preset.endpoints.jwks ?? '',
    'endpoints.api': preset.endpoints.api ?? '',
    issuer: preset.issuer ?? '',
    tokenEndpointAuthMethod: preset.tokenEndpointAuthMethod,
    scopes: preset.scopes.join('\n'),
    ...locationFormValues('incoming', preset.incoming),
    ...locationFormValues('outgoing', preset.outgoing),
    mailboxCap: preset.mailboxCap === null ? '' : String(preset.mailboxCap),
    publishingStatus: preset.publishingStatus ?? '',
  };
}

export function newProfileFormValues(serverType: ProviderId = PROVIDER_IDS[0]): ProfileFormValues {
  const authType = defaultAuthType(serverType);
  return {
    name: '',
    serverType,
    authType,
    tenant: '',
    clientId: '',
    publicClient: '',
    clearClientSecret: '',
    clientSecretExpiresAt: '',
    'incoming.protocol': 'imap',
    'outgoing.protocol': 'smtp',
    trustedCertificates: '',
    internalServer: '',
    isDefault: '',
    allowAccessTokens: '',
    'advanced.processEmailFrom': '',
    'advanced.minPollingIntervalMinutes': String(ADVANCED_DEFAULTS.minPollingIntervalMinutes),
    'advanced.maxConcurrentConnections': String(ADVANCED_DEFAULTS.maxConcurrentConnections),
    'advanced.moveFailedToUndeliverable': checked(ADVANCED_DEFAULTS.moveFailedToUndeliverable),
    'advanced.connectionTimeoutSeconds': String(ADVANCED_DEFAULTS.connectionTimeoutSeconds),
    'advanced.sendRatePerMinute': String(ADVANCED_DEFAULTS.sendRatePerMinute),
    'advanced.queuedMessageExpiryHours': String(ADVANCED_DEFAULTS.queuedMessageExpiryHours),
    ...presetFormValues(presetFor({ serverType, authType, incomingProtocol: 'imap', outgoingProtocol: 'smtp' })),
  };
}

/**
 * The form's values named as `DESTINATION_FIELDS` names the profile's fields, to tell before saving
 * which of them an edit changes.
 */
export function destinationValues(values: ProfileFormValues): Record<DestinationField, string> {
  return {
    'endpoints.token': values['endpoints.token'].trim(),
    'endpoints.device': values['endpoints.device'].trim(),
    'endpoints.revocation': values['endpoints.revocation'].trim(),
    'endpoints.userinfo': values['endpoints.userinfo'].trim(),
    'endpoints.jwks': values['endpoints.jwks'].trim(),
    issuer: values.issuer.trim(),
    tenant: values.tenant.trim(),
    clientId: values.clientId.trim(),
    tokenEndpointAuthMethod: values.tokenEndpointAuthMethod,
  };
}

/** A stored profile as form values: the response carries no secret, so neither does the form. */
export function profileFormValues(profile: ProfileResponse): ProfileFormValues {
  return {
    name: profile.name,
    serverType: profile.serverType,
    authType: profile.authType,
    tenant: profile.tenant ?? '',
    clientId: profile.clientId ?? '',
    publicClient: checked(profile.publicClient),
    clearClientSecret: '',
    clientSecretExpiresAt: day(profile.clientSecretExpiresAt),
    publishingStatus: profile.publishingStatus ?? '',
    tokenEndpointAuthMethod: profile.tokenEndpointAuthMethod ?? 'client_secret_post',
    issuer: profile.issuer ?? '',
    'endpoints.authorization': profile.endpoints.authorization ?? '',
    'endpoints.token': profile.endpoints.token ?? '',
    'endpoints.device': profile.endpoints.device ?? '',
    'endpoints.revocation': profile.endpoints.revocation ?? '',
    'endpoints.userinfo': profile.endpoints.userinfo ?? '',
    'endpoints.jwks': profile.endpoints.jwks ?? '',
    'endpoints.api': profile.endpoints.api ?? '',
    scopes: profile.scopes.join('\n'),
    'incoming.protocol': profile.incoming.protocol,
    ...locationFormValues('incoming', profile.incoming),
    'outgoing.protocol': profile.outgoing.protocol,
    ...locationFormValues('outgoing', profile.outgoing),
    trustedCertificates: profile.trustedCertificates.map((certificate) => `${certificate.host} ${certificate.sha256}`).join('\n'),
    internalServer: checked(profile.internalServer),
    isDefault: checked(profile.isDefault),
    allowAccessTokens: checked(profile.allowAccessTokens),
    mailboxCap: profile.mailboxCap === null ? '' : String(profile.mailboxCap),
    'advanced.processEmailFrom': day(profile.advanced.processEmailFrom),
    'advanced.minPollingIntervalMinutes': String(profile.advanced.minPollingIntervalMinutes),
    'advanced.maxConcurrentConnections': String(profile.advanced.maxConcurrentConnections),
    'advanced.moveFailedToUndeliverable': checked(profile.advanced.moveFailedToUndeliverable),
    'advanced.connectionTimeoutSeconds': String(profile.advanced.connectionTimeoutSeconds),
    'advanced.sendRatePerMinute': String(profile.advanced.sendRatePerMinute),
    'advanced.queuedMessageExpiryHours': String(profile.advanced.queuedMessageExpiryHours),
  };
}
