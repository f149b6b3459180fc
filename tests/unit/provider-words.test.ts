// Issue 16, item 1: what the provider descriptors and the profile notices say, in both languages.
import { describe, expect, it } from 'vitest';
import { hasMessage, renderText } from '@/lib/i18n/text';
import { grantsEndedNotice, secretClearedNotice } from '@/lib/profiles/destination';
import { PROVIDER_IDS, PROVIDERS } from '@/lib/providers';

describe('provider words', () => {
  const keys = PROVIDER_IDS.flatMap((id) => {
    const provider = PROVIDERS[id];
    return [
      `providers.${id}.label`,
      ...Object.values(provider.authTypeRefusals).map((group) => `${group}.message`),
      provider.authTypeHint,
      provider.publicClientRefusal,
      provider.tenant?.problem,
      provider.tenant?.formHint,
      provider.testingApps?.publishingHint,
      provider.testingApps?.capHint,
    ].filter((key): key is string => typeof key === 'string');
  });

  it.each(keys)('%s is a sentence in English and in French', (key) => {
    expect(hasMessage(key, 'en')).toBe(true);
    expect(hasMessage(key, 'fr')).toBe(true);
  });

  it('lists every server type where a request names a wrong one', () => {
    for (const locale of ['en', 'fr'] as const) {
      const message = renderText({ key: 'validation.profile.serverType' }, locale);
      for (const id of PROVIDER_IDS) expect(message).toContain(id);
    }
  });

  it('names the Custom server type in French', () => {
    expect(renderText({ key: 'providers.custom.label' }, 'fr')).toBe('Personnalisé (IMAP ou POP3 et SMTP)');
  });
});

describe('profile notices', () => {
  it('list the changed fields in the reader’s language, with the verb agreeing in French', () => {
    const notice = secretClearedNotice(['endpoints.token', 'issuer', 'clientId'], 'before');
    expect(renderText(notice, 'en')).toBe(
      'The client secret must be entered again because the token endpoint, the issuer and the client id changed: type it above, or it will be cleared when you save.',
    );
    expect(renderText(notice, 'fr')).toBe(
      'La clé secrète client doit être saisie de nouveau, car le point de terminaison de jeton, l’émetteur et l’ID client ont changé : saisissez-la ci-dessus, sinon elle sera effacée à l’enregistrement.',
    );
    expect(renderText(secretClearedNotice(['tenant'], 'done'), 'fr')).toBe(
      'La clé secrète client a été effacée : saisissez-la de nouveau, car le locataire a changé.',
    );
  });

  it('count the mailboxes that must reconnect', () => {
    expect(renderText(grantsEndedNotice(1, 'done'), 'en')).toBe(
      '1 connected mailbox must reconnect: its tokens were issued for the previous OAuth settings and were deleted.',
    );
    expect(renderText(grantsEndedNotice(3, 'before'), 'fr')).toBe(
      '3 boîtes aux lettres connectées devront se reconnecter : leurs jetons ont été émis pour les paramètres OAuth actuels et seront supprimés.',
    );
  });
});
