// Issue 16, item 1: what the API says about a mailbox, in the language the request asks for, with the same codes.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as alertsRoute from '@/app/api/v1/mailboxes/[id]/alerts/route';
import * as mailboxRoute from '@/app/api/v1/mailboxes/[id]/route';
import * as timelineRoute from '@/app/api/v1/mailboxes/[id]/timeline/route';
import * as importRoute from '@/app/api/v1/mailboxes/import/route';
import type { Mailbox, ServerProfile } from '@/db/schema';
import { db } from '@/db';
import { COMMAND_LINE_ACTOR } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { SecretDecryptionError } from '@/lib/crypto/secrets';
import { recordUnreadablePassword } from '@/lib/mailboxes/unreadable-password';
import { callRoute } from '../helpers/api';
import { insertMailboxRow, insertProfile, userWithKey } from '../helpers/fixtures';
import { importThroughApi, readImport, workImportJobs } from '../helpers/mailbox-import';
import { waitUntil } from '../helpers/wait-until';

const FRENCH = { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.8' };

let admin: Awaited<ReturnType<typeof userWithKey>>;
let owner: Awaited<ReturnType<typeof userWithKey>>;
let imap: ServerProfile;
let mailbox: Mailbox;

const get = (id: string, headers?: Record<string, string>) =>
  callRoute(mailboxRoute.GET, { path: `/api/v1/mailboxes/${id}`, key: owner.key, params: { id }, headers });

beforeAll(async () => {
  admin = await userWithKey('admin@example.org', 'admin');
  owner = await userWithKey('owner@example.org', 'owner');
  imap = await insertProfile({ name: 'Branch IMAP', serverType: 'custom', authType: 'password', clientId: null, scopes: [], isDefault: true });
  mailbox = await insertMailboxRow(owner.user, imap, { password: 'not a ciphertext of this row' });
  // A password copied from another mailbox's row: it never decrypts here, so the owner enters it again.
  const place = { table: 'mailboxes', column: 'password', rowId: mailbox.id };
  await recordUnreadablePassword(mailbox.id, new SecretDecryptionError('other_place', 'bound to another row', place));
});

describe('a failing mailbox through the API', () => {
  it('gives its status reason and next step in French when asked, with the same codes', async () => {
    const { status, json } = await get(mailbox.id, FRENCH);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      status: 'failing',
      connection: 'needs_reconnect',
      statusReason: {
        code: 'secret_unreadable',
        message: 'Le mot de passe stocké de cette boîte aux lettres ne peut pas être déchiffré (il a été modifié, ou copié depuis une autre boîte aux lettres).',
        hint: 'Le propriétaire saisit de nouveau le mot de passe.',
      },
      nextStep: 'Reconnexion nécessaire\u00a0: saisir le mot de passe de la boîte aux lettres',
    });
    // The answer keeps its shape: no message keys leak into it.
    expect(Object.keys(json.statusReason).sort()).toEqual(['at', 'code', 'hint', 'message']);
  });

  it('stays in English for a client that asks for no language', async () => {
    const { json } = await get(mailbox.id);
    expect(json.statusReason).toMatchObject({ code: 'secret_unreadable', message: expect.stringMatching(/^The stored password of this mailbox cannot be decrypted/) });
    expect(json.nextStep).toBe('Reconnect: enter the mailbox password');
  });
});

describe('a mailbox’s timeline and alerts through the API', () => {
  it('tells its story in French when asked', async () => {
    const { status, json } = await callRoute(timelineRoute.GET, { path: `/api/v1/mailboxes/${mailbox.id}/timeline`, key: admin.key, params: { id: mailbox.id }, headers: FRENCH });
    expect(status).toBe(200);
    expect(json.data[0]).toMatchObject({ kind: 'failure', title: 'Jeton refusé\u00a0: reconnexion nécessaire', testId: null });
    expect(Object.keys(json.data[0]).sort()).toEqual(['actor', 'at', 'detail', 'kind', 'testId', 'title']);
  });

  it('says what an audited change was, field by field, in French when asked and in English otherwise', async () => {
    await recordAuditEvent(db, {
      actor: COMMAND_LINE_ACTOR,
      action: 'mailbox.update',
      target: { type: 'mailbox', id: mailbox.id },
      mailboxId: mailbox.id,
      detail: { address: mailbox.address, shared: { from: false, to: true }, password: 'set' },
    });
    const changeOf = async (headers?: Record<string, string>) => {
      const { json } = await callRoute(timelineRoute.GET, { path: `/api/v1/mailboxes/${mailbox.id}/timeline`, key: admin.key, params: { id: mailbox.id }, headers });
      return json.data.find((entry: { detail: string | null }) => entry.detail?.includes(mailbox.address));
    };
    // The stored detail (jsonb) keeps its own order of fields: the lines are compared as a set.
    const lines = (entry: { detail: string }) => entry.detail.split(' · ').sort();
    const french = await changeOf(FRENCH);
    expect(french.kind).toBe('change');
    expect(lines(french)).toEqual([`Adresse\u00a0: ${mailbox.address}`, 'Boîte aux lettres partagée\u00a0: non → oui', 'Mot de passe\u00a0: modifié']);
    expect(lines(await changeOf())).toEqual([`Address: ${mailbox.address}`, 'Password: changed', 'Shared mailbox: no → yes']);
  });

  it('words a profile’s incident for the owner in French when asked', async () => {
    const profile = await insertProfile({ name: 'Old Gmail', clientSecretExpiresAt: new Date(Date.now() - 24 * 3600 * 1000) });
    const expired = await insertMailboxRow(owner.user, profile);
    const call = (headers?: Record<string, string>) =>
      callRoute(alertsRoute.GET, { path: `/api/v1/mailboxes/${expired.id}/alerts`, key: owner.key, params: { id: expired.id }, headers });
    const [french] = (await call(FRENCH)).json.data;
    expect(french).toMatchObject({ key: `client-secret:${profile.id}`, tone: 'bad', title: expect.stringMatching(/^L’accès de Mailroom aux boîtes aux lettres de Old Gmail a expiré le \d{1,2} \S+ \d{4}$/) });
    expect(french.detail).toMatch(/Votre boîte aux lettres n’en est pas la cause, et vous n’avez rien à faire\.$/);
    const [english] = (await call()).json.data;
    expect(english).toMatchObject({ key: french.key, title: expect.stringMatching(/^Mailroom’s access for the mailboxes on Old Gmail expired on /) });
  });
});

describe('an import preview in French', () => {
  const preview = (csv: string) =>
    callRoute(importRoute.POST, { method: 'POST', path: '/api/v1/mailboxes/import?dryRun=true', key: admin.key, body: { csv }, headers: FRENCH });

  beforeAll(workImportJobs);

  it('explains each refused or skipped row in French', async () => {
    const csv = ['address,owner email,profile', `${mailbox.address},owner@example.org,`, 'not-an-address,owner@example.org,', 'dan@example.org,nobody@example.org,', 'erin@example.org,owner@example.org,Nope'].join('\n');
    const json = await importThroughApi(csv, { key: admin.key, dryRun: true, headers: FRENCH });
    expect(json.rows.map((row: { outcome: string; reason: string | null }) => [row.outcome, row.reason])).toEqual([
      ['skipped', 'Une boîte aux lettres avec cette adresse existe déjà.'],
      ['refused', 'Adresse «\u00a0not-an-address\u00a0» non valide.'],
      ['refused', 'Propriétaire nobody@example.org inconnu\u00a0: ajoutez d’abord la personne sur la page Utilisateurs.'],
      ['refused', 'Profil «\u00a0Nope\u00a0» inconnu.'],
    ]);
  });

  it('takes `?dryRun=true` as a preview, and answers an unknown import in French', async () => {
    const { status, json } = await preview('address,owner email\nfred@example.org,owner@example.org\n');
    expect(status).toBe(202);
    const finished = await waitUntil('the preview to finish', async () => {
      const read = await readImport(json.jobId, admin.key, FRENCH);
      return read.json.state === 'completed' ? read.json : undefined;
    });
    expect(finished).toMatchObject({ dryRun: true, summary: { created: 1, skipped: 0, refused: 0 } });
    const unknown = await readImport(randomUUID(), admin.key, FRENCH);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^Aucune importation/) });
  });

  it('refuses a malformed file in French, with the same code', async () => {
    const { status, json } = await preview('mailbox\nkim@example.org\n');
    expect(status).toBe(422);
    expect(json.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Le fichier n’a pas été importé\u00a0: la première ligne doit nommer les colonnes\u00a0: address, owner email et, si besoin, profile (il manque owner email).',
      fields: { csv: ['la première ligne doit nommer les colonnes\u00a0: address, owner email et, si besoin, profile (il manque owner email).'] },
    });
  });
});
