import 'server-only';
import { and, asc, count, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { db, type Executor } from '@/db';
import { isUniqueViolation } from '@/db/errors';
import { users, type User, type UserRole } from '@/db/schema';
import type { AuditActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { hashPassword } from '@/lib/crypto/passwords';
import { getEnv } from '@/lib/env';
import { AppError, invalidInput, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import type { CreateUserInput, UpdateUserInput, UserResponse } from '@/lib/validations/users';
import { deliverPasswordLink, issuePasswordLink, type PasswordLinkDelivery } from './password-links';
import { profileNamesFor } from './service-accounts';

/** The roles a person may hold, for pages and forms that must not reach into db/. */
export type { UserRole };

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    active: user.deactivatedAt === null,
    profileIds: user.role === 'service' ? user.profileIds : null,
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export async function getUserById({ id }: { id: string }): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user ?? null;
}

export async function getUserByEmail({ email }: { email: string }): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  return user ?? null;
}

export async function countUsers(): Promise<number> {
  const [row] = await db.select({ value: count() }).from(users);
  return row?.value ?? 0;
}

/** Users in email order, a page at a time; the cursor is the last email of the previous page. */
export async function findUsers({ limit, cursor, role }: { limit: number; cursor?: string; role?: UserRole }) {
  const rows = await db
    .select()
    .from(users)
    .where(and(cursor ? gt(users.email, cursor) : undefined, role ? eq(users.role, role) : undefined))
    .orderBy(asc(users.email))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { users: page, nextCursor: rows.length > limit ? (page.at(-1)?.email ?? null) : null };
}

async function insertUser(executor: Executor, actor: AuditActor, input: CreateUserInput): Promise<User> {
  // A service never signs in: whatever a caller passed, it gets no password.
  const passwordHash = input.password && input.role !== 'service' ? await hashPassword(input.password) : null;
  const profileIds = input.role === 'service' ? (input.profileIds ?? null) : null;
  const profiles = input.role === 'service' ? await profileNamesFor(executor, profileIds) : null;
  try {
    const [user] = await executor
      .insert(users)
      .values({ email: input.email, name: input.name ?? null, role: input.role, passwordHash, profileIds })
      .returning();
    await recordAuditEvent(executor, {
      actor,
      action: 'user.create',
      target: { type: 'user', id: user!.id },
      detail: { email: user!.email, role: user!.role, ...(profiles ? { name: user!.name, profiles } : {}) },
    });
    return user!;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', phrase('problems.users.emailTaken', { email: input.email }), {
        fields: { email: [phrase('problems.users.fields.emailTaken')] },
      });
    }
    throw error;
  }
}

export async function createUser({ actor, input }: { actor: AuditActor; input: CreateUserInput }): Promise<User> {
  return db.transaction((tx) => insertUser(tx, actor, input));
}

/**
 * Creates a user the way people do (API, command line, Users page): with a way to sign in. Without
 * single sign-on that is a password, given now or chosen by the person through an invitation link
 * (`invite`), which is mailed from the notification sender or handed back to show once. A service
 * account signs in no way at all: it works with the API keys an admin then creates for it.
 */
export async function createUserWithAccess({
  actor,
  input,
}: {
  actor: AuditActor;
  input: CreateUserInput;
}): Promise<{ user: User; invitation: PasswordLinkDelivery | null }> {
  if (input.invite && input.password) {
    throw new AppError('INVALID_INPUT', phrase('problems.users.passwordAndInvitation'), {
      fields: { password: [phrase('problems.users.fields.leavePasswordEmpty')] },
    });
  }
  if (input.role === 'service') return { user: await createUser({ actor, input }), invitation: null };
  if (!input.invite && !input.password && !getEnv().MAILROOM_OIDC_ISSUER) {
    throw new AppError('INVALID_INPUT', phrase('problems.users.noWayToSignIn'), {
      fields: { password: [phrase('problems.users.fields.passwordOrInvitation')] },
    });
  }
  if (!input.invite) return { user: await createUser({ actor, input }), invitation: null };
  const { user, issued } = await db.transaction(async (tx) => {
    const created = await insertUser(tx, actor, input);
    return { user: created, issued: await issuePasswordLink(tx, { actor, user: created, purpose: 'invitation' }) };
  });
  return { user, invitation: await deliverPasswordLink({ actor, user, purpose: 'invitation', issued }) };
}

// Any constant: serializes first-run setup between concurrent requests and portal instances.
const SETUP_LOCK_ID = 74_201_114;

/** Creates the first admin on a database with no users; refused once anyone exists. */
export async function createFirstAdmin({
  input,
}: {
  input: { email: string; name?: string; password: string };
}): Promise<User> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK_ID})`);
    const [existing] = await tx.select({ value: count() }).from(users);
    if ((existing?.value ?? 0) > 0) {
      throw new AppError('CONFLICT', phrase('problems.users.alreadySetUp'));
    }
    return insertUser(tx, { userId: null, label: `first-run setup (${input.email})` }, { ...input, role: 'admin' });
  });
}

async function countOtherActiveAdmins(executor: Executor, userId: string): Promise<number> {
  const [row] = await executor
    .select({ value: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.deactivatedAt), ne(users.id, userId)));
  return row?.value ?? 0;
}

/**
 * People and systems stay what they are: a person made a service would keep a password it must not
 * use, a service made a person would have none. Profile lists belong to services alone.
 */
function checkKindKept(current: User, input: UpdateUserInput): void {
  if (input.role && (input.role === 'service') !== (current.role === 'service')) {
    throw invalidInput({ role: [phrase(current.role === 'service' ? 'problems.services.fields.staysService' : 'problems.services.fields.staysPerson')] });
  }
  if (current.role === 'service' && input.name === null) throw invalidInput({ name: [phrase('validation.service.nameRequired')] });
  if (input.profileIds !== undefined && current.role !== 'service') {
    throw invalidInput({ profileIds: [phrase('validation.service.profileIdsForServices')] });
  }
}

export async function updateUser({
  actor,
  id,
  input,
}: {
  actor: AuditActor;
  id: string;
  input: UpdateUserInput;
}): Promise<User> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, id)).for('update');
    if (!current) throw notFound('user');
    checkKindKept(current, input);
    const newProfiles = input.profileIds === undefined ? undefined : await profileNamesFor(tx, input.profileIds);

    const losesAdmin = current.role === 'admin' && ((input.role && input.role !== 'admin') || input.active === false);
    if (losesAdmin && current.deactivatedAt === null) {
      // Serialize with other demotions so two admins cannot remove each other at once.
      await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK_ID})`);
      if ((await countOtherActiveAdmins(tx, id)) === 0) {
        throw new AppError('CONFLICT', phrase('problems.users.lastAdmin'));
      }
    }

    const deactivatedAt =
      input.active === undefined ? current.deactivatedAt : input.active ? null : (current.deactivatedAt ?? new Date());
    const role = input.role ?? current.role;
    // A new role or a (re)activation ends every earlier session: they were granted under the old state.
    const endsSessions = role !== current.role || (deactivatedAt === null) !== (current.deactivatedAt === null);
    const [user] = await tx
      .update(users)
      .set({
        name: input.name === undefined ? current.name : input.name,
        role,
        deactivatedAt,
        profileIds: input.profileIds === undefined ? current.profileIds : input.profileIds,
        ...(endsSessions ? { sessionEpoch: sql`${users.sessionEpoch} + 1` } : {}),
      })
      .where(eq(users.id, id))
      .returning();

    const changes: Record<string, unknown> = {};
    if (user!.role !== current.role) changes.role = { from: current.role, to: user!.role };
    if (user!.name !== current.name) changes.name = { from: current.name, to: user!.name };
    if ((user!.deactivatedAt === null) !== (current.deactivatedAt === null)) changes.active = user!.deactivatedAt === null;
    if (newProfiles !== undefined && JSON.stringify(user!.profileIds) !== JSON.stringify(current.profileIds)) {
      changes.profiles = { from: await profileNamesFor(tx, current.profileIds, { storedList: true }), to: newProfiles };
    }
    const action = changes.active === false ? 'user.deactivate' : changes.active === true ? 'user.reactivate' : 'user.update';
    await recordAuditEvent(tx, { actor, action, target: { type: 'user', id }, detail: { email: user!.email, ...changes } });
    return user!;
  });
}

/** Stores a new password; like every change of credentials, it ends every session the user had open. */
export async function replacePassword({ actor, userId, password }: { actor: AuditActor; userId: string; password: string }): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const [user] = await tx
      .update(users)
      .set({ passwordHash, sessionEpoch: sql`${users.sessionEpoch} + 1` })
      .where(eq(users.id, userId))
      .returning({ email: users.email });
    if (!user) throw notFound('user');
    await recordAuditEvent(tx, { actor, action: 'user.password_change', target: { type: 'user', id: userId }, detail: { email: user.email } });
  });
}

/** Ends every session the user has open, in every browser: their next request leads to sign-in. */
export async function endSessions({ userId }: { userId: string }): Promise<void> {
  await db.update(users).set({ sessionEpoch: sql`${users.sessionEpoch} + 1` }).where(eq(users.id, userId));
}

export async function recordSignIn({ userId }: { userId: string }): Promise<void> {
  await db.update(users).set({ lastSignInAt: new Date() }).where(eq(users.id, userId));
}
