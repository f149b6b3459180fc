import { z } from 'zod';
import { userRole } from '@/db/schema';
import { emailAddress, id, optionalText } from './common';

export const role = z.enum(userRole.enumValues, { error: 'Choose a role: admin, owner or support.' });

export const password = z
  .string({ error: 'Enter a password.' })
  .min(12, { error: 'Use at least 12 characters.' })
  .max(200, { error: 'Use at most 200 characters.' });

export const createUserSchema = z.object({
  email: emailAddress,
  role,
  name: optionalText(200),
  /** Optional: users who sign in through single sign-on have none. */
  password: z.preprocess((value) => (value === '' ? undefined : value), password.optional()),
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

export const signInSchema = z.object({
  email: emailAddress,
  password: z.string().min(1, { error: 'Enter your password.' }),
});

export const changeRoleSchema = z.object({ id, role });

export const setActiveSchema = z.object({
  id,
  active: z.stringbool({ error: 'active must be true or false.' }),
});

export const createApiKeySchema = z.object({
  userId: id,
  name: optionalText(100),
});

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
