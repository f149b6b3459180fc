// The few OData query options the lab's Graph takes on messages: $filter (subject or
// internetMessageId eq '...', receivedDateTime ge|gt <date>, joined by `and`), $top, $select, $orderby.

/** A message as Graph lists it, before $select. */
export type GraphMessage = Record<string, unknown> & { id: string; subject: string; internetMessageId: string | null; receivedDateTime: string };

export type GraphMessageQuery = {
  matches: (message: GraphMessage) => boolean;
  top: number;
  select: string[] | null;
  newestFirst: boolean;
};

const DEFAULT_TOP = 10;
const MAX_TOP = 1000;

type Clause = (message: GraphMessage) => boolean;

/** One clause at the start of `text`, and the rest; null when `text` does not start with one the lab knows. */
function readClause(text: string): { clause: Clause; rest: string } | null {
  const equality = /^\s*(subject|internetMessageId)\s+eq\s+'((?:[^']|'')*)'/i.exec(text);
  if (equality) {
    const property = equality[1]?.toLowerCase() === 'subject' ? 'subject' : 'internetMessageId';
    // OData doubles a quote inside a string; Exchange compares text without regard to case.
    const wanted = (equality[2] ?? '').replace(/''/g, "'").toLowerCase();
    return { clause: (message) => String(message[property] ?? '').toLowerCase() === wanted, rest: text.slice(equality[0].length) };
  }
  const since = /^\s*receivedDateTime\s+(ge|gt)\s+([0-9][0-9T:.+\-Z]*)/i.exec(text);
  if (since) {
    const limit = Date.parse(since[2] ?? '');
    if (Number.isNaN(limit)) return null;
    const inclusive = since[1]?.toLowerCase() === 'ge';
    return {
      clause: (message) => (inclusive ? Date.parse(message.receivedDateTime) >= limit : Date.parse(message.receivedDateTime) > limit),
      rest: text.slice(since[0].length),
    };
  }
  return null;
}

function parseFilter(filter: string | null): Clause[] | null {
  if (!filter?.trim()) return [];
  const clauses: Clause[] = [];
  let rest = filter;
  for (;;) {
    const read = readClause(rest);
    if (!read) return null;
    clauses.push(read.clause);
    if (!read.rest.trim()) return clauses;
    const and = /^\s+and\s+/i.exec(read.rest);
    if (!and) return null;
    rest = read.rest.slice(and[0].length);
  }
}

/** The query, or the words Graph answers 400 with when the lab does not take it. */
export function parseGraphMessageQuery(search: URLSearchParams): GraphMessageQuery | { error: string } {
  const clauses = parseFilter(search.get('$filter'));
  if (!clauses) return { error: 'Invalid filter clause' };
  const topText = search.get('$top');
  const top = topText === null ? DEFAULT_TOP : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) return { error: `Invalid value '${topText ?? ''}' for $top query option.` };
  const orderBy = search.get('$orderby')?.trim() ?? 'receivedDateTime desc';
  const order = /^receivedDateTime(?:\s+(asc|desc))?$/i.exec(orderBy);
  if (!order) return { error: `Could not find a property named '${orderBy.split(/\s/)[0] ?? ''}' on type 'microsoft.graph.message'.` };
  const select = search.get('$select');
  return {
    matches: (message) => clauses.every((clause) => clause(message)),
    top,
    select: select ? select.split(',').map((name) => name.trim()).filter(Boolean) : null,
    newestFirst: order[1]?.toLowerCase() !== 'asc',
  };
}

/** The selected properties only (any case, as Graph takes them), and always the id, as Graph does. */
export function selectProperties(options: { message: GraphMessage; select: string[] | null }): Record<string, unknown> {
  const { message, select } = options;
  if (!select) return message;
  const wanted = new Set(select.map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(message).filter(([name]) => name === 'id' || wanted.has(name.toLowerCase())));
}
