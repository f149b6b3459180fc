import { describe, expect, it } from 'vitest';
import { describeError } from '@/lib/logger';

describe('errors in log lines', () => {
  it('keep the name and first line, never the query parameters a database error carries after it', () => {
    const error = new Error('Failed query: insert into "mailboxes" ("password") values ($1)\nparams: v1:abcd:secret-ciphertext');
    expect(describeError(error)).toBe('Error: Failed query: insert into "mailboxes" ("password") values ($1)');
    expect(describeError(error)).not.toContain('secret-ciphertext');
    expect(describeError('plain\nsecond line')).toBe('plain');
  });
});
