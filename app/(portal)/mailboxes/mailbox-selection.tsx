'use client';

import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { useActionState, useState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { Button, Table } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { APPROVAL_TONES, CONNECTION_TONES, STATUS_TONES } from '@/app/_components/mailbox-tones';
import type { ShownNextStep } from '@/app/_components/status-labels';
import type { ConnectionShown, MailboxState } from '@/lib/mailboxes/status';
import { bulkTestMailboxesAction, decideMailboxesAction, moveMailboxesAction } from './actions';

type Row = {
  id: string;
  address: string;
  ownerEmail: string;
  profileName: string;
  approval: MailboxState['approval'];
  connection: ConnectionShown;
  status: MailboxState['status'];
  nextStep: ShownNextStep;
};

/**
 * The mailbox table for admins and support, with a selection: both may test and activate it;
 * approving, rejecting and moving are for admins (`canManage`).
 */
export function MailboxSelection({ rows, canManage, profiles }: { rows: Row[]; canManage: boolean; profiles: { id: string; label: string }[] }) {
  const t = useTranslations('status');
  const tm = useTranslations('mailboxes.selection');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [decideState, decide, deciding] = useActionState(decideMailboxesAction, IDLE);
  const [moveState, move, moving] = useActionState(moveMailboxesAction, IDLE);
  const [testState, test, testing] = useActionState(bulkTestMailboxesAction, IDLE);
  const connectedSelected = rows.filter((row) => selected.has(row.id) && row.connection !== 'not_connected').length;
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const ids = [...selected].map((id) => <input key={id} type="hidden" name="ids" value={id} />);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm">
        <span className="text-slate-600">{tm('selected', { count: selected.size })}</span>
        <form action={test}>
          {[...selected].map((id) => (
            <input key={id} type="hidden" name="mailboxIds" value={id} />
          ))}
          <Button type="submit" variant="primary" disabled={testing || selected.size === 0}>
            {testing ? tm('queuing') : tm('test')}
          </Button>
        </form>
        {canManage ? (
          <>
            <form action={decide} className="flex flex-wrap gap-2">
              {ids}
              <Button type="submit" name="decision" value="approve" disabled={deciding || selected.size === 0}>
                {tm('approve')}
              </Button>
              <Button type="submit" name="decision" value="reject" variant="danger" disabled={deciding || selected.size === 0}>
                {tm('reject')}
              </Button>
            </form>
            <form
              action={move}
              className="flex min-w-0 flex-wrap items-center gap-2"
              onSubmit={(event) => {
                if (
                  connectedSelected > 0 &&
                  !window.confirm(tm('confirmMove', { count: connectedSelected }))
                ) {
                  event.preventDefault();
                }
              }}
            >
              {ids}
              <label htmlFor="move-profile" className="text-slate-600">
                {tm('moveTo')}
              </label>
              <select id="move-profile" name="profileId" className="min-w-0 max-w-full rounded-md border border-slate-300 px-2 py-1.5 md:max-w-xs">
                {profiles.map((profile) => (
                  <option key={profile.id} value={profile.id}>
                    {profile.label}
                  </option>
                ))}
              </select>
              <Button type="submit" disabled={moving || selected.size === 0 || profiles.length === 0}>
                {tm('move')}
              </Button>
            </form>
            {connectedSelected > 0 ? (
              <span className="text-amber-800">{tm('connectedWarning', { count: connectedSelected })}</span>
            ) : null}
          </>
        ) : null}
      </div>
      {[decideState, moveState, testState].map((state, index) => (
        <ActionMessage key={index} state={state} />
      ))}
      <Table headers={['', tm('columns.address'), tm('columns.profile'), tm('columns.status'), tm('columns.nextStep')]}>
        {rows.map((row) => (
          <tr key={row.id}>
            <td className="px-4 py-3">
              <input type="checkbox" aria-label={tm('select', { address: row.address })} checked={selected.has(row.id)} onChange={() => toggle(row.id)} />
            </td>
            <td data-label={tm('columns.address')} className="px-4 py-3 md:max-w-64">
              <div className="min-w-0">
                <Link href={`/mailboxes/${row.id}`} title={row.address} className="block truncate font-medium hover:underline">
                  {row.address}
                </Link>
                <p className="truncate text-xs text-slate-600" title={row.ownerEmail}>
                  {row.ownerEmail}
                </p>
              </div>
            </td>
            <td data-label={tm('columns.profile')} className="px-4 py-3 md:max-w-48">
              <span className="block min-w-0 truncate" title={row.profileName}>
                {row.profileName}
              </span>
            </td>
            <td data-label={tm('columns.status')} className="px-4 py-3">
              {/* Approval, connection and status in one column: a column each would not fit 1280 px. */}
              <div className="flex flex-col items-start gap-1">
                <StatusBadge tone={APPROVAL_TONES[row.approval]}>{t(`approval.${row.approval}`)}</StatusBadge>
                <StatusBadge tone={CONNECTION_TONES[row.connection]}>{t(`connection.${row.connection}`)}</StatusBadge>
                <StatusBadge tone={STATUS_TONES[row.status]}>{t(`mailbox.${row.status}`)}</StatusBadge>
              </div>
            </td>
            <td data-label={tm('columns.nextStep')} className="px-4 py-3">
              <StatusBadge tone={toneOf(row.nextStep.tone)}>{row.nextStep.label}</StatusBadge>
            </td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
