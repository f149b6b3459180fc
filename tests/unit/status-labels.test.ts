// Issue 16, item 1: a mailbox's next step reads in the viewer's language, from the one decision of the status machine.
import { describe, expect, it } from 'vitest';
import { translatedNextStep } from '@/app/_components/status-labels';
import { renderText } from '@/lib/i18n/text';
import { nextStep, type MailboxProfile } from '@/lib/mailboxes/status';

const gmail: MailboxProfile = { serverType: 'gmail', authType: 'oauth2_code', clientError: null, clientSecretExpiresAt: null };
const imap: MailboxProfile = { serverType: 'custom', authType: 'password', clientError: null, clientSecretExpiresAt: null };
const connected = { approval: 'approved', connection: 'connected', status: 'inactive', statusReason: null } as const;

describe('next steps in the viewer’s language', () => {
  it('names the provider’s own button, in French, and reads on after “reconnect”', () => {
    expect(translatedNextStep('fr', { ...connected, connection: 'not_connected' }, gmail).label).toBe('Se connecter à Gmail');
    expect(translatedNextStep('fr', { ...connected, connection: 'needs_reconnect' }, gmail).label).toBe('Reconnexion nécessaire\u00a0: se connecter à Gmail');
    expect(translatedNextStep('fr', { ...connected, connection: 'not_connected' }, imap).label).toBe('Saisir le mot de passe de la boîte aux lettres');
    expect(translatedNextStep('fr', connected, gmail).label).toBe('Tester et activer');
    expect(translatedNextStep('fr', { ...connected, approval: 'pending' }, gmail).label).toBe('En attente d’approbation');
  });

  it('says whose move a failure is, as the status machine decides', () => {
    const failing = { ...connected, status: 'failing', statusReason: { code: 'dns', message: 'x', hint: '', at: '2026-11-29T13:05:00Z' } } as const;
    expect(translatedNextStep('fr', failing, gmail).label).toBe('En échec\u00a0: en attente de la correction par un administrateur');
    const owners = { ...failing, statusReason: { ...failing.statusReason, code: 'unknown' } } as const;
    expect(translatedNextStep('fr', owners, gmail).label).toBe('En échec\u00a0: testez de nouveau une fois le problème corrigé');
  });

  it('keeps everything but the label as the status machine gave it, and the same English the API says', () => {
    const state = { ...connected, connection: 'needs_reconnect' } as const;
    const { label: frenchLabel, ...rest } = translatedNextStep('fr', state, gmail);
    const { label, ...decided } = nextStep(state, gmail);
    expect(rest).toEqual(decided);
    expect(frenchLabel).not.toBe(renderText(label, 'en'));
    expect(translatedNextStep('en', state, gmail).label).toBe('Reconnect: connect to Gmail');
  });
});
