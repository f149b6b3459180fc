import type { Metadata } from 'next';
import { Time } from '@/app/_components/time';
import { EmptyState, PageHeader, Table } from '@/app/_components/ui';
import { findAuditEvents } from '@/lib/audit/find-audit-events';
import { requireRole } from '@/lib/auth/session';
import { rowNumberCursor } from '@/lib/validations/common';

export const metadata: Metadata = { title: 'Audit' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requireRole('admin', 'support');
  const { before } = await searchParams;
  const cursor = rowNumberCursor.safeParse(before).data;
  const { events, nextCursor } = await findAuditEvents({ limit: 100, cursor });
  return (
    <>
      <PageHeader title="Audit" description="Who changed what, newest first." />
      {events.length === 0 ? (
        <EmptyState title="Nothing recorded yet">Every change made in Mailroom, by a person or by the system, is listed here.</EmptyState>
      ) : (
        <>
          <Table headers={['When', 'Who', 'What', 'Details']}>
            {events.map((event) => (
              <tr key={event.id}>
                <td data-label="When" className="whitespace-nowrap px-4 py-3 text-slate-600">
                  <Time value={event.at} />
                </td>
                <td data-label="Who" className="px-4 py-3 md:max-w-56">
                  <span className="block min-w-0 truncate" title={event.actorLabel}>
                    {event.actorLabel}
                  </span>
                </td>
                <td data-label="What" className="px-4 py-3 font-mono text-xs [overflow-wrap:anywhere]">
                  {event.action}
                </td>
                <td data-label="Details" className="px-4 py-3 font-mono text-xs text-slate-600 [overflow-wrap:anywhere]">
                  {JSON.stringify(event.detail)}
                </td>
              </tr>
            ))}
          </Table>
          {nextCursor ? (
            <a href={`/audit?before=${nextCursor}`} className="mt-3 inline-block text-sm text-indigo-700 hover:underline">
              Older events
            </a>
          ) : null}
        </>
      )}
    </>
  );
}
