import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';
import { buildOpenApiDocument } from '@/lib/api/openapi';
import { getEnv } from '@/lib/env';

export const GET = apiRoute(endpoints.openapi, async () =>
  buildOpenApiDocument({ serverUrl: getEnv().MAILROOM_PUBLIC_URL }),
);
