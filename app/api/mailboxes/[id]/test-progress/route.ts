import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { errorResponse } from '@/lib/api/handler';
import { getCurrentUser } from '@/lib/auth/session';
import { AppError, problemOf } from '@/lib/errors';
import { requestReader } from '@/lib/i18n/request-locale';
import { phrase } from '@/lib/i18n/text';
import { getMailboxTest } from '@/lib/tester/test-mailbox';
import { id } from '@/lib/validations/common';

const progressQuery = z.object({ mailboxId: id, testId: id.optional() });

/**
 * What the mailbox page's test panel polls, signed in (the API twin, GET /api/v1/mailboxes/{id}/tests/{testId},
 * takes an API key): the test with the steps recorded so far, read from the database, so any
 * portal instance answers; without `testId`, the mailbox's newest test, or null.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const user = await getCurrentUser();
  const { locale } = await requestReader(user);
  if (!user) return errorResponse(problemOf('UNAUTHORIZED', phrase('problems.api.signInFirst')), 401, { locale });
  const parsed = progressQuery.safeParse({ mailboxId: (await params).id, testId: request.nextUrl.searchParams.get('testId') ?? undefined });
  if (!parsed.success) return errorResponse(problemOf('NOT_FOUND', phrase('problems.api.notFound')), 404, { locale });
  try {
    const test = await getMailboxTest({ viewer: user, mailboxId: parsed.data.mailboxId, testId: parsed.data.testId });
    return Response.json(test, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    if (error instanceof AppError) return errorResponse(error, error.status, { locale });
    throw error;
  }
}
