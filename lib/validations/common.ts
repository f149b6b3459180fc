import { z } from 'zod';

/** RFC 5321's limits: a path of at most 256 octets (254 for the address itself), a local part of at most 64. */
export const emailAddress = z
  .string({ error: 'validation.common.emailRequired' })
  .trim()
  .toLowerCase()
  .max(254, { error: 'validation.common.emailTooLong' })
  .refine((value) => value.lastIndexOf('@') <= 64, { error: 'validation.common.emailLocalPartTooLong', params: { maximum: 64 } })
  .pipe(z.email({ error: 'validation.common.emailInvalid' }));

export const id = z.uuid({ error: 'validation.common.idInvalid' });

export const idParams = z.object({ id });

/** Whether a path segment can name a row at all (anything else is simply not found). */
export function isId(value: string): boolean {
  return id.safeParse(value).success;
}

/** Form fields arrive as strings; an empty one means "not given". */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: 'validation.common.tooLong' })
    .transform((value) => value || undefined)
    .optional();

/** Text that PostgreSQL can store and compare: no NUL, no other control character. */
export const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

/** An opaque cursor as the API handed it out: short printable text. */
export const cursorText = z
  .string()
  .trim()
  .min(1)
  .max(1024, { error: 'validation.common.cursorInvalid' })
  .regex(PRINTABLE, { error: 'validation.common.cursorInvalid' });

/** A page's `?after=` cursor: what the page handed out, or nothing (a repeated or hostile value reads as the first page). */
export function pageCursor(value: unknown): string | undefined {
  return cursorText.safeParse(value).data;
}

/** A cursor that is a row number (audit events): a whole number the database can hold. */
export const rowNumberCursor = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, { error: 'validation.common.cursorInvalid' })
  .transform(Number);

export const listQuery = z.object({
  limit: z.coerce
    .number({ error: 'validation.common.limitNumber' })
    .int({ error: 'validation.common.limitWhole' })
    .min(1, { error: 'validation.common.limitMin' })
    .max(200, { error: 'validation.common.limitMax' })
    .default(50),
  cursor: cursorText.optional(),
});
