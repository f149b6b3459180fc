'use client';

import { useActionState } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { Button, Field, SelectField } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { createMailboxAction, updateMailboxAction } from './actions';

type ProfileChoice = { id: string; label: string; isDefault: boolean };
type Existing = { id: string; address: string; ownerEmail: string; profileId: string; incoming: string; outgoing: string; shared: boolean; connected: boolean };

const SYNC_OPTIONS = [
  { value: 'server_side', label: 'Server-side synchronization' },
  { value: 'none', label: 'None' },
];

/** Adds a mailbox, or edits one when `existing` is given. */
export function MailboxForm({ profiles, existing }: { profiles: ProfileChoice[]; existing?: Existing }) {
  const [state, action, pending] = useActionState(existing ? updateMailboxAction : createMailboxAction, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const values = state.status === 'error' ? state.values : undefined;
  const defaultProfile = existing?.profileId ?? profiles.find((profile) => profile.isDefault)?.id ?? profiles[0]?.id;
  return (
    <form action={action} className="max-w-xl space-y-5" noValidate>
      <ActionMessage state={state} success="hidden" />
      {existing ? <input type="hidden" name="id" value={existing.id} /> : null}
      <Field
        label="Email address"
        name="address"
        type="email"
        defaultValue={values?.address ?? existing?.address}
        errors={errors?.address}
        hint={existing ? 'A new address goes back to “pending” until an admin approves it.' : 'New addresses wait for an admin’s approval.'}
        required
      />
      <Field
        label="Owner’s email"
        name="ownerEmail"
        type="email"
        defaultValue={values?.ownerEmail ?? existing?.ownerEmail}
        errors={errors?.ownerEmail ?? errors?.ownerId}
        hint="A Mailroom user: they connect and test this mailbox."
        required
      />
      <SelectField
        label="Server profile"
        name="profileId"
        options={profiles.map((profile) => ({ value: profile.id, label: profile.label }))}
        defaultValue={values?.profileId ?? defaultProfile}
        errors={errors?.profileId}
        hint={existing?.connected ? 'Moving a connected mailbox deactivates it: its owner must reconnect with the new profile’s app.' : undefined}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField label="Incoming email" name="incoming" options={SYNC_OPTIONS} defaultValue={values?.incoming ?? existing?.incoming ?? 'server_side'} errors={errors?.incoming} />
        <SelectField label="Outgoing email" name="outgoing" options={SYNC_OPTIONS} defaultValue={values?.outgoing ?? existing?.outgoing ?? 'server_side'} errors={errors?.outgoing} />
      </div>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="shared" defaultChecked={existing?.shared} className="mt-1" />
        <span>
          <span className="font-medium">Shared mailbox (Microsoft 365)</span>
          <span className="block text-slate-600">A delegate with access connects it with their own account.</span>
        </span>
      </label>
      <Button type="submit" variant="primary" disabled={pending || profiles.length === 0}>
        {pending ? 'Saving…' : existing ? 'Save' : 'Add mailbox'}
      </Button>
    </form>
  );
}
