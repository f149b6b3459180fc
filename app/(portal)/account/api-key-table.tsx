import { StatusBadge } from '@/app/_components/status-badge';
import { Table } from '@/app/_components/ui';
import type { findApiKeys } from '@/lib/auth/api-keys';
import { RevokeApiKeyButton } from './account-forms';

type ApiKeyRow = Awaited<ReturnType<typeof findApiKeys>>['keys'][number];

function formatTime(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/** Keys as people tell them apart: name, first characters, dates and state; never the key itself. */
export function ApiKeyTable({ keys, showUser }: { keys: ApiKeyRow[]; showUser: boolean }) {
  return (
    <Table headers={['Key', ...(showUser ? ['User'] : []), 'Created', 'Expires', 'Last used', 'Status', '']}>
      {keys.map((key) => (
        <tr key={key.id}>
          <td className="px-4 py-3">
            <p className="font-medium">{key.name}</p>
            <p className="font-mono text-xs text-slate-500">{key.prefix}…</p>
          </td>
          {showUser ? <td className="px-4 py-3">{key.userEmail}</td> : null}
          <td className="px-4 py-3 text-slate-600">{formatTime(key.createdAt)}</td>
          <td className="px-4 py-3 text-slate-600">{key.expiresAt ? formatTime(key.expiresAt) : 'Never'}</td>
          <td className="px-4 py-3 text-slate-600">{key.lastUsedAt ? formatTime(key.lastUsedAt) : 'Never'}</td>
          <td className="px-4 py-3">
            {key.revokedAt ? <StatusBadge tone="failure">Revoked</StatusBadge> : key.expired ? <StatusBadge tone="warning">Expired</StatusBadge> : <StatusBadge tone="success">Active</StatusBadge>}
          </td>
          <td className="px-4 py-3">{key.revokedAt ? null : <RevokeApiKeyButton id={key.id} label={`${key.name} (${key.prefix}…)`} />}</td>
        </tr>
      ))}
    </Table>
  );
}
