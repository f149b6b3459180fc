/** What a throttled person reads; shared by the server that refuses and the form that shows it. */
const THROTTLED_PREFIX = 'Too many failed sign-ins.';

function describeWait(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export function throttledSignInMessage(retryAfterSeconds: number): string {
  return `${THROTTLED_PREFIX} Wait ${describeWait(retryAfterSeconds)}, then try again.`;
}

/**
 * The wait a throttled sign-in's message names, in seconds (minutes read as whole minutes), or null
 * for any other message: the sign-in form says it again in the visitor's language.
 */
export function throttledSignInWait(message: string | null | undefined): number | null {
  if (!message?.startsWith(THROTTLED_PREFIX)) return null;
  const wait = message.match(/Wait (\d+) (second|minute)/);
  if (!wait) return null;
  return Number(wait[1]) * (wait[2] === 'minute' ? 60 : 1);
}

/**
 * What authorize answers for a service account's email, whatever the password: the form recognizes
 * it and says, in the visitor's language, that business systems use API keys.
 */
export const SERVICE_ACCOUNT_SIGN_IN = 'ServiceAccount';

export function isServiceAccountSignIn(message: string | null | undefined): boolean {
  return message === SERVICE_ACCOUNT_SIGN_IN;
}
