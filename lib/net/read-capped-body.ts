/**
 * A request's or a response's body, whole, unless it is larger than `maxBytes`: a declared
 * Content-Length over the cap is refused before anything is read, and a body that streams past it
 * is cancelled right there, so an oversized body never sits in memory whole. `tooLarge` builds the
 * error thrown, from what was seen.
 */
export async function readCappedBody(
  // Structural, so that undici's own Response (whose stream types differ from the DOM's) fits too.
  message: {
    headers: { get(name: string): string | null };
    body: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> }; cancel(): Promise<void> } | null;
  },
  maxBytes: number,
  tooLarge: (seen: string) => Error,
): Promise<Buffer<ArrayBuffer> | null> {
  const declared = Number(message.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await message.body?.cancel().catch(() => undefined);
    throw tooLarge(`Content-Length ${declared}`);
  }
  if (!message.body) return null;
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(`more than ${total} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
