import { z } from 'zod';
import { approvalState, connectionState, mailboxStatus, syncMode, testStatus } from '@/db/schema';
import { emailAddress, id, listQuery } from './common';

const sync = z.enum(syncMode.enumValues, { error: 'validation.mailbox.sync' });

/** Form checkboxes send "on" or nothing; JSON sends booleans. */
const flag = z.preprocess(
  (value) => (value === 'on' || value === 'true' ? true : value === undefined || value === '' || value === 'false' ? false : value),
  z.boolean({ error: 'validation.mailbox.flag' }),
);

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

export const createMailboxSchema = z
  .object({
    address: emailAddress,
    /** The owner, by id (API) or by email (forms and CSV). */
    ownerId: z.preprocess(emptyAsUndefined, id.optional()),
    ownerEmail: z.preprocess(emptyAsUndefined, emailAddress.optional()),
    /** Defaults to the profile marked as default for new mailboxes. */
    profileId: z.preprocess(emptyAsUndefined, id.optional()),
    incoming: sync.default('server_side'),
    outgoing: sync.default('server_side'),
    shared: flag.default(false),
  })
  .refine((value) => value.ownerId || value.ownerEmail, {
    error: 'validation.mailbox.ownerRequired',
    path: ['ownerId'],
    // Report a missing owner along with any other field errors, not after they are fixed.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  });
export type CreateMailboxInput = z.infer<typeof createMailboxSchema>;

export const updateMailboxSchema = z
  .object({
    address: emailAddress.optional(),
    ownerId: id.optional(),
    ownerEmail: emailAddress.optional(),
    profileId: id.optional(),
    incoming: sync.optional(),
    outgoing: sync.optional(),
    shared: flag.optional(),
  })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    error: 'validation.common.nothingToChange',
  });
export type UpdateMailboxInput = z.infer<typeof updateMailboxSchema>;

export const mailboxFilters = z.object({
  profileId: z.preprocess(emptyAsUndefined, id.optional()),
  status: z.preprocess(emptyAsUndefined, z.enum(mailboxStatus.enumValues, { error: 'validation.mailbox.statusUnknown' }).optional()),
  approval: z.preprocess(emptyAsUndefined, z.enum(approvalState.enumValues, { error: 'validation.mailbox.approvalUnknown' }).optional()),
  connection: z.preprocess(emptyAsUndefined, z.enum(connectionState.enumValues, { error: 'validation.mailbox.connectionUnknown' }).optional()),
  /** Matches the start of the address or of the owner's email. */
  q: z.preprocess(emptyAsUndefined, z.string().trim().toLowerCase().max(200).optional()),
});
export type MailboxFilters = z.infer<typeof mailboxFilters>;

export const listMailboxesQuery = listQuery.extend(mailboxFilters.shape);

export const mailboxIds = z
  .array(id, { error: 'validation.mailbox.idsRequired' })
  .min(1, { error: 'validation.mailbox.idsMin' })
  .max(1000, { error: 'validation.mailbox.idsMax' });

export const bulkMailboxesSchema = z.object({ ids: mailboxIds });

export const moveMailboxesSchema = z.object({ ids: mailboxIds, profileId: id });

export const importMailboxesSchema = z.object({
  csv: z.string({ error: 'validation.mailbox.csvRequired' }).min(1, { error: 'validation.mailbox.csvEmpty' }).max(5_000_000, {
    error: 'validation.mailbox.csvTooLarge',
  }),
  /** Only report what would happen. */
  dryRun: flag.default(false),
});

/** `?dryRun=true` previews as `dryRun` in the body does. */
export const importMailboxesQuery = z.object({ dryRun: flag.optional() });

export const mailboxResponse = z.object({
  id: z.string(),
  address: z.string(),
  ownerId: z.string(),
  ownerEmail: z.string(),
  profileId: z.string(),
  profileName: z.string(),
  shared: z.boolean(),
  connectedAs: z.string().nullable(),
  incoming: sync,
  outgoing: sync,
  approval: z.enum(approvalState.enumValues),
  connection: z.enum(connectionState.enumValues),
  status: z.enum(mailboxStatus.enumValues),
  incomingStatus: z.enum(testStatus.enumValues),
  outgoingStatus: z.enum(testStatus.enumValues),
  statusReason: z.object({ code: z.string(), message: z.string(), hint: z.string(), at: z.string() }).nullable(),
  nextStep: z.string(),
  lastTestAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MailboxResponse = z.infer<typeof mailboxResponse>;
