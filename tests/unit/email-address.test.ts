import { describe, expect, test } from 'vitest';
import { renderText } from '@/lib/i18n/text';
import { emailAddress } from '@/lib/validations/common';
import { issueText } from '@/lib/validations/field-errors';

const messages = (value: string, locale: 'en' | 'fr' = 'en') =>
  emailAddress.safeParse(value).error?.issues.map((issue) => renderText(issueText(issue), locale)) ?? [];

describe('email addresses', () => {
  test('are stored in lower case without surrounding spaces', () => {
    expect(emailAddress.parse('  Alice@Example.ORG ')).toBe('alice@example.org');
  });

  test('may be 254 characters long, not 255', () => {
    const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.example.org`;
    const longest = `${'a'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(longest).toHaveLength(254);
    expect(emailAddress.safeParse(longest).success).toBe(true);
    expect(messages(`a${longest}`)).toContain('An email address has at most 254 characters.');
  });

  test('have a local part of at most 64 characters', () => {
    expect(emailAddress.safeParse(`${'a'.repeat(64)}@example.org`).success).toBe(true);
    expect(messages(`${'a'.repeat(65)}@example.org`)).toContain('The part before @ has at most 64 characters.');
    expect(messages(`${'a'.repeat(65)}@example.org`, 'fr')).toContain('La partie avant @ comporte au plus 64 caractères.');
  });

  test('refuse control characters and missing parts', () => {
    for (const value of ['a\u0000b@example.org', 'alice@', '@example.org', 'alice example.org']) {
      expect(emailAddress.safeParse(value).success, value).toBe(false);
    }
  });
});
