// The part of Gmail's search language (`q`) the lab understands: rfc822msgid:, subject:, from:, to:,
// in:inbox, is:unread and is:read; any other term or "phrase" is looked for in the subject, the
// sender and the text, without regard to case.

export type GmailSearchable = { subject: string; from: string; to: string; messageId: string; text: string; unread: boolean };
type Term = (message: GmailSearchable) => boolean;

const TERM = /(-)?(?:(\w+):("[^"]*"|\([^)]*\)|\S+)|"([^"]*)"|(\S+))/g;

function unquote(value: string): string {
  return value.replace(/^"(.*)"$/, '$1').replace(/^\((.*)\)$/, '$1').trim().toLowerCase();
}

function withoutBrackets(messageId: string): string {
  return messageId.trim().replace(/^<(.*)>$/, '$1').toLowerCase();
}

function termOf(operator: string | undefined, value: string): Term {
  const contains = (text: string) => text.toLowerCase().includes(value);
  switch (operator?.toLowerCase()) {
    case 'rfc822msgid':
      return (message) => withoutBrackets(message.messageId) === withoutBrackets(value);
    case 'subject':
      return (message) => contains(message.subject);
    case 'from':
      return (message) => contains(message.from);
    case 'to':
      return (message) => contains(message.to);
    case 'in':
      return () => value === 'inbox' || value === 'anywhere';
    case 'is':
      return (message) => (value === 'unread' ? message.unread : value === 'read' ? !message.unread : false);
    default: {
      const word = operator ? `${operator.toLowerCase()}:${value}` : value;
      return (message) => [message.subject, message.from, message.text].some((text) => text.toLowerCase().includes(word));
    }
  }
}

/** Whether a message answers `q`: every term must hold, a `-` term must not. */
export function gmailQueryMatcher(q: string | null): Term {
  const terms: Term[] = [];
  for (const match of (q ?? '').matchAll(TERM)) {
    const [, negated, operator, operatorValue, phrase, word] = match;
    const term = termOf(operator, unquote(operatorValue ?? phrase ?? word ?? ''));
    terms.push(negated ? (message) => !term(message) : term);
  }
  return (message) => terms.every((term) => term(message));
}
