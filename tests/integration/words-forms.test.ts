// Issue 16, item 1 (forms): a profile's field errors, notices and problems read in the language the
// API client asks for (Accept-Language), with the same codes and field names; English stays the default.
import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import * as profileRoute from '@/app/api/v1/profiles/[id]/route';
import * as profilesRoute from '@/app/api/v1/profiles/route';
import { userWithKey } from '../helpers/fixtures';

let adminKey: string;

beforeAll(async () => {
  adminKey = (await userWithKey('words-admin@example.org', 'admin')).key;
});

type Handler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read each answer field by field, as a client would
async function call(handler: Handler, { method = 'GET', path, body, language, params = {} }: { method?: string; path: string; body?: unknown; language?: string; params?: Record<string, string> }): Promise<{ status: number; json: any }> {
  const headers = new Headers({ authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' });
  if (language) headers.set('accept-language', language);
  const request = new NextRequest(new URL(path, 'http://127.0.0.1'), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const response = await handler(request, { params: Promise.resolve(params) });
  return { status: response.status, json: await response.json() };
}

const create = (body: unknown, language?: string) => call(profilesRoute.POST, { method: 'POST', path: '/api/v1/profiles', body, language });

/** A Microsoft 365 profile whose fields have the wrong form (the rules between fields run once they have the right one). */
const malformed = { name: 'Contoso', serverType: 'microsoft365', mailboxCap: 0, incoming: { host: 'imaps://outlook.office365.com', port: 99999 } };
/** A Microsoft 365 profile whose fields disagree with its server type. */
const againstTheRules = { name: 'Contoso', serverType: 'microsoft365', authType: 'password', tenant: 'not a tenant' };

async function bothLanguages(body: unknown) {
  const [english, french] = await Promise.all([create(body), create(body, 'fr-FR,fr;q=0.9,en;q=0.5')]);
  for (const answer of [english, french]) {
    expect(answer.status).toBe(422);
    expect(answer.json.error.code).toBe('INVALID_INPUT');
  }
  expect(Object.keys(french.json.error.fields).sort()).toEqual(Object.keys(english.json.error.fields).sort());
  expect(english.json.error.message).toBe('Some fields are invalid.');
  expect(french.json.error.message).toBe('Certains champs ne sont pas valides.');
  return { english: english.json.error.fields, french: french.json.error.fields };
}

describe('a profile with bad fields', () => {
  it('answers in French when asked, with the same code and field names as in English', async () => {
    const { english, french } = await bothLanguages(malformed);
    expect(english).toEqual({
      'incoming.port': ['Enter a port from 1 to 65535.'],
      'incoming.host': ['Enter the host name alone, without a scheme such as imaps://.'],
      mailboxCap: ['Enter a cap from 1 to 100000.'],
    });
    expect(french).toEqual({
      'incoming.port': ['Saisissez un port compris entre 1 et 65535.'],
      'incoming.host': ['Saisissez le nom d’hôte seul, sans schéma comme imaps://.'],
      mailboxCap: ['Saisissez une limite comprise entre 1 et 100000.'],
    });
  });

  it('says what the server type refuses in French too', async () => {
    const { english, french } = await bothLanguages(againstTheRules);
    expect(english).toMatchObject({
      authType: ['Microsoft 365 no longer accepts passwords (basic authentication) for IMAP, POP and SMTP: use OAuth 2.0.'],
      tenant: [expect.stringMatching(/^Enter the tenant: common, organizations, consumers/)],
    });
    expect(french).toMatchObject({
      authType: ['Microsoft 365 n’accepte plus les mots de passe (authentification de base) pour IMAP, POP et SMTP : utilisez OAuth 2.0.'],
      tenant: [expect.stringMatching(/^Saisissez le locataire\u00a0: common, organizations, consumers/)],
    });
  });

  it('names a provider’s pinned hosts in French', async () => {
    const { status, json } = await create(
      { name: 'Gmail', serverType: 'gmail', clientId: 'x.apps.googleusercontent.com', clientSecret: 'secret-value-1234', endpoints: { token: 'https://evil.example/token' } },
      'fr',
    );
    expect(status).toBe(422);
    expect(json.error.fields).toMatchObject({
      'endpoints.token': [expect.stringMatching(/^Les profils Google ne joignent que Google : utilisez https:\/\/ sur accounts\.google\.com, /)],
    });
  });
});

describe('what a change did, and what is missing', () => {
  it('tells in French that the client secret was cleared by a new token endpoint', async () => {
    const created = await create({
      name: 'Custom OAuth words',
      serverType: 'custom',
      authType: 'oauth2_code',
      clientId: 'custom-app',
      clientSecret: 'custom-secret-value-0001',
      scopes: ['mail'],
      endpoints: { authorization: 'https://id.example.org/authorize', token: 'https://id.example.org/token' },
      incoming: { host: 'mail.example.org' },
      outgoing: { host: 'mail.example.org' },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const patch = (body: unknown, language?: string) => call(profileRoute.PATCH, { method: 'PATCH', path: `/api/v1/profiles/${id}`, params: { id }, body, language });

    const french = await patch({ endpoints: { token: 'https://id2.example.org/token' }, clientId: 'other-app' }, 'fr');
    expect(french.status).toBe(200);
    expect(french.json.notices).toEqual([
      'La clé secrète client a été effacée : saisissez-la de nouveau, car le point de terminaison de jeton et l’ID client ont changé.',
    ]);
    await patch({ clientSecret: 'custom-secret-value-0002' });
    const english = await patch({ endpoints: { token: 'https://id3.example.org/token' } });
    expect(english.json.notices).toEqual(['The client secret was cleared: enter it again, because the token endpoint changed.']);
  });

  it('says in French that a profile was not found, with the same code', async () => {
    const id = randomUUID();
    const [english, french] = await Promise.all(
      [undefined, 'fr'].map((language) => call(profileRoute.GET, { path: `/api/v1/profiles/${id}`, params: { id }, language })),
    );
    expect(english).toEqual({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'The server profile was not found.' } } });
    expect(french).toEqual({ status: 404, json: { error: { code: 'NOT_FOUND', message: 'Le profil de serveur est introuvable.' } } });
  });
});
