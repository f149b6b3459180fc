import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { apiLocale } from '@/lib/i18n/request-locale';
import { getTokenOverview } from '@/lib/tokens/overview';
import { renderFigureLabel } from '@/lib/tokens/render-token-status';

export const GET = apiRoute(endpoints.getTokenOverview, async ({ request }) => {
  const locale = apiLocale(request);
  return { figures: (await getTokenOverview()).map((figure) => ({ key: figure.key, label: renderFigureLabel(figure, locale), value: figure.value, href: figure.href })) };
});
