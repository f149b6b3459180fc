import Link from 'next/link';
import { useLocale, useTimeZone, useTranslations } from 'next-intl';
import { toneOf } from '@/app/_components/status-badge';
import { Alert } from '@/app/_components/ui';
import { renderAlert, type Alert as AlertItem } from '@/lib/alerts/alert';

/** Alerts as a wall: what is wrong first, then where to act, in the viewer's language. */
export function AlertList({ alerts }: { alerts: AlertItem[] }) {
  const t = useTranslations('common.components');
  const locale = useLocale();
  const timeZone = useTimeZone();
  const reader = timeZone ? { locale, timeZone } : locale;
  if (alerts.length === 0) return null;
  return (
    <section aria-label={t('alerts')} className="mb-6 space-y-2">
      {alerts.map((item) => renderAlert(item, reader)).map((alert) => (
        <Alert key={alert.key} tone={toneOf(alert.tone)}>
          <p className="font-medium" data-alert={alert.key}>
            {alert.href ? (
              <Link href={alert.href} className="underline">
                {alert.title}
              </Link>
            ) : (
              alert.title
            )}
          </p>
          {alert.detail ? <p className="mt-1">{alert.detail}</p> : null}
        </Alert>
      ))}
    </section>
  );
}
