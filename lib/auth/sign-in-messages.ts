/** What a throttled person reads; shared by the server that refuses and the form that shows it. */
const THROTTLED_PREFIX = 'Too many failed sign-ins.';

function describeWait(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export function throttledSignInMessage(retryAfterSeconds: number): string {
  return `${THROTTLED_PREFIX} Wait ${describeWait(retryAfterSeconds)}, then try again.`;
}

export function isThrottledSignInMessage(message: string | null | undefined): message is string {
  return Boolean(message?.startsWith(THROTTLED_PREFIX));
}
