import { z } from 'zod';

/** RFC 5321's limits: a path of at most 256 octets (254 for the address itself), a local part of at most 64. */
export const emailAddress = z
  .string({ error: 'Enter an email address.' })
  .trim()
  .toLowerCase()
  .max(254, { error: 'An email address has at most 254 characters.' })
  .refine((value) => value.lastIndexOf('@') <= 64, { error: 'The part before @ has at most 64 characters.' })
  .pipe(z.email({ error: 'Enter a valid email address, such as name@example.org.' }));

export const id = z.uuid({ error: 'Not a valid id.' });

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
    .max(max, { error: `Use at most ${max} characters.` })
    .transform((value) => value || undefined)
    .optional();

/** Text that PostgreSQL can store and compare: no NUL, no other control character. */
export const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

/** An opaque cursor as the API handed it out: short printable text. */
export const cursorText = z
  .string()
  .trim()
  .min(1)
  .max(1024, { error: 'cursor must be the nextCursor of a previous page.' })
  .regex(PRINTABLE, { error: 'cursor must be the nextCursor of a previous page.' });

/** A page's `?after=` cursor: what the page handed out, or nothing (a repeated or hostile value reads as the first page). */
export function pageCursor(value: unknown): string | undefined {
  return cursorText.safeParse(value).data;
}

/** A cursor that is a row number (audit events): a whole number the database can hold. */
export const rowNumberCursor = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, { error: 'cursor must be the nextCursor of a previous page.' })
  .transform(Number);

export const listQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number.' })
    .int({ error: 'limit must be a whole number.' })
    .min(1, { error: 'limit must be at least 1.' })
    .max(200, { error: 'limit must be at most 200.' })
    .default(50),
  cursor: cursorText.optional(),
});
