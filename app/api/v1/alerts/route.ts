import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { renderAlert } from '@/lib/alerts/alert';
import { findAlerts } from '@/lib/alerts/find-alerts';
import { apiLocale } from '@/lib/i18n/request-locale';

export const GET = apiRoute(endpoints.listAlerts, async ({ request }) => ({
  data: (await findAlerts()).map((alert) => renderAlert(alert, apiLocale(request))),
}));
