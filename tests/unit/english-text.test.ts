// Issue 16, acceptance 1: the check that finds English on a French page flags English and never French.
import { describe, expect, it } from 'vitest';
import { englishRuns, isEnglish } from '../helpers/english-text';
import { renderedMessages } from '../helpers/messages';

describe('finding English on a French page', () => {
  it('never flags a French message of the portal', () => {
    const flagged = [...renderedMessages('fr')].filter(([, text]) => isEnglish(text)).map(([key, text]) => `${key}: ${text}`);
    expect(flagged).toEqual([]);
  });

  it('flags nearly every English sentence of the portal', () => {
    const sentences = [...renderedMessages('en').values()].filter((text) => text.split(/\s+/).length >= 4);
    const missed = sentences.filter((text) => !isEnglish(text));
    expect(sentences.length).toBeGreaterThan(100);
    expect(missed.length / sentences.length, `missed:\n${missed.join('\n')}`).toBeLessThanOrEqual(0.05);
  });

  it('flags the English a lib/ module would leave on a French page', () => {
    expect(
      ['Name resolution', 'Connected as alice@gmail.lab.test.', 'The provider refused the grant: the mailbox needs a reconnect by its owner.', 'Open INBOX', '✓ TCP connect (8 ms)', 'Token status', 'Email', 'Mailbox'].filter(
        (text) => !isEnglish(text),
      ),
    ).toEqual([]);
  });

  it('leaves addresses, URLs, host names, identifiers and proper nouns alone', () => {
    expect(
      [
        'alice@gmail.lab.test',
        'https://accounts.google.com/o/oauth2/v2/auth',
        'http://127.0.0.1:4010/google/token',
        '/mailboxes/4f2a/timeline',
        'imap.gmail.com:993, TLS',
        'https://mail.google.com/ openid email offline_access',
        'client_secret_post',
        'Google Workspace',
        'Microsoft 365',
        'OAuth 2.0, IMAP, POP3, SMTP, STARTTLS',
        'Mailroom',
        'openssl x509 -in server.crt -noout -fingerprint -sha256',
      ].filter(isEnglish),
    ).toEqual([]);
  });

  it('returns the English lines of a page, each once', () => {
    const page = ['Boîtes aux lettres', 'Your mailbox is connected.', 'Étape suivante', 'Your mailbox is connected.', 'Tester et activer'].join('\n');
    expect(englishRuns(page)).toEqual(['Your mailbox is connected.']);
  });
});
