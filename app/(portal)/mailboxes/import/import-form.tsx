'use client';

import { useTranslations } from 'next-intl';
import { useActionState, useState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { StatusBadge, toneOf } from '@/app/_components/status-badge';
import { useRenderText } from '@/app/_components/use-text';
import { Button, EmptyState, Table, TextAreaField } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { importMailboxesAction } from '../actions';

const OUTCOME_TONES = { created: 'good', skipped: 'neutral', refused: 'bad' } as const;

export function ImportForm() {
  const t = useTranslations('mailboxes.import');
  const render = useRenderText();
  const [state, action, pending] = useActionState(importMailboxesAction, IDLE);
  const [csv, setCsv] = useState('');
  const result = state.status === 'success' ? state.data : undefined;
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <div className="space-y-6">
      <form action={action} className="space-y-4">
        <div>
          <label htmlFor="csv-file" className="block text-sm font-medium text-slate-800">
            {t('file')}
          </label>
          <input
            id="csv-file"
            type="file"
            accept=".csv,text/csv"
            className="mt-1 block text-sm"
            onChange={async (event) => setCsv((await event.target.files?.[0]?.text()) ?? '')}
          />
        </div>
        <TextAreaField
          label={t('paste')}
          name="csv"
          rows={8}
          value={csv}
          onChange={(event) => setCsv(event.target.value)}
          errors={errors?.csv}
          placeholder={'address,owner email,profile\nanna@example.org,anna@example.org,Gmail'}
        />
        <div className="flex gap-2">
          <Button type="submit" name="dryRun" value="true" disabled={pending || csv.trim() === ''}>
            {t('preview')}
          </Button>
          <Button type="submit" name="dryRun" value="false" variant="primary" disabled={pending || !result?.dryRun}>
            {t('import')}
          </Button>
        </div>
      </form>
      <ActionMessage state={state} />
      {!result ? (
        <EmptyState title={t('emptyTitle')}>{t('emptyBody')}</EmptyState>
      ) : result.rows.length === 0 ? (
        <EmptyState title={t('noRowsTitle')}>{t('noRowsBody')}</EmptyState>
      ) : (
        <Table headers={[t('columns.line'), t('columns.address'), t('columns.owner'), t('columns.profile'), result.dryRun ? t('columns.wouldBe') : t('columns.result'), t('columns.why')]}>
          {result.rows.map((row) => (
            <tr key={row.line}>
              <td className="px-4 py-2">{row.line}</td>
              <td className="px-4 py-2">{row.address}</td>
              <td className="px-4 py-2">{row.ownerEmail}</td>
              <td className="px-4 py-2">{row.profile ?? t('defaultProfile')}</td>
              <td className="px-4 py-2">
                <StatusBadge tone={toneOf(OUTCOME_TONES[row.outcome])}>{t(`outcomes.${row.outcome}`)}</StatusBadge>
              </td>
              <td className="px-4 py-2 text-slate-600">{row.reason === null ? null : render.text(row.reason)}</td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}
