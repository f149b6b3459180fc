import type { NextRequest } from 'next/server';
import { errorResponse } from '@/lib/api/handler';
import { tokenStatusFilters } from '@/lib/api/endpoints/token-status';
import { getCurrentUser } from '@/lib/auth/session';
import { streamTokenStatusCsv } from '@/lib/tokens/find-token-statuses';
import { toFieldErrors } from '@/lib/validations/field-errors';

/** The token status list as filtered on the page, every page of it, streamed as CSV. Signed-in support and admins. */
export async function GET(request: NextRequest): Promise<Response> {
  const user = await getCurrentUser();
  if (!user) return errorResponse({ code: 'UNAUTHORIZED', message: 'Sign in first.' }, 401);
  if (user.role === 'owner') return errorResponse({ code: 'FORBIDDEN', message: 'The token status export is for support staff and admins.' }, 403);
  const parsed = tokenStatusFilters.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!parsed.success) return errorResponse({ code: 'INVALID_INPUT', message: 'Some filters are invalid.', fields: toFieldErrors(parsed.error) }, 422);
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
