import type { StoredError } from '@/db/schema';
import type { OAuthFailure } from '@/lib/oauth/oauth-failure';

/** A provider's refusal as a grant, a mailbox or a refresh attempt stores it: English for logs, the key for every reader. */
export function storedFailure(failure: OAuthFailure, at: Date): StoredError {
  return {
    code: failure.code,
    message: failure.message,
    hint: failure.hint,
    at: at.toISOString(),
    key: failure.key,
    ...(failure.values ? { values: failure.values } : {}),
  };
}
