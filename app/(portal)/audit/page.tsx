import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { Time } from '@/app/_components/time';
import { EmptyState, PageHeader, Table } from '@/app/_components/ui';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { requireRole } from '@/lib/auth/session';
import { rowNumberCursor } from '@/lib/validations/common';
import { AuditDetail, useActionLabel } from './audit-detail';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('audit'))('title') };
}

function ActionName({ action }: { action: string }) {
  return useActionLabel()(action);
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requireRole('admin', 'support');
  const t = await getTranslations('audit');
  const { before } = await searchParams;
  const cursor = rowNumberCursor.safeParse(before).data;
  const { events, nextCursor } = await findAuditEvents({ limit: 100, cursor });
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      {events.length === 0 ? (
        <EmptyState title={t('empty.title')}>{t('empty.body')}</EmptyState>
      ) : (
        <>
          <Table headers={[t('columns.when'), t('columns.who'), t('columns.what'), t('columns.details')]}>
            {events.map((event) => (
              <tr key={event.id}>
                <td data-label={t('columns.when')} className="whitespace-nowrap px-4 py-3 text-slate-600">
                  <Time value={event.at} />
                </td>
                <td data-label={t('columns.who')} className="px-4 py-3 md:max-w-56">
                  <span className="block min-w-0 truncate" title={event.actorLabel}>
                    {event.actorLabel}
                  </span>
                </td>
                <td data-label={t('columns.what')} className="px-4 py-3 font-medium [overflow-wrap:anywhere]" data-action={event.action}>
                  <ActionName action={event.action} />
                </td>
                <td data-label={t('columns.details')} className="px-4 py-3 text-xs text-slate-700" data-testid="audit-detail">
                  <AuditDetail detail={event.detail} />
                </td>
              </tr>
            ))}
          </Table>
          {nextCursor ? (
            <a href={`/audit?before=${nextCursor}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
              {t('older')}
            </a>
          ) : null}
        </>
      )}
    </>
  );
}
