import 'server-only';
import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, gt, ne } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { isUniqueViolation } from '@/db/errors';
import { mailboxes, oauthGrants, serverProfiles, type ServerProfile } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { secretPlace } from '@/lib/crypto/secret-place';
import { encryptSecret, secretHint } from '@/lib/crypto/secrets';
import { getEnv } from '@/lib/env';
import { AppError, notFound } from '@/lib/errors';
import { phrase, type Phrase } from '@/lib/i18n/text';
import { invalidateProfileGrants } from '@/lib/tokens/invalidate-profile-grants';
import type {
  CreateProfileRequest,
  ProfileResponse,
  ResolvedProfile,
  UpdateProfileRequest,
} from '@/lib/validations/profiles';
import { nearCapCondition } from './profile-capacity';
import { grantsEndedNotice, secretClearedNotice } from './destination';
import { mergeProfileChange, type SecretChange } from './merge-profile-change';

/** Where Google or Microsoft send the browser back after consent: registered in the OAuth app. */
export function oauthRedirectUri(): string {
  return `${getEnv().MAILROOM_PUBLIC_URL}/api/oauth/callback`;
}

export function toProfileResponse(profile: ServerProfile): ProfileResponse {
  return {
    id: profile.id,
    name: profile.name,
    serverType: profile.serverType,
    authType: profile.authType,
    clientId: profile.clientId,
    publicClient: profile.publicClient,
    clientSecretSet: profile.clientSecret !== null,
    clientSecretHint: profile.clientSecret !== null ? profile.clientSecretHint : null,
    clientSecretExpiresAt: profile.clientSecretExpiresAt?.toISOString() ?? null,
    tenant: profile.tenant,
    publishingStatus: profile.publishingStatus,
    tokenEndpointAuthMethod: profile.authType === 'password' ? null : profile.tokenEndpointAuthMethod,
    issuer: profile.issuer,
    endpoints: {
      authorization: profile.authorizationEndpoint,
      token: profile.tokenEndpoint,
      device: profile.deviceEndpoint,
      revocation: profile.revocationEndpoint,
      userinfo: profile.userinfoEndpoint,
      jwks: profile.jwksEndpoint,
      api: profile.apiEndpoint,
    },
    scopes: profile.scopes,
    incoming: {
      protocol: profile.incomingProtocol,
      host: profile.incomingHost,
      port: profile.incomingPort,
      security: profile.incomingSecurity,
    },
    outgoing: {
      protocol: profile.outgoingProtocol,
      host: profile.outgoingHost,
      port: profile.outgoingPort,
      security: profile.outgoingSecurity,
    },
    trustedCertificates: profile.trustedCertificates,
    internalServer: profile.internalServer,
    isDefault: profile.isDefault,
    allowAccessTokens: profile.allowAccessTokens,
    mailboxCap: profile.mailboxCap,
    mailboxCount: profile.mailboxCount,
    redirectUri: profile.authType === 'oauth2_code' ? oauthRedirectUri() : null,
    advanced: {
      processEmailFrom: profile.processEmailFrom?.toISOString() ?? null,
      minPollingIntervalMinutes: profile.minPollingIntervalMinutes,
      maxConcurrentConnections: profile.maxConcurrentConnections,
      moveFailedToUndeliverable: profile.moveFailedToUndeliverable,
      connectionTimeoutSeconds: profile.connectionTimeoutSeconds,
      sendRatePerMinute: profile.sendRatePerMinute,
      queuedMessageExpiryHours: profile.queuedMessageExpiryHours,
    },
    createdAt: profile.createdAt.toISOString(),
    updatedAt: profile.updatedAt.toISOString(),
  };
}

export async function getProfileById({ id }: { id: string }): Promise<ServerProfile | null> {
  const [profile] = await db.select().from(serverProfiles).where(eq(serverProfiles.id, id)).limit(1);
  return profile ?? null;
}

export async function countProfiles(): Promise<number> {
  const [row] = await db.select({ value: count() }).from(serverProfiles);
  return row?.value ?? 0;
}

/** Profiles in name order, or only those at or near their cap; the cursor is the last name of the previous page. */
export async function findProfiles({ limit, cursor, nearCap = false }: { limit: number; cursor?: string; nearCap?: boolean }) {
  const rows = await db
    .select()
    .from(serverProfiles)
    .where(and(cursor ? gt(serverProfiles.name, cursor) : undefined, nearCap ? nearCapCondition : undefined))
    .orderBy(asc(serverProfiles.name))
    .limit(limit + 1);
  const profiles = rows.slice(0, limit);
  return { profiles, nextCursor: rows.length > limit ? (profiles.at(-1)?.name ?? null) : null };
}

/** How many of the profile's mailboxes hold tokens: the ones a change of its OAuth destination sends back to connect. */
export async function countProfileGrants({ profileId }: { profileId: string }): Promise<number> {
  const [row] = await db
    .select({ value: count() })
    .from(oauthGrants)
    .innerJoin(mailboxes, eq(mailboxes.id, oauthGrants.mailboxId))
    .where(eq(mailboxes.profileId, profileId));
  return row?.value ?? 0;
}

/** The fields that make up the OAuth client the provider may refuse. */
const CLIENT_FIELDS = new Set(['authType', 'clientId', 'publicClient', 'tenant', 'endpoints.token', 'tokenEndpointAuthMethod']);

/** The columns a resolved profile sets; the secret only when it changes. */
function toColumns(profileId: string, profile: ResolvedProfile, secretChange: SecretChange) {
  const secret =
    profile.clientSecret !== null
      ? { clientSecret: encryptSecret(profile.clientSecret, secretPlace(serverProfiles.clientSecret, profileId)), clientSecretHint: secretHint(profile.clientSecret) }
      : secretChange === 'cleared'
        ? { clientSecret: null, clientSecretHint: null }
        : {};
  return {
    name: profile.name,
    serverType: profile.serverType,
    authType: profile.authType,
    clientId: profile.clientId,
    publicClient: profile.publicClient,
    ...secret,
    clientSecretExpiresAt: profile.clientSecretExpiresAt,
    tenant: profile.tenant,
    publishingStatus: profile.publishingStatus,
    tokenEndpointAuthMethod: profile.tokenEndpointAuthMethod,
    issuer: profile.issuer,
    authorizationEndpoint: profile.endpoints.authorization,
    tokenEndpoint: profile.endpoints.token,
    deviceEndpoint: profile.endpoints.device,
    revocationEndpoint: profile.endpoints.revocation,
    userinfoEndpoint: profile.endpoints.userinfo,
    jwksEndpoint: profile.endpoints.jwks,
    apiEndpoint: profile.endpoints.api,
    scopes: profile.scopes,
    incomingProtocol: profile.incoming.protocol,
    incomingHost: profile.incoming.host,
    incomingPort: profile.incoming.port,
    incomingSecurity: profile.incoming.security,
    outgoingProtocol: profile.outgoing.protocol,
    outgoingHost: profile.outgoing.host,
    outgoingPort: profile.outgoing.port,
    outgoingSecurity: profile.outgoing.security,
    trustedCertificates: profile.trustedCertificates,
    internalServer: profile.internalServer,
    isDefault: profile.isDefault,
    allowAccessTokens: profile.allowAccessTokens,
    mailboxCap: profile.mailboxCap,
    processEmailFrom: profile.advanced.processEmailFrom,
    minPollingIntervalMinutes: profile.advanced.minPollingIntervalMinutes,
    maxConcurrentConnections: profile.advanced.maxConcurrentConnections,
    moveFailedToUndeliverable: profile.advanced.moveFailedToUndeliverable,
    connectionTimeoutSeconds: profile.advanced.connectionTimeoutSeconds,
    sendRatePerMinute: profile.advanced.sendRatePerMinute,
    queuedMessageExpiryHours: profile.advanced.queuedMessageExpiryHours,
  };
}

async function assertNameFree(executor: Executor, name: string, exceptId?: string): Promise<void> {
  const [taken] = await executor
    .select({ id: serverProfiles.id })
    .from(serverProfiles)
    .where(and(eq(serverProfiles.name, name), exceptId ? ne(serverProfiles.id, exceptId) : undefined))
    .limit(1);
  if (taken) {
    throw new AppError('CONFLICT', phrase('problems.profiles.nameTaken', { name }), {
      fields: { name: [phrase('problems.profiles.nameTaken.field')] },
    });
  }
}

/** Only one profile is the default for new mailboxes: making this one the default unsets the other. */
async function clearOtherDefault(executor: Executor, exceptId?: string): Promise<void> {
  await executor
    .update(serverProfiles)
    .set({ isDefault: false })
    .where(and(eq(serverProfiles.isDefault, true), exceptId ? ne(serverProfiles.id, exceptId) : undefined));
}

function conflictOnUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw new AppError('CONFLICT', phrase('problems.profiles.concurrentChange'));
  }
  throw error;
}

export async function createProfile({ actor, input }: { actor: AuditActor; input: CreateProfileRequest }): Promise<ServerProfile> {
  const { profile, secretChange } = mergeProfileChange({
    request: input,
    stored: null,
    extraProviderOrigins: getEnv().MAILROOM_EXTRA_PROVIDER_ORIGINS,
  });
  try {
    return await db.transaction(async (tx) => {
      await assertNameFree(tx, profile.name);
      if (profile.isDefault) await clearOtherDefault(tx);
      // The id is chosen here: the client secret is bound to it before the row exists.
      const id = randomUUID();
      const [created] = await tx.insert(serverProfiles).values({ id, ...toColumns(id, profile, secretChange) }).returning();
      await recordAuditEvent(tx, {
        actor,
        action: 'profile.create',
        target: { type: 'server_profile', id: created!.id },
        profileId: created!.id,
        detail: {
          name: created!.name,
          serverType: created!.serverType,
          authType: created!.authType,
          isDefault: created!.isDefault,
          mailboxCap: created!.mailboxCap,
          ...(secretChange ? { clientSecret: secretChange } : {}),
        },
      });
      return created!;
    });
  } catch (error) {
    return conflictOnUniqueViolation(error);
  }
}

export type ProfileUpdate = {
  profile: ServerProfile;
  /** What the change did besides itself, for the person who made it: a secret cleared, mailboxes to reconnect. */
  notices: Phrase[];
};

/**
 * A change of where the OAuth client sends its secret and tokens (lib/profiles/destination.ts)
 * clears the stored secret unless the same change sends one, and ends the mailboxes' grants, in
 * the same transaction: nothing issued for the old destination is ever sent to the new one.
 */
export async function updateProfile({
  actor,
  id,
  input,
}: {
  actor: AuditActor;
  id: string;
  input: UpdateProfileRequest;
}): Promise<ProfileUpdate> {
  try {
    return await db.transaction(async (tx) => {
      // Locked so that no mailbox is attached between the cap check and the write.
      const [current] = await tx.select().from(serverProfiles).where(eq(serverProfiles.id, id)).for('update');
      if (!current) throw notFound('serverProfile');
      const { profile, secretChange, changedFields, changes, destinationChanged, grantsEndedBy } = mergeProfileChange({
        request: input,
        stored: current,
        extraProviderOrigins: getEnv().MAILROOM_EXTRA_PROVIDER_ORIGINS,
      });
      if (profile.mailboxCap !== null && profile.mailboxCap < current.mailboxCount) {
        const count = { count: current.mailboxCount };
        throw new AppError('CONFLICT', phrase('problems.profiles.capBelowCount', count), {
          fields: { mailboxCap: [phrase('problems.profiles.capBelowCount.field', count)] },
        });
      }
      if (profile.name !== current.name) await assertNameFree(tx, profile.name, id);
      if (profile.isDefault && !current.isDefault) await clearOtherDefault(tx, id);
      // A new client id, secret, tenant or token endpoint is the admin's answer to a refused client:
      // the refusal ends, and the next refresh tells whether the change works.
      const clientChanged = secretChange !== null || changedFields.some((field) => CLIENT_FIELDS.has(field));
      const [updated] = await tx
        .update(serverProfiles)
        .set({ ...toColumns(id, profile, secretChange), ...(clientChanged ? { clientError: null } : {}) })
        .where(eq(serverProfiles.id, id))
        .returning();
      const grantsEnded = grantsEndedBy.length > 0 ? await invalidateProfileGrants(tx, { profileId: id, changed: grantsEndedBy }) : 0;
      await recordAuditEvent(tx, {
        actor,
        action: 'profile.update',
        target: { type: 'server_profile', id },
        profileId: id,
        detail: {
          name: updated!.name,
          changes,
          ...(secretChange ? { clientSecret: secretChange } : {}),
          ...(grantsEndedBy.length > 0 ? { destinationChanged: grantsEndedBy, grantsEnded } : {}),
        },
      });
      const notices = [
        ...(secretChange === 'cleared' && input.clientSecret === undefined ? [secretClearedNotice(destinationChanged, 'done')] : []),
        ...(grantsEnded > 0 ? [grantsEndedNotice(grantsEnded, 'done')] : []),
      ];
      return { profile: updated!, notices };
    });
  } catch (error) {
    return conflictOnUniqueViolation(error);
  }
}

/** Refused while mailboxes use the profile: they have to move to another profile first. */
export async function deleteProfile({ actor, id }: { actor: AuditActor; id: string }): Promise<ServerProfile> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(serverProfiles).where(eq(serverProfiles.id, id)).for('update');
    if (!current) throw notFound('serverProfile');
    const [attached] = await tx.select({ value: count() }).from(mailboxes).where(eq(mailboxes.profileId, id));
    const inUse = Math.max(attached?.value ?? 0, current.mailboxCount);
    if (inUse > 0) {
      throw new AppError('CONFLICT', phrase('problems.profiles.inUse', { count: inUse }));
    }
    await tx.delete(serverProfiles).where(eq(serverProfiles.id, id));
    await recordAuditEvent(tx, {
      actor,
      action: 'profile.delete',
      target: { type: 'server_profile', id },
      profileId: id,
      detail: { name: current.name, serverType: current.serverType },
    });
    return current;
  });
}
