import 'server-only';
import { and, asc, count, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { isUniqueViolation } from '@/db/errors';
import { mailboxes, oauthGrants, serverProfiles, users, type Mailbox, type ServerProfile, type User } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { AppError, invalidInput, notFound, renderProblem } from '@/lib/errors';
import type { Locale } from '@/lib/i18n/locales';
import { phrase, renderText } from '@/lib/i18n/text';
import { PROVIDERS, sharedMailboxProviders } from '@/lib/providers';
import type { CreateMailboxInput, MailboxFilters, MailboxResponse, UpdateMailboxInput } from '@/lib/validations/mailboxes';
import { releaseProfilePlace, takeProfilePlace } from '@/lib/profiles/profile-capacity';
import { nextStep, transition, type GrantProblem, type MailboxEvent, type MailboxProfile } from './status';
import { startsWith } from '@/db/sql';
import { serviceMailboxScope } from '@/lib/users/service-accounts';

export type Viewer = Pick<User, 'id' | 'role'>;

export type MailboxRow = Mailbox & {
  /** What the mailbox's grant says beyond the connection column. */
  grantProblem: GrantProblem;
  ownerEmail: string;
  profileName: string;
  profileServerType: ServerProfile['serverType'];
  profileAuthType: ServerProfile['authType'];
  profileClientError: ServerProfile['clientError'];
  profileClientSecretExpiresAt: ServerProfile['clientSecretExpiresAt'];
};

/** The profile's side of where the mailbox stands, for nextStep and statusReasonFor. */
export function profileOf(row: MailboxRow): MailboxProfile {
  return {
    serverType: row.profileServerType,
    authType: row.profileAuthType,
    clientError: row.profileClientError,
    clientSecretExpiresAt: row.profileClientSecretExpiresAt,
  };
}

/** Owners reach only their own mailboxes, service accounts those of their profiles; admins and support reach all. */
export function mailboxScope(viewer: Viewer): SQL | undefined {
  if (viewer.role === 'service') return serviceMailboxScope(viewer.id);
  return viewer.role === 'owner' ? eq(mailboxes.ownerId, viewer.id) : undefined;
}


/** The WHERE conditions of the mailbox filters; the token status list narrows with the same ones. */
export function mailboxFilterConditions(filters: MailboxFilters): (SQL | undefined)[] {
  const prefix = filters.q;
  return [
    filters.profileId ? eq(mailboxes.profileId, filters.profileId) : undefined,
    filters.status ? eq(mailboxes.status, filters.status) : undefined,
    filters.approval ? eq(mailboxes.approval, filters.approval) : undefined,
    filters.connection ? eq(mailboxes.connection, filters.connection) : undefined,
    prefix
      ? or(
          startsWith(mailboxes.address, prefix),
          inArray(mailboxes.ownerId, db.select({ id: users.id }).from(users).where(startsWith(users.email, prefix))),
        )
      : undefined,
  ];
}

function selectMailboxRows(executor: Executor = db) {
  return executor
    .select({
      mailbox: mailboxes,
      ownerEmail: users.email,
      profileName: serverProfiles.name,
      profileServerType: serverProfiles.serverType,
      profileAuthType: serverProfiles.authType,
      profileClientError: serverProfiles.clientError,
      profileClientSecretExpiresAt: serverProfiles.clientSecretExpiresAt,
      grantRevoked: sql<boolean>`${oauthGrants.revokedAt} is not null`,
      grantFailing: sql<boolean>`${oauthGrants.lastError} is not null`,
    })
    .from(mailboxes)
    .innerJoin(users, eq(users.id, mailboxes.ownerId))
    .innerJoin(serverProfiles, eq(serverProfiles.id, mailboxes.profileId))
    .leftJoin(oauthGrants, eq(oauthGrants.mailboxId, mailboxes.id));
}

type SelectedRow = Awaited<ReturnType<ReturnType<typeof selectMailboxRows>['where']>>[number];

function flatten(row: SelectedRow): MailboxRow {
  return {
    ...row.mailbox,
    grantProblem: row.grantRevoked ? 'revoked' : row.grantFailing ? 'refresh_failing' : null,
    ownerEmail: row.ownerEmail,
    profileName: row.profileName,
    profileServerType: row.profileServerType,
    profileAuthType: row.profileAuthType,
    profileClientError: row.profileClientError,
    profileClientSecretExpiresAt: row.profileClientSecretExpiresAt,
  };
}

/** A mailbox as the API answers it, its words in the request's language. */
export function toMailboxResponse(row: MailboxRow, locale: Locale): MailboxResponse {
  return {
    id: row.id,
    address: row.address,
    ownerId: row.ownerId,
    ownerEmail: row.ownerEmail,
    profileId: row.profileId,
    profileName: row.profileName,
    shared: row.shared,
    connectedAs: row.connectedAs,
    incoming: row.incoming,
    outgoing: row.outgoing,
    approval: row.approval,
    connection: row.connection,
    status: row.status,
    incomingStatus: row.incomingStatus,
    outgoingStatus: row.outgoingStatus,
    statusReason: row.statusReason ? { hint: '', ...renderProblem(row.statusReason, locale), at: row.statusReason.at } : null,
    nextStep: renderText(nextStep(row, profileOf(row)).label, locale),
    lastTestAt: row.lastTestAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** One mailbox the viewer may see, or null: another owner's mailbox is simply not found. */
export async function getMailbox({ viewer, id }: { viewer: Viewer; id: string }): Promise<MailboxRow | null> {
  const [row] = await selectMailboxRows()
    .where(and(eq(mailboxes.id, id), mailboxScope(viewer)))
    .limit(1);
  return row ? flatten(row) : null;
}

export async function countMailboxes({ viewer, filters = {} }: { viewer: Viewer; filters?: MailboxFilters }): Promise<number> {
  const [row] = await db
    .select({ value: count() })
    .from(mailboxes)
    .where(and(mailboxScope(viewer), ...mailboxFilterConditions(filters)));
  return row?.value ?? 0;
}

/** Mailboxes in address order, a page at a time; the cursor is the last address of the previous page. */
export async function findMailboxes({
  viewer,
  filters = {},
  limit,
  cursor,
}: {
  viewer: Viewer;
  filters?: MailboxFilters;
  limit: number;
  cursor?: string;
}): Promise<{ mailboxes: MailboxRow[]; nextCursor: string | null }> {
  const rows = await selectMailboxRows()
    .where(and(mailboxScope(viewer), ...mailboxFilterConditions(filters), cursor ? gt(mailboxes.address, cursor) : undefined))
    .orderBy(asc(mailboxes.address))
    .limit(limit + 1);
  const page = rows.slice(0, limit).map(flatten);
  return { mailboxes: page, nextCursor: rows.length > limit ? (page.at(-1)?.address ?? null) : null };
}

async function resolveOwner(executor: Executor, input: { ownerId?: string; ownerEmail?: string }): Promise<User> {
  const field = input.ownerId ? 'ownerId' : 'ownerEmail';
  const [owner] = await executor
    .select()
    .from(users)
    .where(input.ownerId ? eq(users.id, input.ownerId) : eq(users.email, input.ownerEmail!))
    .limit(1);
  if (!owner) throw invalidInput({ [field]: [phrase('mailbox.fields.ownerUnknown')] });
  if (owner.deactivatedAt) throw invalidInput({ [field]: [phrase('mailbox.fields.ownerDeactivated', { email: owner.email })] });
  // An owner connects the mailbox in a browser, which a business system never signs in to.
  if (owner.role === 'service') throw invalidInput({ [field]: [phrase('mailbox.fields.ownerIsService', { email: owner.email })] });
  return owner;
}

async function findProfileOrDefault(executor: Executor, profileId: string | undefined): Promise<ServerProfile> {
  const [profile] = await executor
    .select()
    .from(serverProfiles)
    .where(profileId ? eq(serverProfiles.id, profileId) : eq(serverProfiles.isDefault, true))
    .limit(1);
  if (profile) return profile;
  throw invalidInput({
    profileId: [phrase(profileId ? 'mailbox.fields.profileMissing' : 'mailbox.fields.noDefaultProfile')],
  });
}

/** A shared mailbox is Microsoft 365's: it is reached with a delegate's token, which only Exchange Online honours. */
function refuseSharedOutsideMicrosoft(profile: Pick<ServerProfile, 'serverType' | 'name'>): never {
  throw invalidInput({
    shared: [phrase('mailbox.fields.sharedOutsideMicrosoft', { provider: sharedMailboxProviders(), profile: profile.name })],
  });
}

function duplicateAddress(address: string): AppError {
  return new AppError('CONFLICT', phrase('mailbox.problems.duplicateAddress', { address }), {
    fields: { address: [phrase('mailbox.fields.addressTaken')] },
  });
}

async function loadForUpdate(executor: Executor, id: string): Promise<Mailbox> {
  const [mailbox] = await executor.select().from(mailboxes).where(eq(mailboxes.id, id)).for('update');
  if (!mailbox) throw notFound('mailbox');
  return mailbox;
}

async function reload(executor: Executor, id: string): Promise<MailboxRow> {
  const [row] = await selectMailboxRows(executor).where(eq(mailboxes.id, id));
  return flatten(row!);
}

/** Inserts one mailbox inside the caller's transaction, taking a place in its profile. */
export async function insertMailbox(executor: Executor, actor: AuditActor, input: CreateMailboxInput): Promise<MailboxRow> {
  const owner = await resolveOwner(executor, input);
  const profile = await findProfileOrDefault(executor, input.profileId);
  if (input.shared && !PROVIDERS[profile.serverType].sharedMailboxes) refuseSharedOutsideMicrosoft(profile);
  const [existing] = await executor.select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.address, input.address));
  if (existing) throw duplicateAddress(input.address);
  await takeProfilePlace(executor, profile.id);
  const [created] = await executor
    .insert(mailboxes)
    .values({
      address: input.address,
      ownerId: owner.id,
      profileId: profile.id,
      incoming: input.incoming,
      outgoing: input.outgoing,
      shared: input.shared,
    })
    .returning();
  await recordAuditEvent(executor, {
    actor,
    action: 'mailbox.create',
    target: { type: 'mailbox', id: created!.id },
    mailboxId: created!.id,
    profileId: profile.id,
    detail: { address: created!.address, owner: owner.email, profile: profile.name },
  });
  return reload(executor, created!.id);
}

export async function createMailbox({ actor, input }: { actor: AuditActor; input: CreateMailboxInput }): Promise<MailboxRow> {
  try {
    return await db.transaction((tx) => insertMailbox(tx, actor, input));
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateAddress(input.address);
    throw error;
  }
}

export async function updateMailbox({
  actor,
  id,
  input,
}: {
  actor: AuditActor;
  id: string;
  input: UpdateMailboxInput;
}): Promise<MailboxRow> {
  try {
    return await db.transaction(async (tx) => {
      const current = await loadForUpdate(tx, id);
      const changes: Partial<Mailbox> = {};
      const detail: Record<string, unknown> = { address: current.address };

      if (input.ownerId || input.ownerEmail) {
        const owner = await resolveOwner(tx, input);
        if (owner.id !== current.ownerId) {
          changes.ownerId = owner.id;
          detail.owner = owner.email;
        }
      }
      if (input.address && input.address !== current.address) {
        Object.assign(changes, { address: input.address }, transition(current, 'address_changed'));
        detail.newAddress = { from: current.address, to: input.address };
      }
      const shared = input.shared ?? current.shared;
      if (shared) {
        const profile = await findProfileOrDefault(tx, input.profileId ?? current.profileId);
        if (!PROVIDERS[profile.serverType].sharedMailboxes) refuseSharedOutsideMicrosoft(profile);
      }
      if (input.profileId && input.profileId !== current.profileId) {
        const profile = await findProfileOrDefault(tx, input.profileId);
        await takeProfilePlace(tx, profile.id);
        await releaseProfilePlace(tx, current.profileId);
        Object.assign(changes, { profileId: profile.id }, transition({ ...current, ...changes }, 'moved'));
        detail.movedTo = profile.name;
      }
      for (const field of ['incoming', 'outgoing', 'shared'] as const) {
        if (input[field] !== undefined && input[field] !== current[field]) {
          Object.assign(changes, { [field]: input[field] });
          detail[field] = { from: current[field], to: input[field] };
        }
      }
      if (Object.keys(changes).length > 0) {
        await tx.update(mailboxes).set(changes).where(eq(mailboxes.id, id));
        await recordAuditEvent(tx, {
          actor,
          action: changes.profileId ? 'mailbox.move' : 'mailbox.update',
          target: { type: 'mailbox', id },
          mailboxId: id,
          profileId: changes.profileId ?? current.profileId,
          detail,
        });
      }
      return reload(tx, id);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateAddress(input.address ?? '');
    throw error;
  }
}

export async function deleteMailbox({ actor, id }: { actor: AuditActor; id: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await loadForUpdate(tx, id);
    await tx.delete(mailboxes).where(eq(mailboxes.id, id));
    await releaseProfilePlace(tx, current.profileId);
    await recordAuditEvent(tx, {
      actor,
      action: 'mailbox.delete',
      target: { type: 'mailbox', id },
      mailboxId: id,
      profileId: current.profileId,
      detail: { address: current.address },
    });
  });
}

/** Each field a patch changes, as its value before and after, for the audit log. */
function changesOf(current: Mailbox, patch: Partial<Mailbox>): Record<string, { from: unknown; to: unknown }> {
  const value = (field: unknown) => (field instanceof Date ? field.toISOString() : (field ?? null));
  return Object.fromEntries(
    Object.entries(patch)
      .filter(([field, after]) => value(after) !== value(current[field as keyof Mailbox]))
      .map(([field, after]) => [field, { from: value(current[field as keyof Mailbox]), to: value(after) }]),
  );
}

/** Applies one status event to one mailbox, refusing an illegal transition with its reason. */
export async function applyMailboxEvent({
  actor,
  id,
  event,
}: {
  actor: AuditActor;
  id: string;
  event: Extract<MailboxEvent, 'approve' | 'reject' | 'disable' | 'enable'>;
}): Promise<MailboxRow> {
  return db.transaction(async (tx) => {
    const current = await loadForUpdate(tx, id);
    const patch = transition(current, event);
    await tx.update(mailboxes).set(patch).where(eq(mailboxes.id, id));
    await recordAuditEvent(tx, {
      actor,
      action: `mailbox.${event}`,
      target: { type: 'mailbox', id },
      mailboxId: id,
      profileId: current.profileId,
      detail: { address: current.address, ...changesOf(current, patch) },
    });
    return reload(tx, id);
  });
}

/** Approves or rejects many mailboxes; those already in that state are left alone and counted. */
export async function decideMailboxes({
  actor,
  ids,
  decision,
}: {
  actor: AuditActor;
  ids: string[];
  decision: 'approve' | 'reject';
}): Promise<{ changed: number; unchanged: number }> {
  let changed = 0;
  for (const id of ids) {
    try {
      await applyMailboxEvent({ actor, id, event: decision });
      changed += 1;
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
    }
  }
  return { changed, unchanged: ids.length - changed };
}

/**
 * Moves mailboxes to another profile in one transaction: all or none, within the target's cap.
 * Their grants belonged to the old profile's OAuth app, so connected ones need a reconnect.
 */
export async function moveMailboxes({
  actor,
  ids,
  profileId,
}: {
  actor: AuditActor;
  ids: string[];
  profileId: string;
}): Promise<{ moved: number; needReconnect: number }> {
  return db.transaction(async (tx) => {
    const target = await findProfileOrDefault(tx, profileId);
    const rows = await tx.select().from(mailboxes).where(inArray(mailboxes.id, ids)).orderBy(asc(mailboxes.id)).for('update');
    if (rows.length !== new Set(ids).size) throw notFound('mailboxes');
    const moving = rows.filter((row) => row.profileId !== target.id);
    if (!PROVIDERS[target.serverType].sharedMailboxes && moving.some((row) => row.shared)) refuseSharedOutsideMicrosoft(target);
    if (moving.length > 0) await takeProfilePlace(tx, target.id, moving.length);
    const sources = moving.length > 0 ? await tx.select({ id: serverProfiles.id, name: serverProfiles.name }).from(serverProfiles).where(inArray(serverProfiles.id, [...new Set(moving.map((row) => row.profileId))])) : [];
    const nameOf = new Map(sources.map((source) => [source.id, source.name]));
    let needReconnect = 0;
    for (const row of moving) {
      const patch = transition(row, 'moved');
      if (patch.connection === 'needs_reconnect') needReconnect += 1;
      await releaseProfilePlace(tx, row.profileId);
      await tx.update(mailboxes).set({ profileId: target.id, ...patch }).where(eq(mailboxes.id, row.id));
      await recordAuditEvent(tx, {
        actor,
        action: 'mailbox.move',
        target: { type: 'mailbox', id: row.id },
        mailboxId: row.id,
        profileId: target.id,
        detail: { address: row.address, profile: { from: nameOf.get(row.profileId) ?? null, to: target.name } },
      });
    }
    return { moved: moving.length, needReconnect };
  });
}

/** Profiles to choose from when creating or moving mailboxes, with their room. */
export async function listProfileChoices() {
  return db
    .select({
      id: serverProfiles.id,
      name: serverProfiles.name,
      serverType: serverProfiles.serverType,
      isDefault: serverProfiles.isDefault,
      mailboxCount: serverProfiles.mailboxCount,
      mailboxCap: serverProfiles.mailboxCap,
    })
    .from(serverProfiles)
    .orderBy(asc(serverProfiles.name));
}
