import { z } from 'zod';
import type { MessagePath } from '@/lib/i18n/phrase';
import { MAX_MAILBOX_CAP } from '@/lib/profiles/presets';
import { PROVIDER_IDS, PROVIDERS } from '@/lib/providers';
import {
  AUTH_TYPES,
  INCOMING_PROTOCOLS,
  isApiProtocol,
  isOAuth,
  OUTGOING_PROTOCOLS,
  PUBLISHING_STATUSES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  TRANSPORT_SECURITIES,
} from '@/lib/providers/provider';
import { literalAddressKind } from '@/lib/profiles/address-literal';
import { providerEndpointProblem } from '@/lib/profiles/provider-hosts';
import { id } from './common';

const serverType = z.enum(PROVIDER_IDS, { error: 'validation.profile.serverType' });
const authType = z.enum(AUTH_TYPES, { error: 'validation.profile.authType' });
const incomingProtocol = z.enum(INCOMING_PROTOCOLS, { error: 'validation.profile.incomingProtocol' });
const outgoingProtocol = z.enum(OUTGOING_PROTOCOLS, { error: 'validation.profile.outgoingProtocol' });
const security = z.enum(TRANSPORT_SECURITIES, { error: 'validation.profile.security' });
const publishingStatus = z.enum(PUBLISHING_STATUSES, { error: 'validation.profile.publishingStatus' });
const tokenEndpointAuthMethod = z.enum(TOKEN_ENDPOINT_AUTH_METHODS, { error: 'validation.profile.tokenEndpointAuthMethod' });

// ---------------------------------------------------------------------------------------------
// The request body (API and form alike): the Profile shape of API.md, every field optional but
// name and serverType, since what is left out comes from the preset. Only types are checked here;
// the rules run on the resolved profile below, so that every error names its exact field.
// ---------------------------------------------------------------------------------------------

const nullableText = z.string().nullable();
/** Null host, port and security: the direction goes through a web API (Graph, the Gmail API). */
const location = z.object({ host: nullableText, port: z.number().nullable(), security: security.nullable() }).partial();

const profileFields = {
  name: z.string({ error: 'validation.profile.nameRequired' }),
  serverType,
  authType: authType.optional(),
  clientId: nullableText.optional(),
  /** Write-only: a string sets or replaces the secret, null clears it, absent keeps it. */
  clientSecret: nullableText.optional(),
  clientSecretExpiresAt: nullableText.optional(),
  publicClient: z.boolean().optional(),
  tenant: nullableText.optional(),
  publishingStatus: publishingStatus.nullable().optional(),
  /** How the client proves itself at the token endpoint; Gmail and Microsoft 365 take client_secret_post. */
  tokenEndpointAuthMethod: tokenEndpointAuthMethod.optional(),
  /** The OpenID issuer whose signed id_tokens name the consenting account; null: the account comes from userinfo. */
  issuer: nullableText.optional(),
  endpoints: z
    .object({
      authorization: nullableText,
      token: nullableText,
      device: nullableText,
      revocation: nullableText,
      userinfo: nullableText,
      jwks: nullableText,
      api: nullableText,
    })
    .partial()
    .optional(),
  scopes: z.array(z.string()).optional(),
  incoming: location.extend({ protocol: incomingProtocol }).partial().optional(),
  outgoing: location.extend({ protocol: outgoingProtocol }).partial().optional(),
  /** Certificates an admin accepted by their SHA-256 fingerprint, for the profile's incoming or outgoing host. */
  trustedCertificates: z.array(z.object({ host: z.string(), sha256: z.string() })).optional(),
  internalServer: z.boolean().optional(),
  isDefault: z.boolean().optional(),
  /** Service accounts may fetch the access tokens of its mailboxes (POST /api/v1/mailboxes/{id}/access-token). */
  allowAccessTokens: z.boolean().optional(),
  mailboxCap: z.number().nullable().optional(),
  advanced: z
    .object({
      processEmailFrom: nullableText,
      minPollingIntervalMinutes: z.number(),
      maxConcurrentConnections: z.number(),
      moveFailedToUndeliverable: z.boolean(),
      connectionTimeoutSeconds: z.number(),
      sendRatePerMinute: z.number(),
      queuedMessageExpiryHours: z.number(),
    })
    .partial()
    .optional(),
};

/** Write endpoints refuse unknown fields, each named (a field that no longer exists, such as allowSelfSigned, included). */
function refuseUnknownFields(value: Record<string, unknown>, context: z.RefinementCtx): void {
  for (const name of Object.keys(value)) {
    if (!(name in profileFields)) context.addIssue({ code: 'custom', path: [name], message: 'validation.profile.unknownField' });
  }
}

export const createProfileRequest = z.looseObject(profileFields).superRefine(refuseUnknownFields);
export type CreateProfileRequest = z.input<typeof createProfileRequest>;

export const updateProfileRequest = z
  .looseObject({ ...profileFields, name: profileFields.name.optional(), serverType: serverType.optional() })
  .superRefine(refuseUnknownFields)
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    error: 'validation.common.nothingToChange',
  });
export type UpdateProfileRequest = z.input<typeof updateProfileRequest>;

// ---------------------------------------------------------------------------------------------
// The rules, applied to the whole profile once presets and stored values are merged in.
// ---------------------------------------------------------------------------------------------

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV6 = /^[0-9a-f:]+(%\w+)?$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** A URL's host name as the URL parser normalized it. */
const isLoopbackHost = (hostname: string) => /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(hostname);

const hostName = z
  .string({ error: 'validation.profile.hostRequired' })
  .trim()
  .min(1, { error: 'validation.profile.hostRequired' })
  .superRefine((value, context) => {
    if (value === '') return;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      context.addIssue({ code: 'custom', message: 'validation.profile.hostWithScheme' });
    } else if (value.includes('/')) {
      context.addIssue({ code: 'custom', message: 'validation.profile.hostWithPath' });
    } else if (!HOST_NAME.test(value) && !IPV6.test(value)) {
      context.addIssue({ code: 'custom', message: 'validation.profile.hostInvalid' });
    }
  });

const port = z
  .number({ error: 'validation.profile.port' })
  .int({ error: 'validation.profile.port' })
  .min(1, { error: 'validation.profile.port' })
  .max(65_535, { error: 'validation.profile.port' });

const endpointUrl = z
  .string()
  .trim()
  .superRefine((value, context) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      context.addIssue({ code: 'custom', message: 'validation.profile.urlInvalid' });
      return;
    }
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return;
    context.addIssue({ code: 'custom', message: 'validation.profile.urlNotHttps' });
  })
  .nullable();

const SHA256_FINGERPRINT = /^[0-9a-f]{64}$/;

/** A fingerprint as tools print it (`AB:CD:…`, any case) to the stored form: 64 lowercase hex digits. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[\s:]/g, '').toLowerCase();
}

const trustedCertificate = z.object({
  host: z.string().trim().toLowerCase().min(1, { error: 'validation.profile.certificateHostRequired' }),
  sha256: z
    .string()
    .transform(normalizeFingerprint)
    .refine((value) => SHA256_FINGERPRINT.test(value), {
      error: 'validation.profile.fingerprintInvalid',
    }),
});

const scope = z
  .string()
  .trim()
  .min(1, { error: 'validation.profile.scopeEmpty' })
  .regex(/^\S+$/, { error: 'validation.profile.scopeSpaces' });

/** A whole number in a range; `thing` names what it counts in the message (validation.profile.range). */
const wholeNumber = (thing: 'cap' | 'minutes' | 'connections' | 'seconds' | 'messagesPerMinute' | 'hours', min: number, max: number) =>
  z.custom<number>((value) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max, {
    error: 'validation.profile.range',
    params: { thing, min, max },
  });

/** ISO 8601 only (a date, or a date and time with its offset): `Date.parse` would take "12/31" or "Dec 31" as well. */
const ISO_DATE_OR_TIME = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const dateOrNull = (thing: 'expiry' | 'firstDate') =>
  z
    .string()
    .trim()
    .refine((value) => ISO_DATE_OR_TIME.safeParse(value).success, { error: 'validation.profile.date', params: { thing } })
    .transform((value) => new Date(value))
    .nullable();

/** A profile with everything resolved: what is stored, minus the secret itself. */
const profileShape = z.object({
    name: z
      .string({ error: 'validation.profile.nameRequired' })
      .trim()
      .min(1, { error: 'validation.profile.nameRequired' })
      .max(200, { error: 'validation.common.tooLong' }),
    serverType,
    authType,
    clientId: z.string().trim().max(500, { error: 'validation.common.tooLong' }).nullable(),
    /** The secret that will be stored, or whether one stays stored; never returned. */
    clientSecret: z
      .string()
      .min(1, { error: 'validation.profile.clientSecretEmpty' })
      .max(2000, { error: 'validation.common.tooLong' })
      .nullable(),
    clientSecretKept: z.boolean(),
    /** The stored secret was cleared because the profile's OAuth destination changed: saved without one, to be entered again. */
    clientSecretMustBeReentered: z.boolean(),
    clientSecretExpiresAt: dateOrNull('expiry'),
    publicClient: z.boolean(),
    tenant: z.string().trim().nullable(),
    publishingStatus: publishingStatus.nullable(),
    tokenEndpointAuthMethod,
    issuer: endpointUrl,
    endpoints: z.object({
      authorization: endpointUrl,
      token: endpointUrl,
      device: endpointUrl,
      revocation: endpointUrl,
      userinfo: endpointUrl,
      jwks: endpointUrl,
      api: endpointUrl,
    }),
    scopes: z.array(scope).max(50, { error: 'validation.profile.scopesMax' }),
    // Whether a direction needs its host, port and security depends on its protocol: the rules below say.
    incoming: z.object({ protocol: incomingProtocol, host: hostName.nullable(), port: port.nullable(), security: security.nullable() }),
    outgoing: z.object({ protocol: outgoingProtocol, host: hostName.nullable(), port: port.nullable(), security: security.nullable() }),
    trustedCertificates: z.array(trustedCertificate).max(20, { error: 'validation.profile.certificatesMax' }),
    internalServer: z.boolean(),
    isDefault: z.boolean(),
    allowAccessTokens: z.boolean(),
    mailboxCap: wholeNumber('cap', 1, MAX_MAILBOX_CAP).nullable(),
    advanced: z.object({
      processEmailFrom: dateOrNull('firstDate'),
      minPollingIntervalMinutes: wholeNumber('minutes', 0, 1440),
      maxConcurrentConnections: wholeNumber('connections', 1, 300),
      moveFailedToUndeliverable: z.boolean(),
      connectionTimeoutSeconds: wholeNumber('seconds', 5, 300),
      /** Messages business systems send through one mailbox, at most, per minute: the provider's throttling stays away. */
      sendRatePerMinute: wholeNumber('messagesPerMinute', 1, 10_000),
      /** How long a message waits for its mailbox to be active again before it fails. */
      queuedMessageExpiryHours: wholeNumber('hours', 1, 168),
    }),
  });

export type ProfileDraft = z.input<typeof profileShape>;

/**
 * The whole profile's rules, once presets and stored values are merged in. `extraProviderOrigins`
 * (MAILROOM_EXTRA_PROVIDER_ORIGINS) is the operator's list of a test lab's stand-ins for Google and Microsoft.
 */
export function profileSchema({ extraProviderOrigins }: { extraProviderOrigins: readonly string[] }) {
  return profileShape.superRefine((profile, context) => {
    // Messages are keys; their values travel as the issue's params (lib/validations/field-errors.ts).
    const problem = (path: string, message: MessagePath, params?: Record<string, string | number>) =>
      context.addIssue({ code: 'custom', path: path.split('.'), message, ...(params ? { params } : {}) });
    const provider = PROVIDERS[profile.serverType];
    const refusal = provider.authTypeRefusals[profile.authType];
    if (refusal) problem('authType', `${refusal}.message` as MessagePath);
    const oauth = isOAuth(profile.authType);
    const secretSet = profile.clientSecret !== null || profile.clientSecretKept;

    if (provider.tenant) {
      const tenant = profile.tenant ?? '';
      const valid = provider.tenant.keywords.includes(tenant) || GUID.test(tenant) || DOMAIN.test(tenant);
      if (!valid) problem('tenant', provider.tenant.problem);
    } else if (profile.tenant) {
      problem('tenant', 'validation.profile.tenantNotUsed');
    }

    if (profile.publishingStatus !== null && !(provider.testingApps && oauth)) {
      problem('publishingStatus', 'validation.profile.publishingStatusNotUsed');
    }

    const label = provider.label;
    const incomingOffered = (provider.incomingProtocols as readonly string[]).includes(profile.incoming.protocol);
    const outgoingOffered = (provider.outgoingProtocols as readonly string[]).includes(profile.outgoing.protocol);
    if (!incomingOffered) problem('incoming.protocol', 'validation.profile.protocolNotOffered', { provider: label, protocols: provider.incomingProtocols.join(', ') });
    if (!outgoingOffered) problem('outgoing.protocol', 'validation.profile.protocolNotOffered', { provider: label, protocols: provider.outgoingProtocols.join(', ') });
    const usesApi = isApiProtocol(profile.incoming.protocol) || isApiProtocol(profile.outgoing.protocol);
    for (const side of ['incoming', 'outgoing'] as const) {
      const direction = profile[side];
      if (isApiProtocol(direction.protocol)) {
        if (!oauth) problem(`${side}.protocol`, 'validation.profile.apiNeedsOAuth', { protocol: direction.protocol });
        for (const field of ['host', 'port', 'security'] as const) {
          if (direction[field] !== null) problem(`${side}.${field}`, 'validation.profile.noServerForApi', { protocol: direction.protocol });
        }
      } else {
        if (direction.host === null) problem(`${side}.host`, 'validation.profile.hostRequired');
        if (direction.port === null) problem(`${side}.port`, 'validation.profile.port');
        if (direction.security === null) problem(`${side}.security`, 'validation.profile.security');
      }
    }
    // Microsoft issues an access token for one resource at a time: IMAP with Graph would need two tokens per mailbox.
    if (incomingOffered && outgoingOffered && provider.resourceOf(profile.incoming.protocol) !== provider.resourceOf(profile.outgoing.protocol)) {
      problem('outgoing.protocol', 'validation.profile.protocolMix', { company: provider.company ?? label, incoming: profile.incoming.protocol, outgoing: profile.outgoing.protocol });
    }
    if (usesApi && !profile.endpoints.api) problem('endpoints.api', 'validation.profile.apiEndpointRequired');
    if (!usesApi && profile.endpoints.api) problem('endpoints.api', 'validation.profile.apiEndpointUnused');

    // Every URL the profile's OAuth client talks to: where its secret and its mailboxes' tokens may go.
    const urls: [string, string][] = [
      ...Object.entries(profile.endpoints).map(([name, value]): [string, string | null] => [`endpoints.${name}`, value]),
      ['issuer', profile.issuer] as [string, string | null],
    ].filter((entry): entry is [string, string] => entry[1] !== null);

    if (!oauth) {
      if (profile.issuer) problem('issuer', 'validation.profile.password.issuer');
      if (profile.tokenEndpointAuthMethod !== 'client_secret_post') {
        problem('tokenEndpointAuthMethod', 'validation.profile.password.tokenEndpointAuthMethod');
      }
      if (profile.clientId) problem('clientId', 'validation.profile.password.clientId');
      if (profile.clientSecret !== null) problem('clientSecret', 'validation.profile.password.clientSecret');
      if (profile.publicClient) problem('publicClient', 'validation.profile.password.publicClient');
      for (const [name, value] of Object.entries(profile.endpoints)) {
        if (value) problem(`endpoints.${name}`, 'validation.profile.password.endpoint');
      }
      if (profile.scopes.length > 0) problem('scopes', 'validation.profile.password.scopes');
    } else {
      if (!profile.clientId) problem('clientId', 'validation.profile.oauth.clientIdRequired');
      if (profile.publicClient && provider.publicClientRefusal) problem('publicClient', provider.publicClientRefusal);
      if (profile.publicClient && secretSet) {
        problem('clientSecret', 'validation.profile.oauth.publicClientWithSecret');
      }
      if (!profile.publicClient && !secretSet && !profile.clientSecretMustBeReentered) {
        problem(
          'clientSecret',
          provider.publicClientRefusal
            ? 'validation.profile.oauth.secretRequired'
            : 'validation.profile.oauth.secretOrPublic',
        );
      }
      if (!profile.endpoints.authorization && profile.authType === 'oauth2_code') {
        problem('endpoints.authorization', 'validation.profile.oauth.authorizationEndpointRequired');
      }
      if (!profile.endpoints.token) problem('endpoints.token', 'validation.profile.oauth.tokenEndpointRequired');
      if (profile.authType === 'oauth2_device' && !profile.endpoints.device) {
        problem('endpoints.device', 'validation.profile.oauth.deviceEndpointRequired');
      }
      if (profile.authType !== 'oauth2_device' && profile.endpoints.device) {
        problem('endpoints.device', 'validation.profile.oauth.deviceEndpointUnused');
      }
      if (profile.scopes.length === 0) problem('scopes', 'validation.profile.oauth.scopesRequired');
      const fixedMethod = provider.fixedTokenEndpointAuthMethod;
      if (fixedMethod && profile.tokenEndpointAuthMethod !== fixedMethod) {
        problem('tokenEndpointAuthMethod', 'validation.profile.oauth.fixedMethod', { company: provider.company ?? '', method: fixedMethod });
      }
      if (profile.issuer && !profile.endpoints.jwks) {
        problem('endpoints.jwks', 'validation.profile.oauth.jwksRequired');
      }
      if (profile.endpoints.jwks && !profile.issuer && !provider.knownSigningKeys) {
        problem('issuer', 'validation.profile.oauth.issuerRequired');
      }
      for (const [path, url] of urls) {
        const refusal = providerEndpointProblem({ serverType: profile.serverType, url, extraOrigins: extraProviderOrigins });
        if (refusal) problem(path, refusal.key as MessagePath, refusal.values as Record<string, string>);
      }
    }

    const ownHosts = new Set([profile.incoming.host, profile.outgoing.host].flatMap((host) => (host ? [host.toLowerCase()] : [])));
    const [first = '', second = ''] = ownHosts;
    profile.trustedCertificates.forEach((certificate, index) => {
      if (!ownHosts.has(certificate.host)) {
        problem(`trustedCertificates.${index}.host`, 'validation.profile.certificateHostNotOwn', { count: ownHosts.size, first, second });
      }
    });

    const hosts: [string, string][] = [
      ...(profile.incoming.host ? [['incoming.host', profile.incoming.host] as [string, string]] : []),
      ...(profile.outgoing.host ? [['outgoing.host', profile.outgoing.host] as [string, string]] : []),
      ...urls.flatMap(([path, value]): [string, string][] => {
        try {
          return [[path, new URL(value).hostname]];
        } catch {
          return [];
        }
      }),
    ];
    for (const [path, host] of hosts) {
      const kind = literalAddressKind(host);
      if (kind === 'never') {
        problem(path, 'validation.profile.addressNever');
      } else if (kind === 'internal' && !profile.internalServer) {
        problem(path, 'validation.profile.addressInternal');
      }
    }
  });
}

export type ResolvedProfile = z.output<typeof profileShape>;

// ---------------------------------------------------------------------------------------------
// The portal's form: flat fields named by their dotted path, turned into the request body above.
// ---------------------------------------------------------------------------------------------

function text(values: Record<string, string>, name: string): string | null | undefined {
  if (!(name in values)) return undefined;
  const value = values[name]!.trim();
  return value === '' ? null : value;
}

/** An empty or malformed number stays NaN, so that the rules name the field. */
function number(values: Record<string, string>, name: string): number | undefined {
  if (!(name in values)) return undefined;
  const value = values[name]!.trim();
  return /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
}

function checkbox(values: Record<string, string>, name: string): boolean {
  return values[name] === 'on' || values[name] === 'true';
}

function choice<T extends string>(values: Record<string, string>, name: string): T | undefined {
  return (text(values, name) ?? undefined) as T | undefined;
}

/** One accepted certificate a line: the host, then its SHA-256 fingerprint. */
function trustedCertificateLines(value: string): { host: string; sha256: string }[] {
  return value
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [host = '', ...fingerprint] = line.split(/\s+/);
      return { host, sha256: fingerprint.join('') };
    });
}

/** A direction's fields; the form sends none of host, port and security for a web API protocol, which has none. */
function formLocation<Side extends 'incoming' | 'outgoing'>(values: Record<string, string>, side: Side) {
  const protocol = choice<NonNullable<NonNullable<CreateProfileRequest[Side]>['protocol']>>(values, `${side}.protocol`);
  if (protocol && isApiProtocol(protocol)) return { protocol, host: null, port: null, security: null };
  return { protocol, host: values[`${side}.host`], port: number(values, `${side}.port`), security: choice<'tls' | 'starttls' | 'none'>(values, `${side}.security`) };
}

export function formToProfileRequest(values: Record<string, string>): CreateProfileRequest {
  const endpoint = (name: string) => text(values, `endpoints.${name}`);
  const secret = values.clientSecret?.trim() ?? '';
  const mailboxCap = text(values, 'mailboxCap');
  return {
    name: values.name ?? '',
    serverType: choice(values, 'serverType') ?? ('' as CreateProfileRequest['serverType']),
    authType: choice(values, 'authType'),
    clientId: text(values, 'clientId'),
    // Write-only: an empty field keeps the stored secret; "clear" is an explicit checkbox.
    clientSecret: checkbox(values, 'clearClientSecret') ? null : secret === '' ? undefined : secret,
    clientSecretExpiresAt: text(values, 'clientSecretExpiresAt'),
    publicClient: checkbox(values, 'publicClient'),
    tenant: text(values, 'tenant'),
    publishingStatus: 'publishingStatus' in values ? choice<'production' | 'testing'>(values, 'publishingStatus') : undefined,
    tokenEndpointAuthMethod: choice(values, 'tokenEndpointAuthMethod'),
    issuer: text(values, 'issuer'),
    endpoints: {
      authorization: endpoint('authorization'),
      token: endpoint('token'),
      device: endpoint('device'),
      revocation: endpoint('revocation'),
      userinfo: endpoint('userinfo'),
      jwks: endpoint('jwks'),
      api: endpoint('api'),
    },
    scopes: 'scopes' in values ? values.scopes!.split(/\s+/).filter(Boolean) : undefined,
    incoming: formLocation(values, 'incoming'),
    outgoing: formLocation(values, 'outgoing'),
    trustedCertificates: 'trustedCertificates' in values ? trustedCertificateLines(values.trustedCertificates!) : undefined,
    internalServer: checkbox(values, 'internalServer'),
    isDefault: checkbox(values, 'isDefault'),
    allowAccessTokens: checkbox(values, 'allowAccessTokens'),
    mailboxCap: mailboxCap === undefined ? undefined : mailboxCap === null ? null : number(values, 'mailboxCap'),
    advanced: {
      processEmailFrom: text(values, 'advanced.processEmailFrom'),
      minPollingIntervalMinutes: number(values, 'advanced.minPollingIntervalMinutes'),
      maxConcurrentConnections: number(values, 'advanced.maxConcurrentConnections'),
      moveFailedToUndeliverable: checkbox(values, 'advanced.moveFailedToUndeliverable'),
      connectionTimeoutSeconds: number(values, 'advanced.connectionTimeoutSeconds'),
      sendRatePerMinute: number(values, 'advanced.sendRatePerMinute'),
      queuedMessageExpiryHours: number(values, 'advanced.queuedMessageExpiryHours'),
    },
  };
}

/** The form arrives as strings; the profile rules run later, on the resolved profile. */
export const profileFormSchema = z.record(z.string(), z.string());

export const profileIdForm = z.object({ id });

// ---------------------------------------------------------------------------------------------
// The response: the Profile shape of API.md, with no secret.
// ---------------------------------------------------------------------------------------------

/** Host, port and security are null for a web API protocol (Graph, the Gmail API). */
const locationResponse = z.object({ host: z.string().nullable(), port: z.number().nullable(), security: security.nullable() });

export const profileResponse = z.object({
  id: z.string(),
  name: z.string(),
  serverType,
  authType,
  clientId: z.string().nullable(),
  publicClient: z.boolean(),
  clientSecretSet: z.boolean(),
  clientSecretHint: z.string().nullable(),
  clientSecretExpiresAt: z.string().nullable(),
  tenant: z.string().nullable(),
  publishingStatus: publishingStatus.nullable(),
  /** Null for password profiles, which have no OAuth client. */
  tokenEndpointAuthMethod: tokenEndpointAuthMethod.nullable(),
  issuer: z.string().nullable(),
  endpoints: z.object({
    authorization: z.string().nullable(),
    token: z.string().nullable(),
    device: z.string().nullable(),
    revocation: z.string().nullable(),
    userinfo: z.string().nullable(),
    jwks: z.string().nullable(),
    /** The root of Microsoft Graph or the Gmail API, when a direction goes through it. */
    api: z.string().nullable(),
  }),
  scopes: z.array(z.string()),
  incoming: locationResponse.extend({ protocol: incomingProtocol }),
  outgoing: locationResponse.extend({ protocol: outgoingProtocol }),
  trustedCertificates: z.array(z.object({ host: z.string(), sha256: z.string() })),
  internalServer: z.boolean(),
  isDefault: z.boolean(),
  /** Service accounts may fetch its mailboxes' access tokens; off unless an admin turns it on. */
  allowAccessTokens: z.boolean(),
  mailboxCap: z.number().nullable(),
  mailboxCount: z.number(),
  /** Register it at Google or Microsoft; null for profiles that use no redirect. */
  redirectUri: z.string().nullable(),
  advanced: z.object({
    processEmailFrom: z.string().nullable(),
    minPollingIntervalMinutes: z.number(),
    maxConcurrentConnections: z.number(),
    moveFailedToUndeliverable: z.boolean(),
    connectionTimeoutSeconds: z.number(),
    sendRatePerMinute: z.number(),
    queuedMessageExpiryHours: z.number(),
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProfileResponse = z.infer<typeof profileResponse>;

export const updatedProfileResponse = profileResponse.extend({
  /** What the change did besides itself: a client secret cleared, mailboxes that must reconnect. */
  notices: z.array(z.string()),
});
export type UpdatedProfileResponse = z.infer<typeof updatedProfileResponse>;

/** The profile list's filter: `capacity=near` keeps the profiles at or near their cap; anything else shows all. */
export const profileListFilters = z.object({
  capacity: z.enum(['near']).optional().catch(undefined),
});
