import { useFormatter, useTranslations } from 'next-intl';
import { toDate, type DateFormat, type Moment } from '@/lib/i18n/formats';

/**
 * A moment as the viewer reads it: in their language and time zone (lib/i18n/formats.ts), or
 * relative to now ("dans 3 jours"), with the exact moment in a tooltip and in `dateTime`. Renders
 * on the server or in the browser alike. No moment reads as a dash.
 */
export function Time({ value, format = 'dateTime' }: { value: Moment | null; format?: DateFormat | 'relative' }) {
  const formatter = useFormatter();
  const tDates = useTranslations('dates');
  if (value === null) return tDates('none');
  const date = toDate(value);
  return (
    <time dateTime={date.toISOString()} title={formatter.dateTime(date, { dateStyle: 'full', timeStyle: 'long' })}>
      {format === 'relative' ? formatter.relativeTime(date) : formatter.dateTime(date, format)}
    </time>
  );
}
