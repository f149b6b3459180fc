import { useTranslations } from 'next-intl';
import { StatusBadge } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { EmptyState, Table } from '@/app/_components/ui';
import type { findApiKeys } from '@/lib/auth/api-keys';
import { RevokeApiKeyButton } from './account-forms';

type ApiKeyRow = Awaited<ReturnType<typeof findApiKeys>>['keys'][number];

/** Keys as people tell them apart: name, first characters, dates and state; never the key itself. */
export function ApiKeyTable({ keys, showUser }: { keys: ApiKeyRow[]; showUser: boolean }) {
  const t = useTranslations('account.apiKeys');
  const tDates = useTranslations('dates');
  if (keys.length === 0) {
    return (
      <EmptyState title={showUser ? t('empty.allTitle') : t('empty.ownTitle')}>{showUser ? t('empty.allBody') : t('empty.ownBody')}</EmptyState>
    );
  }
  const columns = (['key', ...(showUser ? (['user'] as const) : []), 'created', 'expires', 'lastUsed', 'status'] as const).map((column) => t(`columns.${column}`));
  return (
    <Table headers={[...columns, '']}>
      {keys.map((key) => (
        <tr key={key.id}>
          <td className="px-4 py-3">
            <p className="font-medium">{key.name}</p>
            <p className="font-mono text-xs text-slate-500">{key.prefix}…</p>
          </td>
          {showUser ? <td className="px-4 py-3">{key.userEmail}</td> : null}
          <td className="px-4 py-3 text-slate-600">
            <Time value={key.createdAt} />
          </td>
          <td className="px-4 py-3 text-slate-600">{key.expiresAt ? <Time value={key.expiresAt} /> : tDates('never')}</td>
          <td className="px-4 py-3 text-slate-600">{key.lastUsedAt ? <Time value={key.lastUsedAt} /> : tDates('never')}</td>
          <td className="px-4 py-3">
            {key.revokedAt ? (
              <StatusBadge tone="failure">{t('states.revoked')}</StatusBadge>
            ) : key.expired ? (
              <StatusBadge tone="warning">{t('states.expired')}</StatusBadge>
            ) : (
              <StatusBadge tone="success">{t('states.active')}</StatusBadge>
            )}
          </td>
          <td className="px-4 py-3">{key.revokedAt ? null : <RevokeApiKeyButton id={key.id} label={`${key.name} (${key.prefix}…)`} />}</td>
        </tr>
      ))}
    </Table>
  );
}
