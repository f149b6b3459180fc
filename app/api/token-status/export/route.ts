import type { NextRequest } from 'next/server';
import { errorResponse } from '@/lib/api/handler';
import { tokenStatusFilters } from '@/lib/api/endpoints/token-status';
import { getCurrentUser } from '@/lib/auth/session';
import { problemOf } from '@/lib/errors';
import { requestReader } from '@/lib/i18n/request-locale';
import { phrase } from '@/lib/i18n/text';
import { streamTokenStatusCsv } from '@/lib/tokens/find-token-statuses';
import { toFieldErrors } from '@/lib/validations/field-errors';

/** The token status list as filtered on the page, every page of it, streamed as CSV. Signed-in support and admins. */
export async function GET(request: NextRequest): Promise<Response> {
  const user = await getCurrentUser();
  // A browser route: it answers in the viewer's language, as the page that links to it does.
  const { locale } = await requestReader(user);
  if (!user) return errorResponse(problemOf('UNAUTHORIZED', phrase('problems.api.signInFirst')), 401, { locale });
  if (user.role === 'owner') return errorResponse(problemOf('FORBIDDEN', phrase('problems.api.exportForbidden')), 403, { locale });
  const parsed = tokenStatusFilters.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!parsed.success) {
    return errorResponse({ ...problemOf('INVALID_INPUT', phrase('problems.api.invalidFilters')), fields: toFieldErrors(parsed.error) }, 422, { locale });
  }
  const { sort, ...filters } = parsed.data;
  const day = new Date().toISOString().slice(0, 10);
  return new Response(streamTokenStatusCsv({ viewer: user, filters, sort }), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="token-status-${day}.csv"`,
      'cache-control': 'no-store',
    },
  });
}
