import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
// The ids alone, not the descriptors: drizzle-kit loads this file with relative imports only.
import { PROVIDER_IDS } from '../lib/providers/ids';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

/** `service`: a business system, not a person: no password, no sign-in, API keys only. */
export const userRole = pgEnum('user_role', ['admin', 'owner', 'support', 'service']);
/** One value per provider descriptor (lib/providers): a new provider adds its id there, then a migration. */
export const serverType = pgEnum('server_type', PROVIDER_IDS);
export const authType = pgEnum('auth_type', ['oauth2_code', 'oauth2_device', 'password']);
export const incomingProtocol = pgEnum('incoming_protocol', ['imap', 'pop3', 'graph', 'gmail_api']);
export const outgoingProtocol = pgEnum('outgoing_protocol', ['smtp', 'graph', 'gmail_api']);
export const transportSecurity = pgEnum('transport_security', ['tls', 'starttls', 'none']);
export const publishingStatus = pgEnum('publishing_status', ['production', 'testing']);
export const syncMode = pgEnum('sync_mode', ['server_side', 'none']);
export const approvalState = pgEnum('approval_state', ['pending', 'approved', 'rejected']);
export const connectionState = pgEnum('connection_state', ['not_connected', 'connected', 'needs_reconnect']);
export const mailboxStatus = pgEnum('mailbox_status', ['inactive', 'active', 'failing', 'disabled']);
export const testStatus = pgEnum('test_status', ['not_run', 'success', 'failure']);
export const passwordLinkPurpose = pgEnum('password_link_purpose', ['invitation', 'reset']);
export const oauthFlow = pgEnum('oauth_flow', ['code', 'device']);
export const tokenEndpointAuthMethod = pgEnum('token_endpoint_auth_method', ['client_secret_post', 'client_secret_basic']);
export const testDirection = pgEnum('test_direction', ['incoming', 'outgoing']);
export const outboxStatus = pgEnum('outbox_status', ['queued', 'sending', 'sent', 'failed']);
/** A grant as the mailbox's copy of it says: revoked wins over a refresh error. */
export const grantStanding = pgEnum('grant_standing', ['ok', 'failing', 'revoked']);
/** The token state without the clock: `healthy` is valid or expiring, told apart by the token's times. */
export const tokenStanding = pgEnum('token_standing', ['none', 'healthy', 'refresh_failing', 'revoked']);

/** A server certificate an admin accepted for a host of the profile: connections to it require exactly this one. */
export type TrustedCertificate = { host: string; sha256: string };

/** A problem as stored, with when it happened: lib/errors.ts checks that it stays a `Problem` (db/ imports no lib/). */
/** Values of a stored problem's message (lib/i18n/text.ts PhraseValues, which db/ cannot import). */
export type StoredPhraseValues = { [name: string]: string | number | { key: string; values?: StoredPhraseValues } | { at: string } };
/** A problem as stored: its English texts, and the message key that renders it in each reader's language. */
/** Words stored for later readers: a message key and its values. */
export type StoredPhrase = { key: string; values?: StoredPhraseValues };
export type StoredError = { code: string; message: string; hint: string; at: string; key?: string; values?: StoredPhraseValues };

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull().unique(),
    name: text('name'),
    role: userRole('role').notNull(),
    /** scrypt hash; null for users who sign in only through single sign-on. */
    passwordHash: text('password_hash'),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
    /** Sessions carry the epoch they began in; bumping it ends every earlier session of the user. */
    sessionEpoch: integer('session_epoch').notNull().default(0),
    /** The language the user chose (fr, en); null follows the browser's Accept-Language. */
    locale: text('locale'),
    /** The IANA time zone the user chose; null follows the browser's, else MAILROOM_DEFAULT_TIME_ZONE. */
    timeZone: text('time_zone'),
    /**
     * A service account's profiles: it reaches only their mailboxes. Null reaches every profile; an id
     * whose profile was deleted reaches nothing, so a deletion never widens a service's reach.
     */
    profileIds: uuid('profile_ids').array(),
    ...timestamps,
  },
  // Prefix search ("starts with") on emails, whatever the database's collation.
  (table) => [index('users_email_pattern_idx').using('btree', table.email.op('text_pattern_ops'))],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** SHA-256 of the key: keys are long random strings, so a fast hash is enough and lookups stay indexed. */
    keyHash: text('key_hash').notNull().unique(),
    /** The first characters of the key, to tell keys apart in lists. */
    prefix: text('prefix').notNull(),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** Null: the key works until revoked. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('api_keys_user_idx').on(table.userId)],
);

/**
 * Signed, single-use links an admin sends so that a person sets their password: an invitation for a
 * new user, a reset for one who has a password. Only the token's SHA-256 is stored.
 */
export const passwordLinks = pgTable(
  'password_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: passwordLinkPurpose('purpose').notNull(),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('password_links_user_idx').on(table.userId)],
);

/**
 * Failed attempts per subject (`account:<email>`, `address:<ip>`, `api-key:<ip>`), shared by every
 * portal instance through the database: past a few free failures each one blocks the next attempt
 * for a growing delay.
 */
export const authThrottles = pgTable('auth_throttles', {
  subject: text('subject').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailureAt: timestamp('last_failure_at', { withTimezone: true }).notNull().defaultNow(),
  blockedUntil: timestamp('blocked_until', { withTimezone: true }),
});

export const serverProfiles = pgTable(
  'server_profiles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull().unique(),
    serverType: serverType('server_type').notNull(),
    authType: authType('auth_type').notNull(),
    clientId: text('client_id'),
    /** A public OAuth client (Microsoft "allow public client flows") has no secret. */
    publicClient: boolean('public_client').notNull().default(false),
    /** Encrypted with lib/crypto. */
    clientSecret: text('client_secret'),
    clientSecretHint: text('client_secret_hint'),
    clientSecretExpiresAt: timestamp('client_secret_expires_at', { withTimezone: true }),
    tenant: text('tenant'),
    /** How the client proves itself at the token endpoint (RFC 6749 2.3.1); presets choose for Google and Microsoft. */
    tokenEndpointAuthMethod: tokenEndpointAuthMethod('token_endpoint_auth_method').notNull().default('client_secret_post'),
    /** The OpenID issuer whose id_tokens name the consenting account; null: the account comes from userinfo. */
    issuer: text('issuer'),
    publishingStatus: publishingStatus('publishing_status'),
    authorizationEndpoint: text('authorization_endpoint'),
    tokenEndpoint: text('token_endpoint'),
    deviceEndpoint: text('device_endpoint'),
    revocationEndpoint: text('revocation_endpoint'),
    userinfoEndpoint: text('userinfo_endpoint'),
    /** The issuer's signing keys, against which id_tokens are verified. */
    jwksEndpoint: text('jwks_endpoint'),
    scopes: jsonb('scopes').$type<string[]>().notNull().default([]),
    /** Microsoft Graph and the Gmail API need no host of the profile's own: their host, port and security are null. */
    incomingProtocol: incomingProtocol('incoming_protocol').notNull().default('imap'),
    incomingHost: text('incoming_host'),
    incomingPort: integer('incoming_port'),
    incomingSecurity: transportSecurity('incoming_security'),
    outgoingProtocol: outgoingProtocol('outgoing_protocol').notNull().default('smtp'),
    outgoingHost: text('outgoing_host'),
    outgoingPort: integer('outgoing_port'),
    outgoingSecurity: transportSecurity('outgoing_security'),
    /** The root of Microsoft Graph or the Gmail API when a direction goes through it: access tokens are sent there. */
    apiEndpoint: text('api_endpoint'),
    trustedCertificates: jsonb('trusted_certificates').$type<TrustedCertificate[]>().notNull().default([]),
    internalServer: boolean('internal_server').notNull().default(false),
    isDefault: boolean('is_default').notNull().default(false),
    /** Service accounts may fetch its mailboxes' access tokens (POST /api/v1/mailboxes/{id}/access-token). */
    allowAccessTokens: boolean('allow_access_tokens').notNull().default(false),
    /** Null means no cap. */
    mailboxCap: integer('mailbox_cap'),
    /**
     * Kept by the same transaction that attaches or detaches a mailbox, so the cap is enforced by one
     * conditional UPDATE that concurrent creators serialize on.
     */
    mailboxCount: integer('mailbox_count').notNull().default(0),
    processEmailFrom: timestamp('process_email_from', { withTimezone: true }),
    minPollingIntervalMinutes: integer('min_polling_interval_minutes').notNull().default(5),
    maxConcurrentConnections: integer('max_concurrent_connections').notNull().default(10),
    moveFailedToUndeliverable: boolean('move_failed_to_undeliverable').notNull().default(false),
    connectionTimeoutSeconds: integer('connection_timeout_seconds').notNull().default(30),
    /** The provider refused this profile's client (invalid_client): shown once for the profile. */
    clientError: jsonb('client_error').$type<StoredError>(),
    /** Messages one mailbox of the profile may hand to the provider per minute (attempts count), below the provider's throttling. */
    sendRatePerMinute: integer('send_rate_per_minute').notNull().default(30),
    /** How long a message waits for its mailbox to be active again before it fails with the mailbox's reason. */
    queuedMessageExpiryHours: integer('queued_message_expiry_hours').notNull().default(24),
    ...timestamps,
  },
  (table) => [uniqueIndex('server_profiles_one_default_idx').on(table.isDefault).where(sql`${table.isDefault}`)],
);

export const mailboxes = pgTable(
  'mailboxes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    address: text('address').notNull().unique(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    profileId: uuid('profile_id')
      .notNull()
      .references(() => serverProfiles.id, { onDelete: 'restrict' }),
    /** A Microsoft 365 shared mailbox, reached with a delegate's token. */
    shared: boolean('shared').notNull().default(false),
    connectedAs: text('connected_as'),
    incoming: syncMode('incoming').notNull().default('server_side'),
    outgoing: syncMode('outgoing').notNull().default('server_side'),
    approval: approvalState('approval').notNull().default('pending'),
    connection: connectionState('connection').notNull().default('not_connected'),
    status: mailboxStatus('status').notNull().default('inactive'),
    incomingStatus: testStatus('incoming_status').notNull().default('not_run'),
    outgoingStatus: testStatus('outgoing_status').notNull().default('not_run'),
    statusReason: jsonb('status_reason').$type<StoredError>(),
    failingSince: timestamp('failing_since', { withTimezone: true }),
    lastTestAt: timestamp('last_test_at', { withTimezone: true }),
    /** Password or app password for password-auth profiles, encrypted with lib/crypto. */
    password: text('password'),
    // Copies of the grant's status columns (null without a grant; an infinite time is null too), written
    // by migration 0016's triggers on oauth_grants in the grant's own statement, never by the portal:
    // the token status list then sorts by a grant time and the address along one index of this table.
    grantStanding: grantStanding('grant_standing'),
    grantExpiresAt: timestamp('grant_expires_at', { withTimezone: true }),
    grantRefreshedAt: timestamp('grant_refreshed_at', { withTimezone: true }),
    grantRefreshTokenObtainedAt: timestamp('grant_refresh_token_obtained_at', { withTimezone: true }),
    grantConsentedAt: timestamp('grant_consented_at', { withTimezone: true }),
    /**
     * When a token refreshed ahead of use stops being fresh (null for one that is not, or without an
     * expiry): the SQL twin of isRefreshDueBy in lib/tokens/token-freshness.ts, change both together.
     * timezone(interval '0', …) keeps it immutable, as a stored column must be: wall-clock UTC
     * arithmetic, where timestamptz minus an interval depends on the session's time zone.
     */
    grantRefreshDueAt: timestamp('grant_refresh_due_at', { withTimezone: true }).generatedAlwaysAs(
      sql`case
        when grant_expires_at - coalesce(grant_refreshed_at, grant_consented_at)
          - least(greatest((grant_expires_at - coalesce(grant_refreshed_at, grant_consented_at)) / 3, interval '5 seconds'), interval '5 minutes')
          > interval '5 minutes'
        then timezone(interval '0', timezone(interval '0', grant_expires_at)
          - least(greatest((grant_expires_at - coalesce(grant_refreshed_at, grant_consented_at)) / 3, interval '5 seconds'), interval '5 minutes'))
      end`,
    ),
    /** deriveTokenState without the clock, kept by PostgreSQL from the connection and the grant's copy. */
    tokenStanding: tokenStanding('token_standing')
      .notNull()
      .generatedAlwaysAs(
        sql`case
          when grant_standing is null or connection = 'not_connected' then 'none'::token_standing
          when connection = 'needs_reconnect' or grant_standing = 'revoked' then 'revoked'::token_standing
          when grant_standing = 'failing' then 'refresh_failing'::token_standing
          else 'healthy'::token_standing
        end`,
      ),
    ...timestamps,
  },
  (table) => [
    index('mailboxes_profile_idx').on(table.profileId, table.address),
    index('mailboxes_owner_idx').on(table.ownerId, table.address),
    index('mailboxes_status_idx').on(table.status, table.address),
    index('mailboxes_approval_idx').on(table.approval, table.address),
    index('mailboxes_connection_idx').on(table.connection, table.address),
    index('mailboxes_address_pattern_idx').using('btree', table.address.op('text_pattern_ops')),
    // With the address, so that the token status list sorted by failing since reads it without sorting ties.
    index('mailboxes_failing_since_idx').on(table.failingSince, table.address).where(sql`${table.failingSince} is not null`),
    // The token status list's time sorts, one standing at a time (lib/tokens/find-token-statuses.ts):
    // a state filter reads one range, the whole list merges the four in (time, address) order. After
    // the address, what the common filters test (the profile, the status; for the expiry, what tells
    // valid from expiring), so that a page passes over the rows they leave out reading the index alone.
    index('mailboxes_token_expiry_idx').on(
      table.tokenStanding,
      table.grantExpiresAt,
      table.address,
      table.profileId,
      table.status,
      table.grantRefreshDueAt,
      table.grantConsentedAt,
    ),
    index('mailboxes_token_refreshed_idx').on(table.tokenStanding, table.grantRefreshedAt, table.address, table.profileId, table.status),
    index('mailboxes_token_obtained_idx').on(table.tokenStanding, table.grantRefreshTokenObtainedAt, table.address, table.profileId, table.status),
    index('mailboxes_token_consented_idx').on(table.tokenStanding, table.grantConsentedAt, table.address, table.profileId, table.status),
    index('mailboxes_token_failing_since_idx')
      .on(table.tokenStanding, table.failingSince, table.address)
      .where(sql`${table.failingSince} is not null`),
    // The counts of the overview and the health summary, read from these indexes alone: tokens due,
    // consents of apps in Testing ending (with whether the token is due too), idle refresh tokens.
    index('mailboxes_refresh_due_idx').on(table.grantRefreshDueAt).where(sql`${table.tokenStanding} = 'healthy'`),
    index('mailboxes_profile_consented_idx')
      .on(table.profileId, table.grantConsentedAt, table.tokenStanding, table.grantRefreshDueAt)
      .where(sql`${table.tokenStanding} <> 'none'`),
    index('mailboxes_profile_obtained_idx')
      .on(table.profileId, table.grantRefreshTokenObtainedAt)
      .where(sql`${table.tokenStanding} <> 'none'`),
    // The alerts count failing mailboxes by the class of their failure.
    index('mailboxes_failure_code_idx')
      .on(sql`(${table.statusReason} ->> 'code')`, table.profileId)
      .where(sql`${table.status} = 'failing'`),
  ],
);

/**
 * How many mailboxes have each status, approval, connection and token standing, as rows of changes
 * that migration 0016's triggers on mailboxes add in the writing statement: readers sum them (and
 * fold them into one row per value now and then), so counting never reads the mailboxes and writers
 * never wait on one another's counter.
 */
export const mailboxCounts = pgTable('mailbox_counts', {
  /** status, approval, connection or token_standing. */
  field: text('field').notNull(),
  value: text('value').notNull(),
  change: integer('change').notNull(),
});

/** The tokens a mailbox holds, one grant per mailbox. Tokens are encrypted with lib/crypto. */
export const oauthGrants = pgTable(
  'oauth_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mailboxId: uuid('mailbox_id')
      .notNull()
      .unique()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    /** The profile (and so the OAuth app) that issued the tokens. */
    profileId: uuid('profile_id')
      .notNull()
      .references(() => serverProfiles.id, { onDelete: 'cascade' }),
    account: text('account').notNull(),
    /** The provider's stable id of the consenting account: Google's `sub`, Microsoft's `tid:oid`. */
    accountSubject: text('account_subject'),
    scopes: jsonb('scopes').$type<string[]>().notNull().default([]),
    accessToken: text('access_token'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    refreshToken: text('refresh_token'),
    refreshTokenObtainedAt: timestamp('refresh_token_obtained_at', { withTimezone: true }),
    consentedAt: timestamp('consented_at', { withTimezone: true }).notNull(),
    lastRefreshAt: timestamp('last_refresh_at', { withTimezone: true }),
    lastError: jsonb('last_error').$type<StoredError>(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** Bumped on every token write, so that a refresh never overwrites a newer rotated token. */
    version: integer('version').notNull().default(1),
    /**
     * A lease rather than a held transaction: the process that sets it refreshes, the others wait
     * for the new token, and a crashed holder's lease simply runs out.
     */
    refreshLeaseUntil: timestamp('refresh_lease_until', { withTimezone: true }),
    /** When a background check last confirmed the grant still works. */
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
    /** Refresh attempts so far: the next one's place in the mailbox's refresh history ring. */
    refreshAttempts: integer('refresh_attempts').notNull().default(0),
    ...timestamps,
  },
  (table) => [
    index('oauth_grants_profile_idx').on(table.profileId, table.consentedAt),
    // The background check finds the tokens due along it (lib/tokens/check-grants.ts).
    index('oauth_grants_expiry_idx').on(table.accessTokenExpiresAt),
  ],
);

/**
 * When a business system last used a mailbox, and which one: one row per mailbox, overwritten by each
 * use, apart from the mailbox and its grant so that frequent uses never rewrite (or lock) their rows.
 */
export const mailboxSystemUses = pgTable('mailbox_system_uses', {
  mailboxId: uuid('mailbox_id')
    .primaryKey()
    .references(() => mailboxes.id, { onDelete: 'cascade' }),
  serviceId: uuid('service_id').references(() => users.id, { onDelete: 'set null' }),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull(),
});

/**
 * The last refresh attempts of each mailbox's token, for its timeline: a ring of a fixed number of
 * slots per mailbox, overwritten in turn, so the history stays bounded however often tokens refresh
 * (every hour, for every connected mailbox). Never a token: outcomes and errors only.
 */
export const tokenRefreshes = pgTable(
  'token_refreshes',
  {
    mailboxId: uuid('mailbox_id')
      .notNull()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    slot: integer('slot').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    ok: boolean('ok').notNull(),
    /** The provider sent a new refresh token (rotation) with this refresh. */
    rotated: boolean('rotated').notNull().default(false),
    error: jsonb('error').$type<StoredError & { temporary: boolean }>(),
  },
  (table) => [primaryKey({ columns: [table.mailboxId, table.slot] })],
);

/** An OAuth authorization in progress: single use, expiring. */
export const oauthAuthorizations = pgTable(
  'oauth_authorizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    flow: oauthFlow('flow').notNull(),
    /** SHA-256 of the `state` parameter: the state itself travels only through the browser. */
    stateHash: text('state_hash').unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    mailboxId: uuid('mailbox_id')
      .notNull()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    profileId: uuid('profile_id')
      .notNull()
      .references(() => serverProfiles.id, { onDelete: 'cascade' }),
    /** Encrypted PKCE verifier (code flow) or device code (device flow). */
    codeVerifier: text('code_verifier'),
    deviceCode: text('device_code'),
    userCode: text('user_code'),
    verificationUri: text('verification_uri'),
    pollIntervalSeconds: integer('poll_interval_seconds'),
    redirectUri: text('redirect_uri'),
    /** OpenID Connect nonce the id_token must carry back (code flow). */
    nonce: text('nonce'),
    /** The server's last poll of the token endpoint (device flow), so the provider's interval holds across instances. */
    lastPolledAt: timestamp('last_polled_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    outcome: jsonb('outcome').$type<StoredError>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('oauth_authorizations_mailbox_idx').on(table.mailboxId),
    index('oauth_authorizations_expiry_idx').on(table.expiresAt),
  ],
);

export type DirectionResult = {
  status: 'not_run' | 'running' | 'success' | 'failure';
  /** The failure in English, and its message key and values for every other reader. */
  error: Omit<StoredError, 'at'> | null;
};

export const connectionTests = pgTable(
  'connection_tests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mailboxId: uuid('mailbox_id')
      .notNull()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    startedById: uuid('started_by_id').references(() => users.id, { onDelete: 'set null' }),
    /** Null while the test runs. */
    ok: boolean('ok'),
    activated: boolean('activated').notNull().default(false),
    incoming: jsonb('incoming').$type<DirectionResult>().notNull(),
    outgoing: jsonb('outgoing').$type<DirectionResult>().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [index('connection_tests_mailbox_idx').on(table.mailboxId, table.startedAt)],
);

/** Steps are rows of their own so that every portal instance can stream a running test's progress. */
export const connectionTestSteps = pgTable(
  'connection_test_steps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    testId: uuid('test_id')
      .notNull()
      .references(() => connectionTests.id, { onDelete: 'cascade' }),
    direction: testDirection('direction').notNull(),
    name: text('name').notNull(),
    ok: boolean('ok').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** What the step saw, in English (older rows: the only form). */
    detail: text('detail'),
    /** The same as a phrase, for readers of every language; null for older rows and raw details. */
    detailWords: jsonb('detail_words').$type<StoredPhrase>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('connection_test_steps_test_idx').on(table.testId, table.id)],
);

/** Signed, single-use links that support staff send an owner to reconnect a mailbox. */
export const reconnectLinks = pgTable(
  'reconnect_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    mailboxId: uuid('mailbox_id')
      .notNull()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('reconnect_links_mailbox_idx').on(table.mailboxId)],
);

/**
 * Deployment-wide choices of the admins, one row. Notifications (reconnect links) go out through
 * the outgoing server of the sender mailbox's profile, signed in as that mailbox; without one they
 * are logged and handed over by hand. Deleting the sender mailbox unsets it.
 */
export const portalSettings = pgTable(
  'portal_settings',
  {
    id: boolean('id').primaryKey().default(true),
    notificationMailboxId: uuid('notification_mailbox_id').references(() => mailboxes.id, { onDelete: 'set null' }),
    updatedById: uuid('updated_by_id').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check('portal_settings_one_row', sql`${table.id}`)],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** Null for the system itself (background jobs) and the command line. */
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    /** Who acted, as shown: an email, "command line" or "system"; kept when the user is gone. */
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    mailboxId: uuid('mailbox_id'),
    profileId: uuid('profile_id'),
    /** Never a secret: callers pass only names, states and hints. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    index('audit_events_at_idx').on(table.at),
    index('audit_events_mailbox_idx').on(table.mailboxId, table.at),
    index('audit_events_profile_idx').on(table.profileId, table.at),
  ],
);

/** A recipient or reply-to address of a message a business system sends, with its display name when given. */
export type OutgoingAddress = { address: string; name?: string };
/** What a business system asked to send, kept only until the message is sent or failed. */
export type OutgoingContent = {
  to: OutgoingAddress[];
  cc: OutgoingAddress[];
  bcc: OutgoingAddress[];
  replyTo: OutgoingAddress[];
  subject: string;
  text?: string;
  html?: string;
  attachments: { filename: string; contentType: string; contentBase64: string }[];
  headers: Record<string, string>;
};

/**
 * Messages business systems send through a mailbox (lib/outbox), one row each: a state machine
 * (queued, sending, sent, failed) whose `sending` is held by a lease that its worker renews. The
 * rows with a live lease are also the connections a profile's servers have open for sending.
 */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mailboxId: uuid('mailbox_id')
      .notNull()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    requestedById: uuid('requested_by_id').references(() => users.id, { onDelete: 'set null' }),
    /** The caller's Idempotency-Key: the same key of the same caller within 24 hours answers this message again. */
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of the request, to refuse a key reused for another message. */
    requestHash: text('request_hash').notNull(),
    status: outboxStatus('status').notNull().default('queued'),
    /** For the mailbox page's list, kept when the content is gone. */
    recipients: jsonb('recipients').$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    /** Null once the message is sent or failed: bodies are kept no longer than needed. */
    content: jsonb('content').$type<OutgoingContent>(),
    /** Chosen when queued, the same on every attempt. */
    messageIdHeader: text('message_id_header').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /**
     * Set by the lease holder just before the message's content goes to the server: a lease that
     * runs out with it set may have been sent, so the message is never sent again.
     */
    handoffStartedAt: timestamp('handoff_started_at', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    serverResponse: text('server_response'),
    error: jsonb('error').$type<StoredError>(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [
    index('outbox_messages_mailbox_idx').on(table.mailboxId, table.createdAt),
    index('outbox_messages_mailbox_attempt_idx').on(table.mailboxId, table.lastAttemptAt),
    uniqueIndex('outbox_messages_idempotency_idx').on(table.requestedById, table.idempotencyKey).where(sql`${table.idempotencyKey} is not null`),
    index('outbox_messages_due_idx').on(table.nextAttemptAt).where(sql`${table.status} = 'queued'`),
    index('outbox_messages_lease_idx').on(table.leaseUntil).where(sql`${table.leaseUntil} is not null`),
  ],
);

/** One row of a CSV import as its results show it; `reason` is a phrase, or words that are not ours. */
export type StoredImportRow = {
  line: number;
  address: string;
  ownerEmail: string;
  profile: string | null;
  outcome: 'created' | 'skipped' | 'refused';
  reason: StoredPhrase | string | null;
};

/** A CSV import (or its preview) handed to a background job: the file, and who sent it. */
export const mailboxImports = pgTable(
  'mailbox_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The pg-boss job that works it, which the API names; set once the job is queued. */
    jobId: uuid('job_id').unique(),
    dryRun: boolean('dry_run').notNull(),
    csv: text('csv').notNull(),
    rowCount: integer('row_count').notNull(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    actorLabel: text('actor_label').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('mailbox_imports_created_idx').on(table.createdAt)],
);

/**
 * An import's results, one batch of rows at a time, each written in the transaction that creates the
 * batch's mailboxes: a job retried on another instance starts after the last batch found here, and
 * no row is imported twice.
 */
export const mailboxImportBatches = pgTable(
  'mailbox_import_batches',
  {
    importId: uuid('import_id')
      .notNull()
      .references(() => mailboxImports.id, { onDelete: 'cascade' }),
    /** The file line of the batch's first row (the header is line 1). */
    firstLine: integer('first_line').notNull(),
    rows: jsonb('rows').$type<StoredImportRow[]>().notNull(),
  },
  (table) => [primaryKey({ columns: [table.importId, table.firstLine] })],
);

export type User = typeof users.$inferSelect;
export type UserRole = (typeof userRole.enumValues)[number];
export type ApiKey = typeof apiKeys.$inferSelect;
export type PasswordLink = typeof passwordLinks.$inferSelect;
export type ServerProfile = typeof serverProfiles.$inferSelect;
export type Mailbox = typeof mailboxes.$inferSelect;
export type OauthGrant = typeof oauthGrants.$inferSelect;
export type TokenStanding = (typeof tokenStanding.enumValues)[number];
export type OauthAuthorization = typeof oauthAuthorizations.$inferSelect;
export type NewOauthAuthorization = typeof oauthAuthorizations.$inferInsert;
export type ConnectionTest = typeof connectionTests.$inferSelect;
export type ConnectionTestStep = typeof connectionTestSteps.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type OutboxMessage = typeof outboxMessages.$inferSelect;
