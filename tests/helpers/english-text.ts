// Finds English left on a page that should read in French. It looks for words French never uses
// (the, your, is, with…) and for English spellings of the portal's own vocabulary (mailbox,
// password, reconnect…), after setting aside what stays the same in both languages: addresses,
// URLs, host names, identifiers and proper nouns.
import type { Page } from 'playwright-core';

/**
 * English words that are not French words, nor parts of French words once split on apostrophes and
 * hyphens. Left out on purpose: a, an, as, on, or, en, plus, son (French words), none (a value French
 * sentences name: « Choisissez tls, starttls ou none »), and words French shares (test, message, code,
 * client, type, support, action, active, audit, notification, minute).
 */
const FUNCTION_WORDS = new Set([
  'the', 'and', 'your', 'yours', 'is', 'are', 'was', 'were', 'with', 'without', 'this', 'that', 'these', 'those',
  'not', 'has', 'have', 'had', 'been', 'being', 'will', 'would', 'could', 'should', 'must', 'can', 'cannot',
  'you', 'we', 'our', 'they', 'their', 'them', 'it', 'its', 'for', 'from', 'when', 'which', 'who', 'whose', 'what',
  'where', 'why', 'how', 'please', 'no', 'to', 'of', 'in', 'into', 'be', 'by', 'at', 'if', 'then', 'than',
  'only', 'also', 'any', 'all', 'each', 'every', 'some', 'here', 'there', 'now', 'yet', 'after',
  'before', 'until', 'again', 'still', 'do', 'does', 'did', 'done', 'may', 'one', 'once', 'about', 'over',
  'under', 'up', 'out', 'off', 'just', 'more', 'most', 'other', 'same', 'first', 'next', 'last', 'new',
  "can't", "don't", "doesn't", "isn't", "aren't", "wasn't", "won't", "didn't", "hasn't", "haven't", "it's",
  "you're", "they're", 'yes', 'never', 'always', 'ago', 'already', 'while', 'whether', 'because', 'so',
  'within', 'less', 'such', 'through',
]);

/**
 * The portal's own vocabulary spelled the English way. A French sentence may name one as an
 * identifier (the CSV column "address"), so these count only where they make half the words: a
 * label ("Mailbox", "Token status") rather than a sentence.
 */
const ENGLISH_VOCABULARY = new Set([
  'mailbox', 'mailboxes', 'password', 'passwords', 'sign', 'signed', 'signing', 'settings', 'account', 'accounts',
  'profile', 'profiles', 'server', 'servers', 'user', 'users', 'owner', 'owners', 'address', 'addresses',
  'email', 'emails', 'token', 'tokens', 'link', 'links', 'connected', 'connecting', 'connection', 'connections',
  'reconnect', 'reconnected', 'disconnect', 'disconnected', 'approve', 'approved', 'approval', 'pending',
  'reject', 'rejected', 'failed', 'failing', 'failure', 'success', 'succeeded', 'passed', 'error', 'errors',
  'wrong', 'valid', 'invalid', 'expired', 'expires', 'revoked', 'refused', 'step', 'steps', 'check', 'checked',
  'checking', 'testing', 'tested', 'sent', 'send', 'save', 'saved', 'saving', 'add', 'added', 'edit', 'delete',
  'deleted', 'create', 'created', 'enter', 'click', 'show', 'shows', 'shown', 'waiting', 'incoming', 'outgoing',
  'endpoint', 'endpoints', 'alert', 'alerts', 'overview', 'seconds', 'hours', 'days', 'weeks', 'later',
  'inbox', 'resolution', 'greeting', 'capabilities', 'authentication', 'envelope', 'status', 'name', 'default',
  'need', 'needs', 'activated', 'expiring', 'interval', 'polling', 'grant', 'authorization', 'cancel', 'copy', 'copied',
  'filter', 'columns', 'preview', 'deleting', 'queuing', 'revoke', 'language', 'time', 'key', 'keys', 'general',
  'trusted', 'tenant', 'issuer', 'scopes', 'confidential', 'advanced', 'selected', 'disabled', 'move', 'open', 'connect',
  'access', 'choose', 'optional', 'reset',
]);

/**
 * Proper nouns and product names, left alone whatever words they hold. Longer names first, so that
 * "Google Workspace" goes before "Google".
 */
const PROPER_NOUNS = [
  'Google Workspace', 'Google Cloud', 'Microsoft 365', 'Microsoft Entra', 'Exchange Online', 'Office 365',
  'Gmail', 'Google', 'Microsoft', 'Outlook', 'Azure', 'Entra', 'Mailroom', 'Dovecot', 'OpenID Connect', 'OpenID',
  'OAuth 2.0', 'OAuth', 'IMAP', 'POP3', 'POP', 'SMTP', 'STARTTLS', 'TLS', 'XOAUTH2', 'OAUTHBEARER', 'JWKS', 'PKCE',
  'CSV', 'API', 'HTTP', 'HTTPS', 'URI', 'URL', 'SHA-256', 'ISO 8601', 'UTC',
];

const IGNORED = [
  // E-mail addresses, also partly typed (anna@).
  /[\w.+-]*@[\w.-]*/g,
  // URLs and paths.
  /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi,
  /(?:^|\s)\/[\w./?=&%-]+/g,
  // Host names and file names (imap.gmail.com, server.crt), identifiers (client_secret_post, id_token).
  /\b[\w-]+(?:\.[\w-]+)+\b/g,
  /\b\w+_\w+\b/g,
  // Mail header names (In-Reply-To, List-*, Auto-Submitted), which stay as the standards spell them.
  /\b[A-Z][a-z]+(?:-[A-Z][a-z]*)+(?:-\*)?|\bList-\*/g,
  // Durations (82 ms).
  /\b\d+\s?ms\b/g,
  // Command-line options (-in, -noout).
  /(?:^|\s)--?[a-z][\w-]*/gi,
  new RegExp(`\\b(?:${PROPER_NOUNS.map((name) => name.replace(/[.+]/g, '\\$&')).join('|')})\\b`, 'g'),
];

/**
 * Words of a text run, lowercased: letters and apostrophes only, split on the French elision
 * (l’adresse → l, adresse) and on hyphens (e-mail → e, mail).
 */
function wordsOf(run: string): string[] {
  // A list of OAuth scopes (https://mail.google.com/ openid email) names them, in no language.
  let text = /(?:^|\s)openid(?:\s|$)/.test(run) ? run.replace(/(?<=^|\s)(?:openid|email|profile)(?=\s|$)/g, ' ') : run;
  for (const pattern of IGNORED) text = text.replace(pattern, ' ');
  return text
    .replaceAll('’', "'")
    .toLowerCase()
    .split(/[^a-zà-ÿœæ']+/)
    .flatMap((word) => {
      // English contractions keep their apostrophe; a French elision (l', d', qu') is its own word.
      if (FUNCTION_WORDS.has(word)) return [word];
      return word.split("'");
    })
    .filter(Boolean);
}

/** Whether one run of text (a line, a label) reads as English. */
export function isEnglish(run: string): boolean {
  const words = wordsOf(run);
  const vocabulary = words.filter((word) => ENGLISH_VOCABULARY.has(word)).length;
  return words.some((word) => FUNCTION_WORDS.has(word)) || (vocabulary > 0 && vocabulary * 2 >= words.length);
}

/** The runs of `text` (its lines) that read as English, trimmed, each once. */
export function englishRuns(text: string): string[] {
  const runs = text
    .split(/\n+/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  return [...new Set(runs.filter(isEnglish))];
}

/**
 * What a person reads on the page: the body's rendered text without code, kbd, pre and samp (values
 * shown as they are typed: identifiers, commands), the title, and what visible controls say only to
 * some (aria-label, title, placeholder, alt) or only once opened (a select's options).
 */
export function readableText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const visible = (element: Element) => element.checkVisibility();
    let text = document.body.innerText;
    for (const element of document.querySelectorAll<HTMLElement>('code, kbd, pre, samp')) {
      if (visible(element) && element.innerText.trim()) text = text.replace(element.innerText, '\n');
    }
    const extra: string[] = [document.title];
    for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')) {
      if (!visible(element)) continue;
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = element.getAttribute(name);
        if (value) extra.push(value);
      }
    }
    for (const select of document.querySelectorAll('select')) {
      if (visible(select)) extra.push(...[...select.options].map((option) => option.text));
    }
    return [text, ...extra].join('\n');
  });
}
