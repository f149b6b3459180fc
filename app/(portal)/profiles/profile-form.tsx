'use client';

import { useTranslations } from 'next-intl';
import { useActionState, useState, type ChangeEvent } from 'react';
import { ActionMessage } from '@/app/_components/action-message';
import { CopyButton } from '@/app/_components/copy-button';
import { useRenderText } from '@/app/_components/use-text';
import { Alert, Button, CheckboxField, Field, FieldErrors, SelectField, TextAreaField } from '@/app/_components/ui';
import { IDLE } from '@/lib/auth/form-action-state';
import { destinationFieldsIn, grantsEndedNotice, secretClearedNotice, type DestinationField } from '@/lib/profiles/destination';
import { allowsPublicClient, defaultAuthType, presetFor } from '@/lib/profiles/presets';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '@/lib/providers';
import { isApiProtocol, isOAuth, TOKEN_ENDPOINT_AUTH_METHODS, type AuthType, type IncomingProtocol, type MailProtocol, type OutgoingProtocol } from '@/lib/providers/provider';
import { createProfileAction, updateProfileAction } from './actions';
import { destinationValues, presetFormValues, type ProfileFormValues } from './form-values';


const SECURITIES = ['tls', 'starttls', 'none'] as const;

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
  const t = useTranslations('profileForm');
  const tProfiles = useTranslations('profiles');
  const tProviders = useTranslations('providers');
  const render = useRenderText();
  const [state, action, pending] = useActionState(mode === 'create' ? createProfileAction : updateProfileAction, IDLE);
  const [values, setValues] = useState(initial);
  const [secretTyped, setSecretTyped] = useState(false);
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const trustedCertificateErrors = Object.entries(errors ?? {})
    .filter(([name]) => name.startsWith('trustedCertificates'))
    .flatMap(([name, messages]) => {
      const line = /^trustedCertificates\.(\d+)/.exec(name)?.[1];
      return messages.map((message) => (line === undefined ? message : t('trustedCertificateLine', { line: Number(line) + 1, message })));
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
    outgoingProtocol: next['outgoing.protocol'] as OutgoingProtocol,
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
    setValues((current) =>
      withPreset(
        {
          ...current,
          serverType: next,
          authType: defaultAuthType(next),
          publicClient: '',
          'incoming.protocol': PROVIDERS[next].incomingProtocols[0]!,
          'outgoing.protocol': PROVIDERS[next].outgoingProtocols[0]!,
        },
        false,
      ),
    );
  const protocolOptions = (protocols: readonly MailProtocol[]) =>
    protocols.map((protocol) => ({ value: protocol, label: tProfiles(`protocols.${protocol}`) }));
  const chooseKey = (name: 'authType' | 'incoming.protocol' | 'outgoing.protocol') => (event: ChangeEvent<HTMLSelectElement>) =>
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
  const securityOptions = SECURITIES.map((security) => ({ value: security, label: t(`securityOptions.${security}`) }));

  return (
    <form action={action} className="space-y-6" noValidate>
      {profileId ? <input type="hidden" name="id" value={profileId} /> : null}
      <ActionMessage state={state} success="warning" />

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">{t('serverType')}</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-3">
          {PROVIDER_IDS.map((type) => (
            <label
              key={type}
              className={`flex cursor-pointer items-center gap-2 rounded-md border px-3 py-2 text-sm ${
                serverType === type ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300'
              }`}
            >
              <input type="radio" name="serverType" value={type} checked={serverType === type} onChange={() => chooseServerType(type)} />
              {tProviders(`${type}.label`)}
            </label>
          ))}
        </div>
        <FieldErrors id="serverType-error" errors={errors?.serverType} />
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('name')} {...text('name')} required />
        <SelectField
          label={t('authType')}
          {...text('authType')}
          onChange={chooseKey('authType')}
          options={provider.authTypes.map((type) => ({ value: type, label: tProfiles(`authTypes.${type}`) }))}
          hint={provider.authTypeHint ? render.text({ key: provider.authTypeHint }) : undefined}
        />
        {provider.tenant ? <Field label={t('tenant')} {...text('tenant')} onChange={changeTenant} hint={render.text({ key: provider.tenant.formHint })} /> : null}
        <SelectField
          label={t('incomingProtocol')}
          {...text('incoming.protocol')}
          onChange={chooseKey('incoming.protocol')}
          options={protocolOptions(provider.incomingProtocols)}
        />
        <SelectField
          label={t('outgoingProtocol')}
          {...text('outgoing.protocol')}
          onChange={chooseKey('outgoing.protocol')}
          options={protocolOptions(provider.outgoingProtocols)}
          hint={provider.apiProtocol ? t(`apiProtocolHint.${provider.apiProtocol}`) : undefined}
        />
      </div>

      <CheckboxField
        label={t('isDefault')}
        {...check('isDefault')}
        hint={t('isDefaultHint')}
      />

      {oauth ? <CheckboxField label={t('allowAccessTokens')} {...check('allowAccessTokens')} hint={t('allowAccessTokensHint')} /> : null}

      {oauth ? (
        <fieldset className="space-y-4 rounded-md border border-slate-200 p-4">
          <legend className="px-1 text-sm font-medium text-slate-800">{t('oauthApp')}</legend>
          <Field label={t('clientId')} {...text('clientId')} autoComplete="off" />
          {allowsPublicClient(serverType, authType) ? (
            <CheckboxField
              label={t('publicClient')}
              {...check('publicClient')}
              hint={t('publicClientHint')}
            />
          ) : null}
          {values.publicClient === 'on' ? null : (
            <>
              <Field
                label={t('clientSecret')}
                name="clientSecret"
                type="password"
                autoComplete="new-password"
                onChange={(event) => setSecretTyped(event.target.value.trim() !== '')}
                errors={errors?.clientSecret}
                hint={
                  secret.set
                    ? t('secretSetHint', { hint: secret.hint ?? '…' })
                    : t('secretNotSetHint')
                }
              />
              {secret.set ? <CheckboxField label={t('clearSecret')} {...check('clearClientSecret')} /> : null}
              {provider.fixedTokenEndpointAuthMethod === null ? (
                <SelectField
                  label={t('clientAuthentication')}
                  {...text('tokenEndpointAuthMethod')}
                  options={TOKEN_ENDPOINT_AUTH_METHODS.map((method) => ({ value: method, label: tProfiles(`tokenEndpointAuthMethods.${method}`) }))}
                  hint={t('clientAuthenticationHint')}
                />
              ) : null}
              <Field
                label={t('secretExpires')}
                type="date"
                {...text('clientSecretExpiresAt')}
                hint={t('secretExpiresHint')}
              />
            </>
          )}
          {provider.testingApps ? (
            <SelectField
              label={provider.company ? t('publishingStatusOf', { company: provider.company }) : t('publishingStatus')}
              {...text('publishingStatus')}
              options={[
                { value: 'testing', label: tProfiles('publishing.testing') },
                { value: 'production', label: tProfiles('publishing.production') },
              ]}
              hint={render.text({ key: provider.testingApps.publishingHint })}
            />
          ) : null}
          {authType === 'oauth2_code' ? (
            <div>
              <p className="text-sm font-medium text-slate-800">{t('redirectUri')}</p>
              <div className="mt-1 flex items-center gap-2">
                <code className="min-w-0 break-all rounded bg-slate-100 px-2 py-1 text-xs" data-testid="redirect-uri">
                  {redirectUri}
                </code>
                <CopyButton value={redirectUri} label={t('copy')} />
              </div>
              <p className="mt-1 text-xs text-slate-500">
                {provider.company ? t('redirectUriHintAt', { company: provider.company }) : t('redirectUriHint')}
              </p>
            </div>
          ) : null}
        </fieldset>
      ) : null}

      <Field
        label={t('mailboxCap')}
        type="number"
        min={1}
        max={100000}
        {...text('mailboxCap')}
        hint={
          provider.testingApps && oauth
            ? render.text({ key: provider.testingApps.capHint, values: { cap: provider.testingApps.userCap } })
            : t('mailboxCapHint')
        }
      />

      <div className="space-y-4">
        <CheckboxField
          label={t('internalServer')}
          {...check('internalServer')}
          hint={t('internalServerHint')}
        />
      </div>

      {destinationChanged.length > 0 ? (
        <div className="space-y-2" data-testid="destination-warning">
          {clearingSecret ? <Alert tone="warning">{render.text(secretClearedNotice(destinationChanged, 'before'))}</Alert> : null}
          {connectedMailboxes > 0 ? <Alert tone="warning">{render.text(grantsEndedNotice(connectedMailboxes, 'before'))}</Alert> : null}
        </div>
      ) : null}

      <details className="rounded-md border border-slate-200 p-4" open={!provider.namesItsServers || advancedHasErrors}>
        <summary className="cursor-pointer text-sm font-medium text-slate-800">{t('advanced')}</summary>
        <div className="mt-4 space-y-6">
          <div className="flex items-center justify-between gap-4">
            <p className="text-xs text-slate-500">{t('presetNote', { provider: tProviders(`${serverType}.label`) })}</p>
            <Button type="button" onClick={() => setValues((current) => withPreset(current, !provider.namesItsServers))}>
              {t('resetToPreset')}
            </Button>
          </div>
          {(['incoming', 'outgoing'] as const).map((side) =>
            // A web API direction has no server of the profile's own to name.
            isApiProtocol(values[`${side}.protocol`] as MailProtocol) ? null : (
              <fieldset key={side} className="grid gap-4 sm:grid-cols-3">
                <legend className="mb-2 text-sm font-medium text-slate-800">{t(`${side}.legend`)}</legend>
                <Field label={t(`${side}.host`)} {...text(`${side}.host`)} />
                <Field label={t(`${side}.port`)} type="number" {...text(`${side}.port`)} />
                <SelectField label={t(`${side}.security`)} {...text(`${side}.security`)} options={securityOptions} />
              </fieldset>
            ),
          )}
          <TextAreaField
            label={t('trustedCertificates')}
            name="trustedCertificates"
            rows={3}
            value={values.trustedCertificates}
            onChange={text('trustedCertificates').onChange}
            errors={trustedCertificateErrors.length > 0 ? trustedCertificateErrors : undefined}
            hint={t('trustedCertificatesHint')}
          />
          {oauth ? (
            <fieldset className="space-y-4">
              <legend className="mb-2 text-sm font-medium text-slate-800">{t('endpoints')}</legend>
              <Field label={t('authorizationEndpoint')} {...text('endpoints.authorization')} />
              <Field label={t('tokenEndpoint')} {...text('endpoints.token')} />
              {authType === 'oauth2_device' ? <Field label={t('deviceEndpoint')} {...text('endpoints.device')} /> : null}
              <Field label={t('revocationEndpoint')} {...text('endpoints.revocation')} />
              <Field label={t('userinfoEndpoint')} {...text('endpoints.userinfo')} />
              <Field
                label={t('issuer')}
                {...text('issuer')}
                hint={t('issuerHint')}
              />
              <Field label={t('jwksEndpoint')} {...text('endpoints.jwks')} />
              {values['endpoints.api'] || isApiProtocol(values['incoming.protocol'] as MailProtocol) || isApiProtocol(values['outgoing.protocol'] as MailProtocol) ? (
                <Field label={t('apiEndpoint')} {...text('endpoints.api')} hint={t('apiEndpointHint')} />
              ) : null}
              {pinnedHosts ? (
                <p className="text-xs text-slate-500">
                  {t('pinnedHosts', { provider: tProviders(`${serverType}.label`), hosts: pinnedHosts.join(', ') })}
                </p>
              ) : null}
              <TextAreaField
                label={t('scopes')}
                name="scopes"
                rows={4}
                value={values.scopes}
                onChange={text('scopes').onChange}
                errors={errors?.scopes}
                hint={t('scopesHint')}
              />
            </fieldset>
          ) : null}
          <fieldset className="grid gap-4 sm:grid-cols-2">
            <legend className="mb-2 text-sm font-medium text-slate-800">{t('emailProcessing')}</legend>
            <Field
              label={t('processEmailFrom')}
              type="date"
              {...text('advanced.processEmailFrom')}
              hint={t('processEmailFromHint')}
            />
            <Field
              label={t('minPollingInterval')}
              type="number"
              {...text('advanced.minPollingIntervalMinutes')}
              hint={t('minPollingIntervalHint')}
            />
            <Field
              label={t('maxConcurrentConnections')}
              type="number"
              {...text('advanced.maxConcurrentConnections')}
              hint={t('maxConcurrentConnectionsHint')}
            />
            <Field
              label={t('connectionTimeout')}
              type="number"
              {...text('advanced.connectionTimeoutSeconds')}
              hint={t('connectionTimeoutHint')}
            />
            <Field
              label={t('sendRatePerMinute')}
              type="number"
              {...text('advanced.sendRatePerMinute')}
              hint={t('sendRatePerMinuteHint')}
            />
            <Field
              label={t('queuedMessageExpiry')}
              type="number"
              {...text('advanced.queuedMessageExpiryHours')}
              hint={t('queuedMessageExpiryHint')}
            />
            <CheckboxField label={t('moveFailedToUndeliverable')} {...check('advanced.moveFailedToUndeliverable')} />
          </fieldset>
        </div>
      </details>

      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? t('saving') : mode === 'create' ? t('create') : t('save')}
      </Button>
    </form>
  );
}
