// Issue 16, item 1: what the provider, a connect and the token service say reads in either language.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { englishProblem, problemOf, renderProblem } from '@/lib/errors';
import { phrase, renderText } from '@/lib/i18n/text';
import en from '@/messages/en.json';
import fr from '@/messages/fr.json';

type Tree = { [key: string]: string | Tree };

async function sourcesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => path.join(entry.parentPath, entry.name));
  return Promise.all(files.map((file) => readFile(file, 'utf8')));
}

describe('OAuth failures, connect outcomes and token reasons in both languages', () => {
  test('every OAuthFailure group that lib/ names holds a message and a hint in English and in French', async () => {
    const sources = (await Promise.all(['lib/oauth', 'lib/connect', 'lib/tokens', 'lib/providers'].map(sourcesUnder))).flat().join('\n');
    const named = new Set([...sources.matchAll(/oauth\.failures\.(\w+)/g)].map((match) => match[1]!));
    expect(named.size).toBeGreaterThan(10);
    for (const catalogue of [en, fr] as Tree[]) {
      const failures = (catalogue.oauth as Tree).failures as Tree;
      for (const name of named) {
        expect(failures[name], name).toEqual({ message: expect.any(String), hint: expect.any(String) });
      }
    }
  });

  test('a provider’s refusal keeps its English for logs and reads in French with the provider’s own words', () => {
    const refusal = problemOf('invalid_grant', phrase('oauth.failures.invalidGrant', { said: 'invalid_grant: Token has been expired or revoked.' }));
    expect(refusal.message).toBe('The provider no longer accepts this mailbox’s authorization (invalid_grant: Token has been expired or revoked.).');
    expect(renderProblem(refusal, 'fr')).toEqual({
      code: 'invalid_grant',
      message: 'Le fournisseur n’accepte plus l’autorisation de cette boîte aux lettres (invalid_grant: Token has been expired or revoked.).',
      hint: 'Le consentement a été révoqué, a expiré ou a été remplacé\u00a0: le propriétaire connecte de nouveau la boîte aux lettres.',
    });
  });

  test('sentences that quote another one render it in the same language', () => {
    const failure = { key: 'oauth.failures.providerTimeout.message', values: { endpoint: 'token' } };
    const exchange = phrase('oauth.outcomes.exchangeFailed', { reason: failure, hint: { key: 'oauth.failures.providerTimeout.hint' } });
    expect(englishProblem(exchange).message).toBe('The authorization code could not be exchanged for tokens: The provider’s token endpoint did not answer in time.');
    expect(renderText({ key: 'oauth.outcomes.exchangeFailed.message', values: exchange.values }, 'fr')).toBe(
      'Le code d’autorisation n’a pas pu être échangé contre des jetons\u00a0: Le point de terminaison de jeton du fournisseur n’a pas répondu à temps.',
    );
  });

  test('literal braces and optional sentences keep the English they replaced', () => {
    expect(englishProblem(phrase('oauth.outcomes.tenantRequired')).hint).toBe(
      'An admin sets the profile’s tenant to the organization’s tenant id (a GUID; or its domain, with the issuer …/{tenant id}/v2.0), then connect again.',
    );
    expect(englishProblem(phrase('oauth.outcomes.connected', { account: 'a@b.test', kept: 'no' })).message).toBe('Connected as a@b.test.');
    expect(englishProblem(phrase('oauth.outcomes.connected', { account: 'a@b.test', kept: 'yes' })).message).toBe(
      'Connected as a@b.test. The provider sent no new refresh token; the one already stored for this account is kept.',
    );
    const changed = phrase('tokens.reasons.oauthAppChanged', {
      changed: phrase('tokens.reasons.fieldList', { first: phrase('tokens.reasons.fields.tokenEndpoint'), rest: phrase('tokens.reasons.fields.tenant') }),
    });
    expect(englishProblem(changed).message).toBe(
      "An admin changed the server profile's OAuth app (the token endpoint, the tenant): the mailbox's tokens were issued for the previous one and were deleted.",
    );
    expect(renderText({ key: 'tokens.reasons.oauthAppChanged.message', values: changed.values }, 'fr')).toContain('(le point de terminaison de jeton, le locataire)');
  });
});
