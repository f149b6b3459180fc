import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { getTokenOverview } from '@/lib/tokens/overview';

export const GET = apiRoute(endpoints.getTokenOverview, async () => ({
  figures: (await getTokenOverview()).map(({ key, label, value, href }) => ({ key, label, value, href })),
}));
