import { afterAll, beforeAll } from 'vitest';

/** Everything this test file writes to stderr (where Mailroom logs), to search for leaked secrets. */
export function captureLogs(): { text: () => string } {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  beforeAll(() => {
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
  });
  afterAll(() => {
    process.stderr.write = write;
  });
  return { text: () => chunks.join('') };
}
