// Issue 16, item 4: the audit log shows readable changes, and secrets only as changed.
import { describe, expect, it } from 'vitest';
import { auditLines } from '@/lib/audit/audit-detail';

describe('auditLines', () => {
  it('reads a profile change as each field before and after, and its secret as changed only', () => {
    expect(
      auditLines({
        name: 'Contoso',
        changes: { 'endpoints.token': { from: 'https://old.example/token', to: 'https://new.example/token' }, mailboxCap: { from: null, to: 50 } },
        clientSecret: 'replaced',
        destinationChanged: ['endpoints.token'],
      }),
    ).toEqual([
      { field: 'name', kind: 'value', value: 'Contoso' },
      { field: 'endpoints.token', kind: 'change', before: 'https://old.example/token', after: 'https://new.example/token' },
      { field: 'mailboxCap', kind: 'change', before: null, after: 50 },
      { field: 'clientSecret', kind: 'secret', state: 'changed' },
      { field: 'destinationChanged', kind: 'value', value: ['endpoints.token'] },
    ]);
  });

  it('never shows the value a secret field holds, whatever was recorded in it', () => {
    const lines = auditLines({ password: 'hunter2-plain', clientSecret: { from: 'old-secret', to: 'new-secret' }, refreshToken: 'kept', secret: 'cleared' });
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|old-secret|new-secret/);
    expect(lines.map((line) => (line.kind === 'secret' ? line.state : line.kind))).toEqual(['changed', 'changed', 'kept', 'removed']);
  });

  it('lists the fields an older profile event named without their values, and leaves out internal ids', () => {
    expect(auditLines({ changed: ['clientId', 'incoming.host'], testId: '0b0f6c1e-3c1f-4f7e-9d55-3a1c2b4d5e6f', ok: true })).toEqual([
      { field: 'clientId', kind: 'changed' },
      { field: 'incoming.host', kind: 'changed' },
      { field: 'ok', kind: 'value', value: true },
    ]);
  });

  it('reads a state change recorded as before and after', () => {
    expect(auditLines({ address: 'a@example.org', approval: { from: 'pending', to: 'approved' } })).toEqual([
      { field: 'address', kind: 'value', value: 'a@example.org' },
      { field: 'approval', kind: 'change', before: 'pending', after: 'approved' },
    ]);
  });
});
