import type { Locale } from '@/lib/i18n/locales';
import { renderText, type Text } from '@/lib/i18n/text';

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export type Alert = {
  /** Stable, and the same for every audience, so a page can key on it and a test can look for it. */
  key: string;
  tone: 'bad' | 'warn';
  title: Text;
  detail: Text;
  href?: string;
  profileId?: string;
};

/** An alert in one reader's language, as the API answers it. */
export type RenderedAlert = Omit<Alert, 'title' | 'detail'> & { title: string; detail: string };

export function renderAlert(alert: Alert, locale: Locale): RenderedAlert {
  return { ...alert, title: renderText(alert.title, locale), detail: renderText(alert.detail, locale) };
}

export const day = (date: Date) => date.toISOString().slice(0, 10);
export const minute = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
