import type { StoredError } from '@/db/schema';
import { renderProblemWith, type Phrase, type PhraseValues, type RenderedProblem, type Text } from '@/lib/i18n/render';
import { catalogueFor, hasMessage, phrase, renderText, type Reader } from '@/lib/i18n/text';

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
/** What is wrong with each field, by its (dotted) name; `_` for the input as a whole. */
export type FieldErrors = Record<string, Text[]>;

/**
 * The one shape of a problem as people read it, wherever it comes from (an action, the API, a test,
 * the provider, a stored status): what went wrong, and what to do next when the portal knows it.
 * Its texts are written for people and never contain a secret, a token or a database message.
 *
 * `message` and `hint` are in English (logs, older stored rows); `key` names the messages' group
 * holding `message` and `hint` in every language, rendered for each reader by `renderProblem`.
 */
export type Problem = { code: string; message: string; hint?: string; fields?: FieldErrors; key?: string; values?: PhraseValues };


// db/schema.ts cannot import lib/: what it stores as an error must stay a Problem all the same.
type Assignable<T extends Problem> = T;
export type StoredProblem = Assignable<StoredError>;

/** The one error type that code throws for people to read. */
export class AppError extends Error implements Problem {
  readonly code: ErrorCode;
  readonly fields?: FieldErrors;
  readonly hint?: string;

  readonly key?: string;
  readonly values?: PhraseValues;

  /** `message` is a phrase whose key names a group of `message` and `hint` (or a plain English sentence, for now). */
  constructor(code: ErrorCode, message: string | Phrase, options: { fields?: FieldErrors; hint?: string } = {}) {
    const english = typeof message === 'string' ? { message } : englishProblem(message);
    super(english.message);
    this.name = 'AppError';
    this.code = code;
    this.fields = options.fields;
    this.hint = options.hint ?? english.hint;
    if (typeof message !== 'string') {
      this.key = message.key;
      this.values = message.values;
    }
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** What may be missing, as `problems.notFound.<thing>` names it. */
export type NotFoundThing = 'mailbox' | 'mailboxes' | 'user' | 'apiKey' | 'serverProfile' | 'signIn' | 'test' | 'bulkTest';

export function notFound(thing: NotFoundThing): AppError {
  return new AppError('NOT_FOUND', phrase(`problems.notFound.${thing}`));
}

export function invalidInput(fields: FieldErrors, message: string | Phrase = phrase('problems.invalidInput')): AppError {
  return new AppError('INVALID_INPUT', message, { fields });
}

/** The English message and hint of a problem's phrase. */
export function englishProblem({ key, values }: Phrase): { message: string; hint?: string } {
  const hintKey = `${key}.hint`;
  return {
    message: renderText({ key: `${key}.message`, values }, 'en', key),
    ...(hasMessage(hintKey) ? { hint: renderText({ key: hintKey, values }, 'en') } : {}),
  };
}

/** A problem from its phrase: code, English texts and the key that renders it for every reader. */
export function problemOf(code: string, phrase: Phrase): Problem {
  return { code, ...englishProblem(phrase), key: phrase.key, ...(phrase.values ? { values: phrase.values } : {}) };
}

/** A problem in a reader's language; see renderProblemWith. */
export function renderProblem(problem: Problem, reader: Reader): RenderedProblem {
  return renderProblemWith(catalogueFor(reader), problem);
}
