import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { renderText } from '@/lib/i18n/text';
import { getTokenOverview } from '@/lib/tokens/overview';

export const GET = apiRoute(endpoints.getTokenOverview, async ({ request }) => {
  const locale = apiLocale(request);
  return { figures: (await getTokenOverview()).map((figure) => ({ key: figure.key, label: renderText(figure.label, locale), value: figure.value, href: figure.href })) };
});
