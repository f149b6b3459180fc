import { z } from 'zod';
import { id } from '@/lib/validations/common';
import { mailboxIds } from '@/lib/validations/mailboxes';

/** Chosen mailboxes, or every connected mailbox of a profile that has a direction to test. */
export type BulkTestTarget = { mailboxIds: string[] } | { profileId: string };

/** What the API and the forms send to start a bulk test: either the mailboxes' ids or a profile's id. */
export const bulkTestTargetSchema = z
  .object({
    // A form with no selection sends an empty list: the profile page's form, which sends a profileId.
    mailboxIds: z.preprocess((value) => (Array.isArray(value) && value.length === 0 ? undefined : value), mailboxIds.optional()),
    profileId: id.optional(),
  })
  .refine((body) => (body.mailboxIds === undefined) !== (body.profileId === undefined), {
    error: 'tester.bulk.eitherTarget',
    path: ['mailboxIds'],
  })
  .transform((body): BulkTestTarget => (body.profileId ? { profileId: body.profileId } : { mailboxIds: body.mailboxIds ?? [] }));
