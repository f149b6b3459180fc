'use client';

import { useActionState, useState, type ChangeEvent } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { CopyButton } from '@/app/_components/copy-button';
import { Alert, Button, CheckboxField, Field, FieldErrors, SelectField, TextAreaField } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { destinationFieldsIn, grantsEndedNotice, secretClearedNotice, type DestinationField } from '@/lib/profiles/destination';
import {
  allowsPublicClient,
  AUTH_TYPE_LABELS,
  defaultAuthType,
  presetFor,
  TOKEN_ENDPOINT_AUTH_METHOD_LABELS,
} from '@/lib/profiles/presets';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '@/lib/providers';
import { isOAuth, TOKEN_ENDPOINT_AUTH_METHODS, type AuthType, type IncomingProtocol } from '@/lib/providers/provider';
import { createProfileAction, updateProfileAction } from './actions';
import { destinationValues, presetFormValues, type ProfileFormValues } from './form-values';

const PROTOCOL_LABELS: Record<IncomingProtocol, string> = { imap: 'IMAP', pop3: 'POP3' };

const SECURITY_OPTIONS = [
  { value: 'tls', label: 'TLS (implicit)' },
  { value: 'starttls', label: 'STARTTLS' },
  { value: 'none', label: 'None (unencrypted)' },
];

type Secret = { set: boolean; hint: string | null };

export function ProfileForm({
  mode,
  profileId,
  initial,
  secret,
  redirectUri,
  connectedMailboxes = 0,
}: {
  mode: 'create' | 'edit';
  profileId?: string;
  initial: ProfileFormValues;
  secret: Secret;
  redirectUri: string;
  /** Edit: how many of the profile's mailboxes hold tokens, which a change of its OAuth destination ends. */
  connectedMailboxes?: number;
}) {
  const [state, action, pending] = useActionState(mode === 'create' ? createProfileAction : updateProfileAction, IDLE);
  const [values, setValues] = useState(initial);
  const [secretTyped, setSecretTyped] = useState(false);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const trustedCertificateErrors = Object.entries(errors ?? {})
    .filter(([name]) => name.startsWith('trustedCertificates'))
    .flatMap(([name, messages]) => {
      const line = /^trustedCertificates\.(\d+)/.exec(name)?.[1];
      return messages.map((message) => (line === undefined ? message : `Line ${Number(line) + 1}: ${message}`));
    });

  const serverType = values.serverType as ProviderId;
  const provider = PROVIDERS[serverType];
  const authType = values.authType as AuthType;
  const oauth = isOAuth(authType);
  const keyOf = (next: ProfileFormValues) => ({
    serverType: next.serverType as ProviderId,
    authType: next.authType as AuthType,
    tenant: next.tenant,
    incomingProtocol: next['incoming.protocol'] as IncomingProtocol,
  });
  /** The preset of the new kind of profile, keeping host names typed for a Custom server. */
  const withPreset = (next: ProfileFormValues, keepHosts: boolean): ProfileFormValues => {
    const preset = presetFormValues(presetFor(keyOf(next)));
    if (keepHosts) {
      for (const host of ['incoming.host', 'outgoing.host'] as const) if (preset[host] === '') preset[host] = next[host];
    }
    return { ...next, ...preset };
  };

  const text = (name: keyof ProfileFormValues) => ({
    name,
    value: values[name],
    errors: errors?.[name],
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      setValues((current) => ({ ...current, [name]: event.target.value })),
  });
  const check = (name: keyof ProfileFormValues) => ({
    name,
    checked: values[name] === 'on',
    errors: errors?.[name],
    onChange: (event: ChangeEvent<HTMLInputElement>) =>
      setValues((current) => ({ ...current, [name]: event.target.checked ? 'on' : '' })),
  });

  const chooseServerType = (next: ProviderId) =>
    setValues((current) => withPreset({ ...current, serverType: next, authType: defaultAuthType(next), publicClient: '' }, false));
  const chooseKey = (name: 'authType' | 'incoming.protocol') => (event: ChangeEvent<HTMLSelectElement>) =>
    setValues((current) => withPreset({ ...current, [name]: event.target.value }, true));
  const changeTenant = (event: ChangeEvent<HTMLInputElement>) =>
    setValues((current) => {
      const next = { ...current, tenant: event.target.value };
      const preset = presetFormValues(presetFor(keyOf(next)));
      const endpoints = Object.fromEntries(Object.entries(preset).filter(([name]) => name.startsWith('endpoints.') || name === 'issuer'));
      return { ...next, ...endpoints };
    });

  const advancedHasErrors = Object.keys(errors ?? {}).some((name) =>
    /^(incoming|outgoing|endpoints|issuer|scopes|advanced|trustedCertificates)/.test(name),
  );

  // What saving would do besides the edit itself, said before saving (the server decides the same way).
  const storedDestination = destinationValues(initial);
  const editedDestination = destinationValues(values);
  const destinationChanged =
    mode === 'edit' && isOAuth(initial.authType as AuthType)
      ? destinationFieldsIn(
          (Object.keys(editedDestination) as DestinationField[]).filter((field) => editedDestination[field] !== storedDestination[field]),
        )
      : [];
  const clearingSecret =
    destinationChanged.length > 0 && secret.set && !secretTyped && values.publicClient !== 'on' && values.clearClientSecret !== 'on';
  const pinnedHosts = provider.pinnedHosts;

  return (
    <form action={action} className="space-y-6" noValidate>
      {profileId ? <input type="hidden" name="id" value={profileId} /> : null}
      <ActionMessage state={state} success="warning" />

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Server type</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-3">
          {PROVIDER_IDS.map((type) => (
            <label
              key={type}
              className={`flex cursor-pointer items-center gap-2 rounded-md border px-3 py-2 text-sm ${
                serverType === type ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300'
              }`}
            >
              <input type="radio" name="serverType" value={type} checked={serverType === type} onChange={() => chooseServerType(type)} />
              {PROVIDERS[type].label}
            </label>
          ))}
        </div>
        <FieldErrors id="serverType-error" errors={errors?.serverType} />
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Profile name" {...text('name')} required />
        <SelectField
          label="Authentication type"
          {...text('authType')}
          onChange={chooseKey('authType')}
          options={provider.authTypes.map((type) => ({ value: type, label: AUTH_TYPE_LABELS[type] }))}
          hint={provider.authTypeHint ?? undefined}
        />
        {provider.tenant ? <Field label="Tenant" {...text('tenant')} onChange={changeTenant} hint={provider.tenant.formHint} /> : null}
        <SelectField
          label="Incoming protocol"
          {...text('incoming.protocol')}
          onChange={chooseKey('incoming.protocol')}
          options={provider.incomingProtocols.map((protocol) => ({ value: protocol, label: PROTOCOL_LABELS[protocol] }))}
        />
      </div>

      <CheckboxField
        label="Default profile for new mailboxes"
        {...check('isDefault')}
        hint="Only one profile is the default: choosing this one unsets the current default."
      />

      {oauth ? (
        <fieldset className="space-y-4 rounded-md border border-slate-200 p-4">
          <legend className="px-1 text-sm font-medium text-slate-800">OAuth app</legend>
          <Field label="Client id" {...text('clientId')} autoComplete="off" />
          {allowsPublicClient(serverType, authType) ? (
            <CheckboxField
              label="Public client (no secret)"
              {...check('publicClient')}
              hint="Only if the app registration allows public client flows; otherwise the client is confidential and needs its secret."
            />
          ) : null}
          {values.publicClient === 'on' ? null : (
            <>
              <Field
                label="Client secret"
                name="clientSecret"
                type="password"
                autoComplete="new-password"
                onChange={(event) => setSecretTyped(event.target.value.trim() !== '')}
                errors={errors?.clientSecret}
                hint={
                  secret.set
                    ? `Set, ends in ${secret.hint ?? '…'}. Leave empty to keep it; type a new one to replace it.`
                    : 'Not set. It is stored encrypted and never shown again.'
                }
              />
              {secret.set ? <CheckboxField label="Clear the stored secret" {...check('clearClientSecret')} /> : null}
              {provider.fixedTokenEndpointAuthMethod === null ? (
                <SelectField
                  label="Client authentication"
                  {...text('tokenEndpointAuthMethod')}
                  options={TOKEN_ENDPOINT_AUTH_METHODS.map((method) => ({ value: method, label: TOKEN_ENDPOINT_AUTH_METHOD_LABELS[method] }))}
                  hint="How the client secret reaches the token endpoint: the provider's documentation or discovery document (token_endpoint_auth_methods_supported) says which it accepts."
                />
              ) : null}
              <Field
                label="Secret expires on (optional)"
                type="date"
                {...text('clientSecretExpiresAt')}
                hint="Microsoft client secrets expire after 6, 12 or 24 months: Mailroom reminds you before."
              />
            </>
          )}
          {provider.testingApps ? (
            <SelectField
              label={`Publishing status of the ${provider.company ?? 'provider'} app`}
              {...text('publishingStatus')}
              options={[
                { value: 'testing', label: 'Testing' },
                { value: 'production', label: 'In production' },
              ]}
              hint={provider.testingApps.publishingHint}
            />
          ) : null}
          {authType === 'oauth2_code' ? (
            <div>
              <p className="text-sm font-medium text-slate-800">Redirect URI to register</p>
              <div className="mt-1 flex items-center gap-2">
                <code className="min-w-0 break-all rounded bg-slate-100 px-2 py-1 text-xs" data-testid="redirect-uri">
                  {redirectUri}
                </code>
                <CopyButton value={redirectUri} />
              </div>
              <p className="mt-1 text-xs text-slate-500">
                Add it exactly as shown to the OAuth client at {provider.company ?? 'your provider'}.
              </p>
            </div>
          ) : null}
        </fieldset>
      ) : null}

      <Field
        label="Mailbox cap"
        type="number"
        min={1}
        max={100000}
        {...text('mailboxCap')}
        hint={
          provider.testingApps && oauth
            ? provider.testingApps.capHint
            : 'Leave empty for no cap. It cannot be lower than the number of mailboxes already using the profile.'
        }
      />

      <div className="space-y-4">
        <CheckboxField
          label="Internal server"
          {...check('internalServer')}
          hint="Lets the connection tester reach loopback and private addresses (127.0.0.1, 10.x, 192.168.x…). Leave off for servers on the internet."
        />
      </div>

      {destinationChanged.length > 0 ? (
        <div className="space-y-2" data-testid="destination-warning">
          {clearingSecret ? <Alert tone="warning">{secretClearedNotice(destinationChanged, 'before')}</Alert> : null}
          {connectedMailboxes > 0 ? <Alert tone="warning">{grantsEndedNotice(connectedMailboxes, 'before')}</Alert> : null}
        </div>
      ) : null}

      <details className="rounded-md border border-slate-200 p-4" open={!provider.namesItsServers || advancedHasErrors}>
        <summary className="cursor-pointer text-sm font-medium text-slate-800">Advanced</summary>
        <div className="mt-4 space-y-6">
          <div className="flex items-center justify-between gap-4">
            <p className="text-xs text-slate-500">Filled from the {provider.label} preset; change them only if you must.</p>
            <Button type="button" onClick={() => setValues((current) => withPreset(current, !provider.namesItsServers))}>
              Reset to preset
            </Button>
          </div>
          {(['incoming', 'outgoing'] as const).map((side) => (
            <fieldset key={side} className="grid gap-4 sm:grid-cols-3">
              <legend className="mb-2 text-sm font-medium text-slate-800">
                {side === 'incoming' ? 'Incoming server' : 'Outgoing server (SMTP)'}
              </legend>
              <Field label={side === 'incoming' ? 'Incoming host' : 'Outgoing host'} {...text(`${side}.host`)} />
              <Field label={side === 'incoming' ? 'Incoming port' : 'Outgoing port'} type="number" {...text(`${side}.port`)} />
              <SelectField
                label={side === 'incoming' ? 'Incoming security' : 'Outgoing security'}
                {...text(`${side}.security`)}
                options={SECURITY_OPTIONS}
              />
            </fieldset>
          ))}
          <TextAreaField
            label="Trusted certificates (optional)"
            name="trustedCertificates"
            rows={3}
            value={values.trustedCertificates}
            onChange={text('trustedCertificates').onChange}
            errors={trustedCertificateErrors.length > 0 ? trustedCertificateErrors : undefined}
            hint="For a server whose certificate no authority vouches for (self-signed): one line each, the incoming or outgoing host, then the certificate's SHA-256 fingerprint (colons and case do not matter). A failed connection test shows the fingerprint it met; check it against the server's own, e.g. openssl x509 -in server.crt -noout -fingerprint -sha256. Later connections then accept exactly that certificate."
          />
          {oauth ? (
            <fieldset className="space-y-4">
              <legend className="mb-2 text-sm font-medium text-slate-800">OAuth endpoints and scopes</legend>
              <Field label="Authorization endpoint" {...text('endpoints.authorization')} />
              <Field label="Token endpoint" {...text('endpoints.token')} />
              {authType === 'oauth2_device' ? <Field label="Device authorization endpoint" {...text('endpoints.device')} /> : null}
              <Field label="Revocation endpoint (optional)" {...text('endpoints.revocation')} />
              <Field label="User info endpoint (optional)" {...text('endpoints.userinfo')} />
              <Field
                label="Issuer (optional)"
                {...text('issuer')}
                hint="The OpenID issuer whose signed id_tokens say who consented; with it, the JWKS endpoint. Leave both empty to learn the account from the user info endpoint."
              />
              <Field label="JWKS endpoint (optional)" {...text('endpoints.jwks')} />
              {pinnedHosts ? (
                <p className="text-xs text-slate-500">
                  {provider.label} endpoints stay on the provider&rsquo;s own hosts ({pinnedHosts.join(', ')}), so that its client secret and
                  tokens cannot be sent elsewhere.
                </p>
              ) : null}
              <TextAreaField
                label="Scopes"
                name="scopes"
                rows={4}
                value={values.scopes}
                onChange={text('scopes').onChange}
                errors={errors?.scopes}
                hint="One per line."
              />
            </fieldset>
          ) : null}
          <fieldset className="grid gap-4 sm:grid-cols-2">
            <legend className="mb-2 text-sm font-medium text-slate-800">Email processing</legend>
            <Field
              label="Process email from (optional)"
              type="date"
              {...text('advanced.processEmailFrom')}
              hint="Older messages are left alone."
            />
            <Field
              label="Minimum polling interval (minutes)"
              type="number"
              {...text('advanced.minPollingIntervalMinutes')}
              hint="0 to 1440."
            />
            <Field
              label="Maximum concurrent connections"
              type="number"
              {...text('advanced.maxConcurrentConnections')}
              hint="1 to 300."
            />
            <Field
              label="Connection timeout (seconds)"
              type="number"
              {...text('advanced.connectionTimeoutSeconds')}
              hint="5 to 300."
            />
            <CheckboxField label="Move failed emails to an Undeliverable folder" {...check('advanced.moveFailedToUndeliverable')} />
          </fieldset>
        </div>
      </details>

      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? 'Saving…' : mode === 'create' ? 'Create profile' : 'Save changes'}
      </Button>
    </form>
  );
}
