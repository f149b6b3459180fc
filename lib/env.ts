import { z } from 'zod';
import { LOCALES } from '@/lib/i18n/locales';
import { isTimeZone } from '@/lib/i18n/time-zones';

const base64Key = z
  .string()
  .trim()
  .refine((value) => Buffer.from(value, 'base64').length === 32, {
    message: 'must be 32 random bytes in base64 (generate one with: openssl rand -base64 32)',
  });

const optionalString = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z
      .string()
      .trim()
      .transform((value) => value || undefined)
      .pipe(
        z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
          .optional(),
      )
      .optional(),
    MAILROOM_DATA_DIR: z.string().trim().min(1).default('./.data'),
    MAILROOM_ENCRYPTION_KEY: base64Key.optional(),
    /** A file holding the key instead (a mounted secret); its content is checked when the key is loaded. */
    MAILROOM_ENCRYPTION_KEY_FILE: optionalString,
    MAILROOM_ENCRYPTION_KEYS_OLD: z
      .string()
      .trim()
      .default('')
      .transform((value) => value.split(',').map((key) => key.trim()).filter(Boolean))
      .pipe(z.array(base64Key)),
    MAILROOM_AUTH_SECRET: z.string().trim().min(32, 'must be at least 32 characters').optional(),
    MAILROOM_PUBLIC_URL: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://mail.example.org' })
      .default('http://localhost:3000')
      .transform((value) => value.replace(/\/+$/, '')),
    /** The port the portal listens on (Next.js reads it too); compared with MAILROOM_PUBLIC_URL at start. */
    PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1, 'must be a port number').max(65_535, 'must be a port number').optional(),
    MAILROOM_OIDC_ISSUER: z.url({ message: 'must be the issuer URL of your identity provider' }).optional(),
    MAILROOM_OIDC_CLIENT_ID: optionalString,
    MAILROOM_OIDC_CLIENT_SECRET: optionalString,
    MAILROOM_OIDC_NAME: z.string().trim().min(1).default('single sign-on'),
    /**
     * The language of a visitor whose browser asks for neither French nor English, and of anyone
     * before they choose. French: the organizations Mailroom serves work in French, so a visitor
     * whose browser states no usable language (a German workstation, a script) reads what the
     * rest of the organization reads.
     */
    MAILROOM_DEFAULT_LOCALE: z.enum(LOCALES, { message: 'must be fr or en' }).default('fr'),
    /** The time zone dates are shown in for people who have not chosen theirs (an IANA name). */
    MAILROOM_DEFAULT_TIME_ZONE: z
      .string()
      .trim()
      .default('Europe/Paris')
      .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Paris or America/Toronto' }),
    MAILROOM_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** PEM bundle of extra certificate authorities the connection tester trusts (internal mail servers). */
    MAILROOM_EXTRA_CA_FILE: optionalString,
    /**
     * For a test lab only, never in production: comma-separated origins (http://127.0.0.1:4010) also
     * accepted as Gmail and Microsoft 365 endpoints, where a lab stands in for Google and Microsoft.
     * Only the operator sets it; nothing in the portal or the API can.
     */
    MAILROOM_EXTRA_PROVIDER_ORIGINS: z
      .string()
      .trim()
      .default('')
      .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
      .pipe(
        z.array(
          z
            .url({ protocol: /^https?$/, message: 'must list origins such as http://127.0.0.1:4010, separated by commas' })
            .refine((origin) => new URL(origin).origin === origin.replace(/\/$/, ''), {
              message: 'must list origins alone (scheme, host and port), without a path',
            })
            .transform((origin) => new URL(origin).origin),
        ),
      ),
  })
  .superRefine((value, context) => {
    if (value.MAILROOM_ENCRYPTION_KEY && value.MAILROOM_ENCRYPTION_KEY_FILE) {
      context.addIssue({
        code: 'custom',
        path: ['MAILROOM_ENCRYPTION_KEY_FILE'],
        message: 'set either MAILROOM_ENCRYPTION_KEY or MAILROOM_ENCRYPTION_KEY_FILE, not both',
      });
    }
    const oidc = [value.MAILROOM_OIDC_ISSUER, value.MAILROOM_OIDC_CLIENT_ID, value.MAILROOM_OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      context.addIssue({
        code: 'custom',
        path: ['MAILROOM_OIDC_ISSUER'],
        message:
          'single sign-on needs all three of MAILROOM_OIDC_ISSUER, MAILROOM_OIDC_CLIENT_ID and MAILROOM_OIDC_CLIENT_SECRET',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class InvalidEnvironmentError extends Error {
  constructor(issues: z.core.$ZodIssue[]) {
    const lines = issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    super(`Mailroom cannot start: invalid environment variables\n${lines.join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) throw new InvalidEnvironmentError(result.error.issues);
  return result.data;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why the public URL looks wrong for a portal reached on this machine: it names localhost on
 * another port than PORT, so OAuth callbacks and mailed links would lead to another port (or to
 * nothing). Null when they agree, when PORT is unset, or when the URL names another host (a proxy).
 */
export function publicUrlPortMismatch(env: Pick<Env, 'PORT' | 'MAILROOM_PUBLIC_URL'>): string | null {
  if (env.PORT === undefined) return null;
  const url = new URL(env.MAILROOM_PUBLIC_URL);
  if (!LOCAL_HOSTS.has(url.hostname)) return null;
  const publicPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (publicPort === env.PORT) return null;
  return (
    `PORT is ${env.PORT} but MAILROOM_PUBLIC_URL is ${env.MAILROOM_PUBLIC_URL} (port ${publicPort}): OAuth callbacks and mailed links ` +
    `would lead to port ${publicPort}. Set MAILROOM_PUBLIC_URL=${url.protocol}//${url.hostname}:${env.PORT} (and start the mail lab with it).`
  );
}

let cached: Env | undefined;

/** The validated environment, parsed on first use so that tests and the CLI can set variables first. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
