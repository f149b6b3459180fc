export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export type Alert = {
  /** Stable, and the same for every audience, so a page can key on it and a test can look for it. */
  key: string;
  tone: 'bad' | 'warn';
  title: string;
  detail: string;
  href?: string;
  profileId?: string;
};

export const day = (date: Date) => date.toISOString().slice(0, 10);
export const minute = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
