'use server';

import { redirect } from 'next/navigation';
import type { ActionState } from '@/lib/auth/form-action-state';
import { AppError } from '@/lib/errors';
import { createFirstAdmin } from '@/lib/users/users';
import { toFieldErrors } from '@/lib/validations/field-errors';
import { setupSchema } from '@/lib/validations/users';

/** Needs no sign-in: it only ever works on a database without users. */
export async function createFirstAdminAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = setupSchema.safeParse(Object.fromEntries(formData));
  const values = { email: String(formData.get('email') ?? ''), name: String(formData.get('name') ?? '') };
  if (!parsed.success) {
    return { status: 'error', message: 'Some fields need your attention.', fieldErrors: toFieldErrors(parsed.error), values };
  }
  try {
    await createFirstAdmin({ input: parsed.data });
  } catch (error) {
    if (error instanceof AppError) return { status: 'error', message: error.message, values };
    throw error;
  }
  redirect(`/sign-in?setup=1&email=${encodeURIComponent(parsed.data.email)}`);
}
