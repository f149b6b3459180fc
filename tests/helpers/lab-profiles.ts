import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { serverProfiles, type ServerProfile, type User } from '@/db/schema';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { secretPlace } from '@/lib/crypto/secret-place';
import { applyMailboxEvent, createMailbox } from '@/lib/mailboxes/mailboxes';
import { completeAuthorization } from '@/lib/connect/complete-authorization';
import { startAuthorization } from '@/lib/connect/start-authorization';
import { authorizeAsUser } from '../../scripts/lab/headless-user';
import { encryptSecret } from '@/lib/crypto/secrets';
import { insertProfile } from './fixtures';
import { getLab, labControl, type OAuthClient } from './lab';

/**
 * A Gmail profile as an admin would set it up for the lab's Google persona; with a `client` of its
 * own (from `labControl.registerClient`) the lab counts its token requests apart from other tests'.
 */
export function insertLabGoogleProfile(
  options: { client?: OAuthClient } & Partial<Parameters<typeof insertProfile>[0]> = {},
): Promise<ServerProfile> {
  const { client: ownClient, id = randomUUID(), ...overrides } = options;
  const { personas, mail } = getLab();
  const client = ownClient ?? (personas.google.clients.web as OAuthClient);
  return insertProfile({
    id,
    name: 'Lab Gmail',
    serverType: 'gmail',
    authType: 'oauth2_code',
    clientId: client.clientId,
    clientSecret: encryptSecret(client.clientSecret!, secretPlace(serverProfiles.clientSecret, id)),
    clientSecretHint: '…lab',
    authorizationEndpoint: personas.google.endpoints.authorization,
    tokenEndpoint: personas.google.endpoints.token,
    revocationEndpoint: personas.google.endpoints.revocation,
    userinfoEndpoint: personas.google.endpoints.userinfo,
    issuer: personas.google.issuer,
    jwksEndpoint: personas.google.endpoints.jwks,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod ?? 'client_secret_post',
    scopes: ['https://mail.google.com/', 'openid', 'email'],
    incomingHost: mail.gmail.imap.tls.host,
    incomingPort: mail.gmail.imap.tls.port,
    incomingSecurity: 'tls',
    outgoingHost: mail.gmail.smtp.tls.host,
    outgoingPort: mail.gmail.smtp.tls.port,
    outgoingSecurity: 'tls',
    internalServer: true,
    ...overrides,
  });
}

/** A Microsoft 365 profile for the lab's tenant: the web app (code flow) or the public app (device flow). */
export function insertLabMicrosoftProfile(
  options: { flow?: 'code' | 'device' } & Partial<Parameters<typeof insertProfile>[0]> = {},
): Promise<ServerProfile> {
  const { flow = 'code', id = randomUUID(), ...overrides } = options;
  const { personas, mail } = getLab();
  const client = (flow === 'code' ? personas.microsoft.clients.web : personas.microsoft.clients.public) as OAuthClient;
  return insertProfile({
    id,
    name: flow === 'code' ? 'Lab Microsoft 365' : 'Lab Microsoft 365 (device)',
    serverType: 'microsoft365',
    authType: flow === 'code' ? 'oauth2_code' : 'oauth2_device',
    tenant: personas.microsoft.tenant,
    clientId: client.clientId,
    publicClient: !client.clientSecret,
    clientSecret: client.clientSecret ? encryptSecret(client.clientSecret, secretPlace(serverProfiles.clientSecret, id)) : null,
    authorizationEndpoint: personas.microsoft.endpoints.authorization,
    tokenEndpoint: personas.microsoft.endpoints.token,
    deviceEndpoint: flow === 'device' ? personas.microsoft.endpoints.device : null,
    userinfoEndpoint: personas.microsoft.endpoints.userinfo,
    issuer: personas.microsoft.issuer,
    jwksEndpoint: personas.microsoft.endpoints.jwks,
    scopes: [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access',
      'openid',
      'email',
      'profile',
    ],
    incomingHost: mail.microsoft.imap.tls.host,
    incomingPort: mail.microsoft.imap.tls.port,
    incomingSecurity: 'tls',
    outgoingHost: mail.microsoft.smtp.starttls.host,
    outgoingPort: mail.microsoft.smtp.starttls.port,
    outgoingSecurity: 'starttls',
    internalServer: true,
    ...overrides,
  });
}

/** Both directions through a web API: no host, port or security of the profile's own. */
const NO_SOCKETS = { incomingHost: null, incomingPort: null, incomingSecurity: null, outgoingHost: null, outgoingPort: null, outgoingSecurity: null } as const;

/** A Microsoft 365 profile over Microsoft Graph for the lab's tenant (the web app, code flow) and the lab's Graph. */
export function insertLabGraphProfile(options: Partial<Parameters<typeof insertProfile>[0]> = {}): Promise<ServerProfile> {
  const { id = randomUUID(), ...overrides } = options;
  const { personas, api } = getLab();
  const client = personas.microsoft.clients.web as OAuthClient;
  return insertProfile({
    id,
    name: `Lab Microsoft 365 over Graph ${Math.random().toString(36).slice(2, 8)}`,
    serverType: 'microsoft365',
    authType: 'oauth2_code',
    tenant: personas.microsoft.tenant,
    clientId: client.clientId,
    clientSecret: encryptSecret(client.clientSecret!, secretPlace(serverProfiles.clientSecret, id)),
    authorizationEndpoint: personas.microsoft.endpoints.authorization,
    tokenEndpoint: personas.microsoft.endpoints.token,
    userinfoEndpoint: personas.microsoft.endpoints.userinfo,
    issuer: personas.microsoft.issuer,
    jwksEndpoint: personas.microsoft.endpoints.jwks,
    apiEndpoint: api.graph.baseUrl,
    scopes: ['Mail.ReadWrite', 'Mail.ReadWrite.Shared', 'User.Read', 'Mail.Send', 'Mail.Send.Shared', 'offline_access', 'openid', 'email', 'profile'],
    incomingProtocol: 'graph',
    outgoingProtocol: 'graph',
    ...NO_SOCKETS,
    internalServer: true,
    ...overrides,
  });
}

/** A Gmail profile over the Gmail API and the lab's Google persona; with a `client` of its own, its faults touch no other test. */
export function insertLabGmailApiProfile(options: { client?: OAuthClient } & Partial<Parameters<typeof insertProfile>[0]> = {}): Promise<ServerProfile> {
  return insertLabGoogleProfile({
    name: `Lab Gmail over the Gmail API ${Math.random().toString(36).slice(2, 8)}`,
    apiEndpoint: getLab().api.gmail.baseUrl,
    scopes: ['https://www.googleapis.com/auth/gmail.modify', 'https://www.googleapis.com/auth/gmail.send', 'openid', 'email'],
    incomingProtocol: 'gmail_api',
    outgoingProtocol: 'gmail_api',
    ...NO_SOCKETS,
    ...options,
  });
}

/** A generic IMAP + SMTP profile with passwords, for the lab's `generic` server (STARTTLS submission). */
export function insertLabGenericProfile(overrides: Partial<Parameters<typeof insertProfile>[0]> = {}): Promise<ServerProfile> {
  const { generic } = getLab().mail;
  return insertProfile({
    name: `Lab generic ${Math.random().toString(36).slice(2, 8)}`,
    serverType: 'custom',
    authType: 'password',
    clientId: null,
    scopes: [],
    incomingProtocol: 'imap',
    incomingHost: generic.imap.tls.host,
    incomingPort: generic.imap.tls.port,
    incomingSecurity: 'tls',
    outgoingHost: generic.smtp.starttls.host,
    outgoingPort: generic.smtp.starttls.port,
    outgoingSecurity: 'starttls',
    internalServer: true,
    ...overrides,
  });
}

/**
 * A lab account of its own for a test that changes it (revokes its grants, disables its SMTP):
 * test files and database projects share one lab, so they must not share such an account. A
 * Microsoft account with a `tenantId` belongs to another organization than the lab tenant.
 */
export async function createLabAccount(options: { provider: 'google' | 'microsoft'; name: string; tenantId?: string }): Promise<string> {
  const domain = options.provider === 'google' ? 'gmail.lab.test' : options.tenantId ? 'fabrikam.lab.test' : 'contoso.lab.test';
  const email = `${options.name}-${Math.random().toString(36).slice(2, 8)}@${domain}`;
  await labControl.createAccount({ email, provider: options.provider, tenantId: options.tenantId });
  return email;
}

/**
 * A mailbox of `owner` on a lab OAuth profile, approved and connected through the lab's consent as `address`;
 * a shared mailbox (Microsoft 365) is connected by its delegate, `signInAs`.
 */
export async function connectLabMailbox({
  owner,
  address,
  profile,
  shared = false,
  signInAs = address,
}: {
  owner: User;
  address: string;
  profile: ServerProfile;
  shared?: boolean;
  signInAs?: string;
}): Promise<string> {
  const mailbox = await createMailbox({
    actor: COMMAND_LINE_ACTOR,
    input: { address, ownerId: owner.id, profileId: profile.id, incoming: 'server_side', outgoing: 'server_side', shared },
  });
  await applyMailboxEvent({ actor: COMMAND_LINE_ACTOR, id: mailbox.id, event: 'approve' });
  await reconnectLabMailbox({ owner, mailboxId: mailbox.id, signInAs });
  return mailbox.id;
}

/** The owner goes through the lab's consent (again) for a mailbox of theirs, with the profile's scopes of now. */
export async function reconnectLabMailbox({ owner, mailboxId, signInAs }: { owner: User; mailboxId: string; signInAs: string }): Promise<void> {
  const started = await startAuthorization({ viewer: owner, mailboxId });
  const callback = await authorizeAsUser({ authorizationUrl: (started as { authorizationUrl: string }).authorizationUrl, email: signInAs });
  const { outcome } = await completeAuthorization({ userId: owner.id, query: Object.fromEntries(callback.searchParams) });
  expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
}
