// Calling server actions as a form would, and reading how Next.js interrupts them.

/** A form's fields as the browser posts them. */
export function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

/** What Next.js throws for forbidden() and redirect(): the digest says which. */
export async function interruption(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as { digest?: string }).digest);
  }
  throw new Error('expected the action to be interrupted');
}
