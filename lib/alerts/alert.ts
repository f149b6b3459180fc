import { renderText, type Reader, type Text } from '@/lib/i18n/text';

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

export function renderAlert(alert: Alert, reader: Reader): RenderedAlert {
  return { ...alert, title: renderText(alert.title, reader), detail: renderText(alert.detail, reader) };
}

