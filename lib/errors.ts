import type { StoredError } from '@/db/schema';

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PROFILE_FULL: 409,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_INPUT: 422,
  TOO_MANY_REQUESTS: 429,
  UPSTREAM: 502,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type FieldErrors = Record<string, string[]>;

/**
 * The one shape of a problem as people read it, wherever it comes from (an action, the API, a test,
 * the provider, a stored status): what went wrong, and what to do next when the portal knows it.
 * Its texts are written for people and never contain a secret, a token or a database message.
 */
export type Problem = { code: string; message: string; hint?: string; fields?: FieldErrors };

// db/schema.ts cannot import lib/: what it stores as an error must stay a Problem all the same.
type Assignable<T extends Problem> = T;
export type StoredProblem = Assignable<StoredError>;

/** The one error type that code throws for people to read. */
export class AppError extends Error implements Problem {
  readonly code: ErrorCode;
  readonly fields?: FieldErrors;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: { fields?: FieldErrors; hint?: string } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.fields = options.fields;
    this.hint = options.hint;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} was not found.`);
}

export function invalidInput(fields: FieldErrors, message = 'Some fields are invalid.'): AppError {
  return new AppError('INVALID_INPUT', message, { fields });
}
