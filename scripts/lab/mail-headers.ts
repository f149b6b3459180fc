// Just enough of RFC 5322 and RFC 2047 for the lab to read the messages it relays and stores.
import addressparser from 'nodemailer/lib/addressparser/index.js';

export type MailHeader = { name: string; value: string };
export type MailAddress = { address: string; name: string };

/** The header section and the body of a message, at the first empty line. */
export function splitMessage(raw: string): { headerText: string; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { headerText: raw, body: '' };
  return { headerText: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

/** Every header field in order, unfolded, with its value as written (encoded words left in). */
export function parseHeaders(raw: string): MailHeader[] {
  const unfolded = splitMessage(raw).headerText.replace(/\r?\n(?=[ \t])/g, '');
  return unfolded.split(/\r?\n/).flatMap((line) => {
    const colon = line.indexOf(':');
    return colon > 0 ? [{ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() }] : [];
  });
}

/** The first field called `name` (any case), its encoded words decoded; null when there is none. */
export function headerValue(headers: MailHeader[], name: string): string | null {
  const header = headers.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  return header ? decodeWords(header.value) : null;
}

/** RFC 2047 encoded words (`=?UTF-8?Q?pr=C3=AAt?=`), as mailers write a subject that is not ASCII. */
export function decodeWords(header: string): string {
  return header.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=(\s+(?==\?))?/g, (_word, _charset: string, encoding: string, text: string) => {
    if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
    const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_hex, code: string) => String.fromCharCode(parseInt(code, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  });
}

/** The mailboxes of an address field (`"Name" <a@b>, c@d`), groups flattened. */
export function parseAddresses(value: string | null): MailAddress[] {
  if (!value) return [];
  return addressparser(value, { flatten: true }).filter((entry) => entry.address.includes('@'));
}

/** The subject of a raw message, decoded; null when it has none. */
export function subjectOf(raw: string): string | null {
  return headerValue(parseHeaders(raw), 'subject');
}

/** The body's text, its transfer encoding undone: of the message itself, or of its first text/plain part. */
export function plainTextOf(raw: string): string {
  const headers = parseHeaders(raw);
  const { body } = splitMessage(raw);
  const contentType = headerValue(headers, 'content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (/^multipart\//i.test(contentType) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1, -1);
    for (const part of parts) {
      const text = plainTextOf(part.replace(/^\r?\n/, ''));
      if (text) return text;
    }
    return '';
  }
  if (!/^text\/plain/i.test(contentType)) return '';
  const encoding = headerValue(headers, 'content-transfer-encoding')?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  if (encoding !== 'quoted-printable') return body;
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_hex, code: string) => String.fromCharCode(parseInt(code, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The message with every field named in `remove` (any case) taken out and the `add` fields on top, body untouched. */
export function rewriteHeaders(options: { raw: string; remove: string[]; add: MailHeader[] }): string {
  const { headerText, body } = splitMessage(options.raw);
  const lineEnd = options.raw.includes('\r\n') ? '\r\n' : '\n';
  const removed = new Set(options.remove.map((name) => name.toLowerCase()));
  // One entry per field, its folded continuation lines included.
  const fields = headerText.split(/\r?\n(?![ \t])/).filter((field) => {
    const colon = field.indexOf(':');
    return colon > 0 && !removed.has(field.slice(0, colon).trim().toLowerCase());
  });
  const added = options.add.map(({ name, value }) => `${name}: ${value}`);
  return [...added, ...fields].join(lineEnd) + lineEnd + lineEnd + body;
}
