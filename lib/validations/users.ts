import { z } from 'zod';
import { userRole } from '@/db/schema';
import { LOCALES } from '@/lib/i18n/locales';
import { canonicalTimeZone } from '@/lib/i18n/time-zones';
import { emailAddress, id, listQuery, optionalText } from './common';

export const role = z.enum(userRole.enumValues, { error: 'Choose a role: admin, owner or support.' });

export const password = z
  .string({ error: 'Enter a password.' })
  .min(12, { error: 'Use at least 12 characters.' })
  .max(200, { error: 'Use at most 200 characters.' });

export const createUserSchema = z.object({
  email: emailAddress,
  role,
  name: optionalText(200),
  /** Optional: users who sign in through single sign-on have none, and invited users choose their own. */
  password: z.preprocess((value) => (value === '' ? undefined : value), password.optional()),
  /** Sends an invitation link with which the person chooses their password (a form checkbox sends "on"). */
  invite: z.preprocess((value) => (value === 'on' || value === 'true' ? true : value === '' || value === 'false' ? false : value), z.boolean({ error: 'invite must be true or false.' }).optional()),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    name: optionalText(200).or(z.null()),
    role: role.optional(),
    active: z.boolean({ error: 'active must be true or false.' }).optional(),
  })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    error: 'Send at least one of name, role or active.',
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
    error: 'The two passwords differ.',
    path: ['confirmPassword'],
  });

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, { error: 'Enter your current password.' }),
    newPassword: password,
    confirmPassword: z.string(),
  })
  .refine((value) => value.newPassword === value.confirmPassword, { error: 'The two passwords differ.', path: ['confirmPassword'] })
  .refine((value) => value.newPassword !== value.currentPassword, { error: 'Choose a password you do not use now.', path: ['newPassword'] });

export const signInSchema = z.object({
  email: emailAddress,
  password: z.string().min(1, { error: 'Enter your password.' }),
});

export const changeRoleSchema = z.object({ id, role });

export const setActiveSchema = z.object({
  id,
  active: z.stringbool({ error: 'active must be true or false.' }),
});

/** An optional ISO 8601 date-time in the future; an empty form field means "never expires". */
export const expiresAt = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.iso
    .datetime({ offset: true, error: 'Use an ISO 8601 date and time, such as 2030-01-31T00:00:00Z.' })
    .transform((value) => new Date(value))
    .refine((date) => date.getTime() > Date.now(), { error: 'Choose a time in the future.' })
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
  .refine((value) => value.password === value.confirmPassword, { error: 'The two passwords differ.', path: ['confirmPassword'] });

/**
 * The Account page's language and time zone; an empty choice follows the browser. Time zones are
 * checked against the runtime's IANA list, so a date is never formatted in a zone that does not exist.
 */
export const userPreferencesSchema = z.object({
  locale: z
    .union([z.literal(''), z.enum(LOCALES)], { error: 'Choose Français, English or your browser’s language.' })
    .transform((value) => value || null),
  timeZone: z
    .string({ error: 'Choose a time zone.' })
    .trim()
    .refine((value) => value === '' || canonicalTimeZone(value) !== null, { error: 'Choose a time zone from the list, such as Europe/Paris.' })
    .transform((value) => (value ? canonicalTimeZone(value) : null)),
});

export type UserPreferencesInput = z.infer<typeof userPreferencesSchema>;
