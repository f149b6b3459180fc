export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PROFILE_FULL: 409,
  INVALID_INPUT: 422,
  TOO_MANY_REQUESTS: 429,
  UPSTREAM: 502,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type FieldErrors = Record<string, string[]>;

/**
 * The one error type that reaches people: its message is written for them, and must never contain
 * a secret, a token or a database message.
 */
export class AppError extends Error {
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
