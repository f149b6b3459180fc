import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { AppError, renderProblem } from '@/lib/errors';
import { renderText } from '@/lib/i18n/text';
import { toFieldErrors } from '@/lib/validations/field-errors';

describe('Words written in lib/ and read in either language', () => {
  test('a problem with a key renders in the reader’s language, and keeps English for logs', () => {
    const error = new AppError('INTERNAL', { key: 'problems.internal' });
    expect(error.message).toBe('Something went wrong on our side. The error was logged.');
    expect(renderProblem(error, 'fr').message).toBe('Une erreur s’est produite de notre côté. Elle a été journalisée.');
  });

  test('a stored problem whose key the messages no longer hold keeps its stored English', () => {
    const stored = { code: 'x', message: 'Stored long ago.', hint: 'Do this.', key: 'problems.removedLongAgo' };
    expect(renderProblem(stored, 'fr')).toEqual({ code: 'x', message: 'Stored long ago.', hint: 'Do this.' });
  });

  test('zod’s own messages become ours, with the limits they name', () => {
    const parsed = z.object({ name: z.string().min(3), email: z.email(), port: z.number().max(65535) }).safeParse({ name: 'ab', email: 'no', port: 70000 });
    const fields = toFieldErrors(parsed.error!);
    const render = (locale: 'en' | 'fr') => Object.fromEntries(Object.entries(fields).map(([name, texts]) => [name, texts.map((text) => renderText(text, locale))]));
    expect(render('fr')).toEqual({
      name: ['Saisissez au moins 3 caractères.'],
      email: ['Saisissez une adresse e-mail valide.'],
      port: ['Saisissez 65535 ou moins.'],
    });
    expect(render('en').email).toEqual(['Enter a valid email address.']);
  });

  test('a missing field is required, in both languages', () => {
    const parsed = z.object({ name: z.string() }).safeParse({});
    const [text] = toFieldErrors(parsed.error!).name!;
    expect([renderText(text!, 'en'), renderText(text!, 'fr')]).toEqual(['This field is required.', 'Ce champ est obligatoire.']);
  });

  test('a schema’s own message key renders with the issue’s values', () => {
    const parsed = z.object({ name: z.string().min(1, 'validation.zod.required') }).safeParse({ name: '' });
    expect(renderText(toFieldErrors(parsed.error!).name![0]!, 'fr')).toBe('Ce champ est obligatoire.');
  });

  test('a sentence inside a sentence is rendered too', () => {
    const text = { key: 'validation.zod.invalid_value', values: { options: { key: 'validation.zod.custom' } } };
    expect(renderText(text, 'fr')).toBe('Choisissez parmi : Cette valeur n’est pas valide..');
  });
});
