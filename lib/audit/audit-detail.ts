/** A value an audit event records: a name, a state, a count, a flag, a moment (ISO 8601), or a list of them. */
export type AuditValue = string | number | boolean | null | (string | number | boolean | null)[];

/** One line of an audit event's detail, as the audit log shows it. */
export type AuditLine =
  | { field: string; kind: 'value'; value: AuditValue }
  | { field: string; kind: 'change'; before: AuditValue; after: AuditValue }
  /** A field whose values were not recorded (older events list only the names of what changed). */
  | { field: string; kind: 'changed' }
  /** A secret: never its value, only that it was set or replaced, removed, or kept. */
  | { field: string; kind: 'secret'; state: 'changed' | 'removed' | 'kept' };

/** Fields that name a secret. Their recorded value is a state ("set", "cleared", "kept"), shown as such and nothing more. */
const SECRET_FIELDS = new Set(['clientSecret', 'password', 'refreshToken', 'accessToken', 'secret']);

/** Internal references a person cannot act on: the event's other fields name the same thing. */
const HIDDEN_FIELDS = new Set(['testId']);

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isChange = (value: unknown): value is { from: unknown; to: unknown } =>
  isPlainObject(value) && 'from' in value && 'to' in value && Object.keys(value).length === 2;

function toValue(value: unknown): AuditValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(item) : (item ?? null)) as string | number | boolean | null);
  return JSON.stringify(value);
}

function secretState(value: unknown): 'changed' | 'removed' | 'kept' {
  if (value === 'cleared' || value === 'removed' || (isChange(value) && value.to === null)) return 'removed';
  if (value === 'kept') return 'kept';
  return 'changed';
}

function linesOf(field: string, value: unknown): AuditLine[] {
  if (HIDDEN_FIELDS.has(field)) return [];
  if (SECRET_FIELDS.has(field)) return [{ field, kind: 'secret', state: secretState(value) }];
  if (isChange(value)) return [{ field, kind: 'change', before: toValue(value.from), after: toValue(value.to) }];
  // `changes` gathers several fields' before and after; other objects are read field by field.
  if (isPlainObject(value)) return Object.entries(value).flatMap(([inner, innerValue]) => linesOf(field === 'changes' ? inner : `${field}.${inner}`, innerValue));
  return [{ field, kind: 'value', value: toValue(value) }];
}

/**
 * An audit event's detail as lines a person reads: "field: value", "field: before → after", and
 * secrets as changed or removed only, whatever an event recorded. `changed` (older profile events)
 * lists field names without their values.
 */
export function auditLines(detail: Record<string, unknown>): AuditLine[] {
  return Object.entries(detail).flatMap(([field, value]): AuditLine[] => {
    if (field === 'changed' && Array.isArray(value)) return value.map((name) => ({ field: String(name), kind: 'changed' as const }));
    return linesOf(field, value);
  });
}
