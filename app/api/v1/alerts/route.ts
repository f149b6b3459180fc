import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { findAlerts } from '@/lib/alerts/find-alerts';

export const GET = apiRoute(endpoints.listAlerts, async () => ({ data: await findAlerts() }));
