/**
 * The command line: `npm run mailroom -- <command>`. It works on the database directly, without a
 * running portal (on the embedded database the portal must be stopped: PGlite serves one process).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { closeDatabase } from '@/db';
import { migrateDatabase } from '@/db/migrate';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { createApiKey, findApiKeys, revokeApiKey } from '@/lib/auth/api-keys';
import { rotateEncryptionKeys } from '@/lib/crypto/rotate-keys';
import { AppError } from '@/lib/errors';
import { createUserWithAccess, getUserByEmail } from '@/lib/users/users';
import { phrase, renderText } from '@/lib/i18n/text';
import { profileIdsByName } from '@/lib/users/service-accounts';
import { toFieldErrors } from '@/lib/validations/field-errors';
import { createUserSchema, expiresAt } from '@/lib/validations/users';
import { emailAddress, id, optionalText } from '@/lib/validations/common';

const USAGE = `Usage: npm run mailroom -- <command> [options]

Commands:
  migrate                                   apply database migrations
  user:create --email E --role admin|owner|support [--name N] [--password P | --invite]
                                            create a user; prints its id. Without single sign-on it
                                            needs a password, or --invite: a link to choose one,
                                            mailed from the notification sender or printed once
  user:create --email E --role service --name N [--profile NAME]...
                                            create a service account for a business system: no
                                            password, no sign-in, API keys only (apikey:create);
                                            with --profile, only those profiles' mailboxes
  apikey:create --email E [--name N] [--expires ISO-8601]
                                            create an API key for a user; prints the key (shown once)
  apikey:list [--email E]                   list API keys (id, name, user, created, expires, last used)
  apikey:revoke --id ID                     revoke an API key at once
  keys:rotate                               re-encrypt every stored secret with MAILROOM_ENCRYPTION_KEY, bound to its row
`;

class UsageError extends Error {}

type Command<S extends z.ZodType> = { options: S; run: (input: z.output<S>) => Promise<void> };

const command = <S extends z.ZodType>(definition: Command<S>) => definition as unknown as Command<z.ZodType>;
const noOptions = z.object({});

const commands: Record<string, Command<z.ZodType>> = {
  migrate: command({
    options: noOptions,
    run: async () => console.log('Database is up to date.'),
  }),
  'user:create': command({
    options: createUserSchema.and(z.object({ profile: z.array(z.string().trim().min(1)).optional() })),
    run: async ({ profile, ...input }) => {
      if (profile && input.role !== 'service') throw new AppError('INVALID_INPUT', phrase('problems.services.profilesForPeople'));
      const profileIds = profile ? await profileIdsByName(profile) : input.profileIds;
      const { user, invitation } = await createUserWithAccess({ actor: COMMAND_LINE_ACTOR, input: { ...input, profileIds } });
      console.log(user.id);
      if (invitation?.mailed) console.error(`The invitation was mailed to ${user.email}; it works once, until ${invitation.expiresAt}.`);
      if (invitation?.url) {
        console.error(`The invitation was not mailed: ${invitation.reason}. Give ${user.email} this link yourself; it works once, until ${invitation.expiresAt}:`);
        console.log(invitation.url);
      }
    },
  }),
  'apikey:create': command({
    options: z.object({ email: emailAddress, name: optionalText(100), expires: expiresAt }),
    run: async (input) => {
      const user = await getUserByEmail({ email: input.email });
      if (!user) throw new AppError('NOT_FOUND', `No user has the email ${input.email}.`);
      const { key, prefix } = await createApiKey({
        actor: COMMAND_LINE_ACTOR,
        userId: user.id,
        name: input.name,
        expiresAt: input.expires,
      });
      console.log(`API key ${prefix}… for ${user.email} (${user.role}). Copy it now: it is not shown again.`);
      console.log(key);
    },
  }),
  'apikey:list': command({
    options: z.object({ email: emailAddress.optional() }),
    run: async (input) => {
      const user = input.email ? await getUserByEmail({ email: input.email }) : null;
      if (input.email && !user) throw new AppError('NOT_FOUND', `No user has the email ${input.email}.`);
      const { keys } = await findApiKeys({ userId: user?.id, limit: 10_000 });
      const time = (date: Date | null) => date?.toISOString() ?? '-';
      console.log(['id', 'name', 'user', 'created', 'expires', 'last used', 'revoked'].join('\t'));
      for (const key of keys) {
        console.log(
          [key.id, key.name, key.userEmail, time(key.createdAt), time(key.expiresAt), time(key.lastUsedAt), time(key.revokedAt)].join('\t'),
        );
      }
    },
  }),
  'apikey:revoke': command({
    options: z.object({ id }),
    run: async (input) => {
      await revokeApiKey({ actor: COMMAND_LINE_ACTOR, id: input.id });
      console.log(`API key ${input.id} is revoked.`);
    },
  }),
  'keys:rotate': command({
    options: noOptions,
    run: async () => {
      const { reEncrypted, unreadable } = await rotateEncryptionKeys({ actor: COMMAND_LINE_ACTOR });
      for (const [column, count] of Object.entries(reEncrypted)) console.log(`${column}: ${count} re-encrypted`);
      if (unreadable.length === 0) {
        console.log('Every stored secret is now encrypted with the current key, bound to its row.');
        return;
      }
      for (const secret of unreadable) console.log(`${secret.column} of row ${secret.rowId}: altered or copied from another row, left as it is`);
      console.log(
        `Every other stored secret is now encrypted with the current key, bound to its row. The ${unreadable.length} ` +
          'listed above cannot be used: reconnect those mailboxes or enter those secrets again.',
      );
    },
  }),
};

function parseOptions(definition: Command<z.ZodType>, args: string[]): unknown {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        password: { type: 'string' },
        id: { type: 'string' },
        expires: { type: 'string' },
        invite: { type: 'boolean' },
        profile: { type: 'string', multiple: true },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const result = definition.options.safeParse(values);
  if (result.success) return result.data;
  const lines = Object.entries(toFieldErrors(result.error)).map(([field, messages]) => `  --${field}: ${messages.map((message) => renderText(message, 'en')).join(' ')}`);
  throw new UsageError(`Invalid options:\n${lines.join('\n')}`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const definition = name && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!definition) {
    if (name === '--help' || name === undefined) {
      process.stdout.write(USAGE);
      return name ? 0 : 2;
    }
    process.stderr.write(`Unknown command: ${name}\n\n${USAGE}`);
    return 2;
  }
  try {
    const input = parseOptions(definition, args);
    await migrateDatabase();
    await definition.run(input);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    // Mailroom's own errors are written for people; anything else is unexpected.
    const known = error instanceof AppError || (error instanceof Error && error.name !== 'Error');
    process.stderr.write(`${known ? (error as Error).message : `Failed: ${String(error)}`}\n`);
    return 1;
  } finally {
    await closeDatabase();
  }
}

process.exitCode = await main(process.argv.slice(2));
