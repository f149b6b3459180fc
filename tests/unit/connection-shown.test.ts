// Issue 16, item 4: "Connected" only says what is true, and a page says each sentence once.
import { describe, expect, it } from 'vitest';
import { withoutRepeatedSentences } from '@/lib/alerts/repeated-sentences';
import { connectionShown } from '@/lib/mailboxes/status';

const reason = (code: string) => ({ code, message: 'Refused.', hint: '', at: '2030-01-01T00:00:00.000Z' });

describe('connectionShown', () => {
  it('says connected only while neither the grant nor the last test says the credentials stopped working', () => {
    expect(connectionShown({ connection: 'connected', statusReason: null }, null)).toBe('connected');
    expect(connectionShown({ connection: 'connected', statusReason: reason('timeout') }, null)).toBe('connected');
    expect(connectionShown({ connection: 'connected', statusReason: reason('auth_failed') }, null)).toBe('credentials_refused');
    expect(connectionShown({ connection: 'connected', statusReason: reason('token_revoked') }, null)).toBe('credentials_refused');
    expect(connectionShown({ connection: 'connected', statusReason: null }, 'revoked')).toBe('needs_reconnect');
    expect(connectionShown({ connection: 'connected', statusReason: null }, 'refresh_failing')).toBe('refresh_failing');
  });

  it('keeps the stored state of a mailbox that is not connected', () => {
    expect(connectionShown({ connection: 'not_connected', statusReason: reason('auth_failed') }, null)).toBe('not_connected');
    expect(connectionShown({ connection: 'needs_reconnect', statusReason: null }, 'revoked')).toBe('needs_reconnect');
  });
});

describe('withoutRepeatedSentences', () => {
  it('drops from an alert the sentences the page already says, and keeps the rest', () => {
    const alerts = [{ key: 'client-refused', detail: 'The provider refused the app. Check the client id and client secret. Fix it on the profile.' }];
    expect(withoutRepeatedSentences(alerts, ['The provider refused the app.', 'Check the client id and client secret.'])).toEqual([
      { key: 'client-refused', detail: 'Fix it on the profile.' },
    ]);
    expect(withoutRepeatedSentences(alerts, [null, undefined])).toEqual(alerts);
  });
});
