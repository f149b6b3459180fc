import { z } from 'zod';
import { userRole, type UserRole } from '@/db/schema';
import { LOCALES } from '@/lib/i18n/locales';
import { canonicalTimeZone } from '@/lib/i18n/time-zones';
import { emailAddress, id, listQuery, optionalText } from './common';

export const role = z.enum(userRole.enumValues, { error: 'validation.user.role' });

export const password = z
  .string({ error: 'validation.user.passwordRequired' })
  .min(12, { error: 'validation.common.tooShort' })
  .max(200, { error: 'validation.common.tooLong' });

/**
 * The profiles a service account reaches (their mailboxes only); null reaches every profile. An empty
 * list is refused: it would reach nothing, which deactivating the account says more plainly.
 */
export const profileIds = z
  .array(id, { error: 'validation.service.profileIdsList' })
  .min(1, { error: 'validation.service.profileIdsEmpty' })
  .max(200)
  .transform((ids) => [...new Set(ids)])
  .nullable();

type AccountFields = { role?: UserRole; name?: string | null; password?: string; invite?: boolean; profileIds?: string[] | null };

/**
 * What only one kind of account may have: a service account (a business system) has a name for the
 * audit and no way to sign in; a person has no profile list.
 */
function checkAccountKind(value: AccountFields, context: z.RefinementCtx): void {
  const issue = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message });
  if (value.role !== 'service') {
    if (value.role && value.profileIds !== undefined && value.profileIds !== null) issue('profileIds', 'validation.service.profileIdsForServices');
    return;
  }
  if (!value.name) issue('name', 'validation.service.nameRequired');
  if (value.password) issue('password', 'validation.service.noPassword');
  if (value.invite) issue('invite', 'validation.service.noInvitation');
}

export const createUserSchema = z
  .object({
    email: emailAddress,
    role,
    name: optionalText(200),
    /** Optional: users who sign in through single sign-on have none, invited users choose their own, services never have one. */
    password: z.preprocess((value) => (value === '' ? undefined : value), password.optional()),
    /** Sends an invitation link with which the person chooses their password (a form checkbox sends "on"). */
    invite: z.preprocess((value) => (value === 'on' || value === 'true' ? true : value === '' || value === 'false' ? false : value), z.boolean({ error: 'validation.user.inviteBoolean' }).optional()),
    /** Service accounts only: the profiles whose mailboxes it reaches (null or absent: every profile). */
    profileIds: profileIds.optional(),
  })
  .superRefine(checkAccountKind);
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    name: optionalText(200).or(z.null()),
    role: role.optional(),
    active: z.boolean({ error: 'validation.user.activeBoolean' }).optional(),
    /** Service accounts only: the profiles whose mailboxes it reaches; null: every profile. */
    profileIds: profileIds.optional(),
  })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    error: 'validation.user.nothingToChange',
  });
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

export const setupSchema = z
  .object({
    email: emailAddress,
    name: optionalText(200),
    password,
    confirmPassword: z.string(),
  })
  .refine((value) => value.password === value.confirmPassword, {
    error: 'validation.user.passwordsDiffer',
    path: ['confirmPassword'],
  });

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, { error: 'validation.user.currentPasswordRequired' }),
    newPassword: password,
    confirmPassword: z.string(),
  })
  .refine((value) => value.newPassword === value.confirmPassword, { error: 'validation.user.passwordsDiffer', path: ['confirmPassword'] })
  .refine((value) => value.newPassword !== value.currentPassword, { error: 'validation.user.samePassword', path: ['newPassword'] });

export const signInSchema = z.object({
  email: emailAddress,
  password: z.string().min(1, { error: 'validation.user.signInPasswordRequired' }),
});

export const changeRoleSchema = z.object({ id, role });

/** The Users page's choice of profiles: every one, or (“Only these profiles”) the ones checked. */
const profileChoice = {
  limitProfiles: z.preprocess((value) => value === 'on', z.boolean()),
  profileIds: z.array(z.string()).default([]),
};
const chosenProfiles = ({ limitProfiles, profileIds }: { limitProfiles: boolean; profileIds: string[] }) => (limitProfiles ? profileIds : null);

/** The Users page's “Add a business system” form, read by the same rules as POST /api/v1/users. */
export const serviceAccountFormSchema = z
  .object({ email: z.string().default(''), name: z.string().optional(), ...profileChoice })
  .transform((form): z.input<typeof createUserSchema> => ({ email: form.email, name: form.name, role: 'service', profileIds: chosenProfiles(form) }))
  .pipe(createUserSchema);

const serviceProfilesSchema = z.object({ id, profileIds });

/** A service account's profiles, changed on the Users page. */
export const serviceProfilesFormSchema = z
  .object({ id, ...profileChoice })
  .transform((form): z.input<typeof serviceProfilesSchema> => ({ id: form.id, profileIds: chosenProfiles(form) }))
  .pipe(serviceProfilesSchema);

export const setActiveSchema = z.object({
  id,
  active: z.stringbool({ error: 'validation.user.activeBoolean' }),
});

/** An optional ISO 8601 date-time in the future; an empty form field means "never expires". */
export const expiresAt = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.iso
    .datetime({ offset: true, error: 'validation.user.expiresAtFormat' })
    .transform((value) => new Date(value))
    .refine((date) => date.getTime() > Date.now(), { error: 'validation.user.expiresAtFuture' })
    .optional(),
);

export const createApiKeySchema = z.strictObject({
  name: optionalText(100),
  expiresAt,
  /** Admins only: the user the key acts as (default: the caller). */
  userId: id.optional(),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const listApiKeysQuery = listQuery.extend({
  cursor: id.optional(),
  /** Admins only: whose keys (default: the caller's). */
  userId: id.optional(),
});

export const apiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  userId: z.string(),
  userEmail: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyResponse = z.infer<typeof apiKeyResponse>;

export const userResponse = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role,
  active: z.boolean(),
  /** Service accounts: the profiles whose mailboxes they reach; null: every profile (and always null for people). */
  profileIds: z.array(z.string()).nullable(),
  lastSignInAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type UserResponse = z.infer<typeof userResponse>;

/** An invitation or password reset link as the admin who sent it reads it: the url only when it was not mailed. */
export const passwordLinkResponse = z.object({
  url: z.string().nullable(),
  mailed: z.boolean(),
  /** Why the link was not mailed, in words free of any secret; null when it was. */
  reason: z.string().nullable(),
  expiresAt: z.string(),
});
export type PasswordLinkResponse = z.infer<typeof passwordLinkResponse>;

export const createdUserResponse = userResponse.extend({ invitation: passwordLinkResponse.nullable() });

export const setPasswordWithLinkSchema = z
  .object({
    token: z.string().min(1).max(200),
    password,
    confirmPassword: z.string(),
  })
  .refine((value) => value.password === value.confirmPassword, { error: 'validation.user.passwordsDiffer', path: ['confirmPassword'] });

/**
 * The Account page's language and time zone; an empty choice follows the browser. Time zones are
 * checked against the runtime's IANA list, so a date is never formatted in a zone that does not exist.
 */
export const userPreferencesSchema = z.object({
  locale: z
    .union([z.literal(''), z.enum(LOCALES)], { error: 'validation.user.locale' })
    .transform((value) => value || null),
  timeZone: z
    .string({ error: 'validation.user.timeZoneRequired' })
    .trim()
    .refine((value) => value === '' || canonicalTimeZone(value) !== null, { error: 'validation.user.timeZoneUnknown' })
    .transform((value) => (value ? canonicalTimeZone(value) : null)),
});

export type UserPreferencesInput = z.infer<typeof userPreferencesSchema>;
