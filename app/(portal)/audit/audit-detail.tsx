import { useFormatter, useTranslations } from 'next-intl';
import { auditLines, type AuditLine, type AuditValue } from '@/lib/audit/audit-detail';
import { PROVIDER_IDS } from '@/lib/providers/ids';

type AuditTranslator = ReturnType<typeof useTranslations<'audit'>>;
type AuditKey = Parameters<AuditTranslator['has']>[0];

const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** Past this, a value (a certificate, a long list) is cut short: the API keeps the whole of it. */
const LONGEST_VALUE = 120;

/** A recorded action ("mailbox.approve") as a person reads it, or as recorded when it has no words yet. */
export function useActionLabel(): (action: string) => string {
  const t = useTranslations('audit');
  return (action) => {
    const key = `actions.${action}` as AuditKey;
    return t.has(key) ? t(key) : action;
  };
}

/** The labels of internal values, by the field that holds them. */
function useValueLabels(): Record<string, (value: string) => string | null> {
  const tStatus = useTranslations('status');
  const tCommon = useTranslations('common');
  const tProfiles = useTranslations('profiles');
  const tTokens = useTranslations('tokenStatus');
  const tProviders = useTranslations('providers');
  const t = useTranslations('audit');
  const pick = <T extends string>(values: readonly T[], label: (value: T) => string) => (value: string) =>
    (values as readonly string[]).includes(value) ? label(value as T) : null;
  const sync = pick(['server_side', 'none'] as const, (value) => tStatus(`sync.${value}`));
  const test = pick(['success', 'failure', 'not_run'] as const, (value) => tStatus(`test.${value}`));
  const security = pick(['tls', 'starttls', 'none'] as const, (value) => tProfiles(`security.${value}`));
  return {
    approval: pick(['pending', 'approved', 'rejected'] as const, (value) => tStatus(`approval.${value}`)),
    connection: pick(['connected', 'not_connected', 'needs_reconnect'] as const, (value) => tStatus(`connection.${value}`)),
    status: pick(['active', 'inactive', 'failing', 'disabled'] as const, (value) => tStatus(`mailbox.${value}`)),
    incomingStatus: test,
    outgoingStatus: test,
    incoming: sync,
    outgoing: sync,
    incoming_security: security,
    outgoing_security: security,
    role: pick(['admin', 'owner', 'support', 'service'] as const, (value) => tCommon(`roles.${value}`)),
    profiles: pick(['all'] as const, () => t('values.allProfiles')),
    serverType: pick(PROVIDER_IDS, (value) => tProviders(`${value}.label`)),
    authType: pick(['oauth2_code', 'oauth2_device', 'password'] as const, (value) => tProfiles(`authTypes.${value}`)),
    tokenEndpointAuthMethod: pick(['client_secret_post', 'client_secret_basic'] as const, (value) => tProfiles(`tokenEndpointAuthMethods.${value}`)),
    publishingStatus: pick(['testing', 'production'] as const, (value) => tProfiles(`publishing.${value}`)),
    result: pick(['valid', 'needs_reconnect'] as const, (value) => (value === 'valid' ? tTokens('states.valid') : tTokens('states.revoked'))),
    purpose: pick(['invitation', 'reset'] as const, (value) => t(`values.purpose.${value}`)),
    delivery: pick(['mailed', 'shown'] as const, (value) => t(`values.delivery.${value}`)),
    kind: pick(['account', 'address'] as const, (value) => t(`values.lockout.${value}`)),
    through: (value) => (value === 'invitation link' ? t('values.purpose.invitation') : value === 'password reset link' ? t('values.purpose.reset') : null),
  };
}

/** An audit event's detail as "field: value" and "field: before → after" lines; secrets say only that they changed. */
export function AuditDetail({ detail }: { detail: Record<string, unknown> }) {
  const t = useTranslations('audit');
  const format = useFormatter();
  const valueLabels = useValueLabels();
  const fieldLabel = (field: string) => {
    const key = `fields.${field.replaceAll('.', '_')}` as AuditKey;
    return t.has(key) ? t(key) : field;
  };
  const show = (field: string, value: AuditValue): string => {
    if (value === null || value === '') return '—';
    if (typeof value === 'boolean') return value ? t('values.yes') : t('values.no');
    if (typeof value === 'number') return format.number(value);
    // Lists of field names (what a profile change sent back to connect) read as those fields' labels.
    if (Array.isArray(value)) {
      const items = [...new Set(value.map((item) => (field === 'destinationChanged' && typeof item === 'string' ? fieldLabel(item) : show(field, item))))];
      return items.length === 0 ? '—' : items.join(', ');
    }
    if (ISO_MOMENT.test(value) && !Number.isNaN(Date.parse(value))) return format.dateTime(new Date(value), 'dateTime');
    const label = valueLabels[field.replaceAll('.', '_')]?.(value);
    if (label) return label;
    return value.length > LONGEST_VALUE ? `${value.slice(0, LONGEST_VALUE)}…` : value;
  };
  const text = (line: AuditLine): string => {
    switch (line.kind) {
      case 'value':
        return show(line.field, line.value);
      case 'change':
        return `${show(line.field, line.before)} → ${show(line.field, line.after)}`;
      case 'changed':
        return t('values.changed');
      case 'secret':
        return t(`values.secret.${line.state}`);
    }
  };
  const lines = auditLines(detail);
  if (lines.length === 0) return <span className="text-slate-500">—</span>;
  return (
    <ul className="space-y-0.5">
      {lines.map((line, index) => (
        <li key={`${line.field}-${index}`} className="min-w-0 [overflow-wrap:anywhere]">
          {t('line', { field: fieldLabel(line.field), value: text(line) })}
        </li>
      ))}
    </ul>
  );
}
