import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { headerValue, parseAddresses, parseHeaders } from '../../scripts/lab/mail-headers';
import {
  authorizeWithPkce,
  callMailApi,
  getLab,
  getTokensByCodeFlow,
  labControl,
  labIsAvailable,
  requestDeviceCode,
  refreshTokens,
  TokenEndpointError,
  type OAuthClient,
} from '../helpers/lab';

// Every fault, throttle and delegation here belongs to an account or a client of this file's own.
async function ownAccount(name: string): Promise<string> {
  const email = `graph-${name}-${randomBytes(4).toString('hex')}@contoso.lab.test`;
  await labControl.createAccount({ email, provider: 'microsoft' });
  return email;
}

const MAIL_SCOPES = ['Mail.ReadWrite', 'Mail.Send', 'User.Read'];

async function graphToken(options: { account: string; scopes?: string[]; client?: OAuthClient }): Promise<string> {
  const { identityScopes } = getLab().personas.microsoft;
  const { accessToken } = await getTokensByCodeFlow({
    persona: 'microsoft',
    account: options.account,
    scopes: [...identityScopes, ...(options.scopes ?? MAIL_SCOPES)],
    client: options.client,
  });
  return accessToken;
}

const graph = (path: string) => `${getLab().api.graph.baseUrl}${path}`;
const uniqueSubject = (what: string) => `${what} ${randomBytes(4).toString('hex')}`;

function sendMailBody(options: { subject: string; to: string[]; from?: string }) {
  return {
    message: {
      subject: options.subject,
      body: { contentType: 'Text', content: 'Sent through the lab’s Graph.' },
      toRecipients: options.to.map((address) => ({ emailAddress: { address } })),
      ...(options.from ? { from: { emailAddress: { address: options.from } } } : {}),
    },
    saveToSentItems: true,
  };
}

function graphErrorOf(body: unknown): { code: string; message: string } {
  return (body as { error: { code: string; message: string } }).error;
}

describe.skipIf(!labIsAvailable)('the lab’s Microsoft Graph', () => {
  it('answers /me and the inbox, and a message sent is in the sink, then in the inbox', async () => {
    const user = await ownAccount('send');
    const accessToken = await graphToken({ account: user });

    const me = await callMailApi({ url: graph('/me'), accessToken });
    expect(me).toMatchObject({ status: 200, body: { displayName: user, mail: user, userPrincipalName: user, id: expect.any(String) } });
    const empty = await callMailApi({ url: graph('/me/mailFolders/inbox'), accessToken });
    expect(empty).toMatchObject({ status: 200, body: { displayName: 'Inbox', totalItemCount: 0, unreadItemCount: 0 } });

    const subject = uniqueSubject("Carol's test");
    const sent = await callMailApi({ url: graph('/me/sendMail'), accessToken, body: sendMailBody({ subject, to: [user, 'someone@elsewhere.lab.test'] }) });
    expect(sent.status).toBe(202);
    expect(sent.body).toBeNull();

    const [received] = (await labControl.receivedMessages({ to: user })).filter((message) => message.subject === subject);
    expect(received).toMatchObject({ envelopeFrom: user, envelopeTo: [user, 'someone@elsewhere.lab.test'] });
    const [inInbox] = (await labControl.inbox({ account: user })).filter((message) => message.subject === subject);
    expect(inInbox).toMatchObject({ from: user, messageId: expect.stringMatching(/^<.+@.+>$/) });

    // OData doubles the quote inside a string.
    const filter = `subject eq '${subject.replace(/'/g, "''")}'`;
    const search = new URLSearchParams({ $filter: filter, $top: '5', $select: 'subject,internetMessageId,receivedDateTime,from', $orderby: 'receivedDateTime desc' });
    const found = await callMailApi({ url: graph(`/me/mailFolders/inbox/messages?${search.toString()}`), accessToken });
    expect(found).toMatchObject({
      status: 200,
      body: { value: [{ id: inInbox?.id, subject, internetMessageId: inInbox?.messageId, receivedDateTime: expect.any(String), from: { emailAddress: { address: user } } }] },
    });
    expect(Object.keys((found.body as { value: Record<string, unknown>[] }).value[0] ?? {}).sort()).toEqual(['from', 'id', 'internetMessageId', 'receivedDateTime', 'subject']);
    const byMessageId = new URLSearchParams({ $filter: `internetMessageId eq '${inInbox?.messageId ?? ''}'` });
    expect((await callMailApi({ url: graph(`/me/mailFolders/inbox/messages?${byMessageId.toString()}`), accessToken })).body).toMatchObject({ value: [{ subject }] });
    expect((await callMailApi({ url: graph('/me/mailFolders/inbox'), accessToken })).body).toMatchObject({ totalItemCount: 1, unreadItemCount: 1 });
  });

  it('refuses a token for Exchange Online’s IMAP as a token for another audience, and a missing, unknown or refresh token', async () => {
    const user = await ownAccount('audience');
    const { identityScopes, mailScopes } = getLab().personas.microsoft;
    const { accessToken: imapToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: user, scopes: [...identityScopes, ...mailScopes] });
    const { refreshToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: user, scopes: [...identityScopes, ...MAIL_SCOPES] });

    const refused = await callMailApi({ url: graph('/me'), accessToken: imapToken });
    expect(refused.status).toBe(401);
    expect(graphErrorOf(refused.body)).toEqual({
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure. Invalid audience.',
      innerError: { date: expect.any(String), 'request-id': expect.any(String), 'client-request-id': expect.any(String) },
    });
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="", authorization_uri=".+", client_id="00000003-0000-0000-c000-000000000000"$/);

    expect(graphErrorOf((await callMailApi({ url: graph('/me') })).body)).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    const unknown = await callMailApi({ url: graph('/me'), accessToken: 'not-a-token', headers: { 'client-request-id': 'abc-123' } });
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'InvalidAuthenticationToken', innerError: { 'client-request-id': 'abc-123' } } } });
    expect(unknown.headers.get('client-request-id')).toBe('abc-123');
    // A refresh token is valid at the persona, yet no bearer token.
    expect((await callMailApi({ url: graph('/me'), accessToken: refreshToken ?? 'none' })).status).toBe(401);
  });

  it('takes Graph’s scopes with or without the resource, and refuses what they do not grant', async () => {
    const user = await ownAccount('scopes');
    const profileOnly = await graphToken({ account: user, scopes: ['User.Read'] });
    expect((await callMailApi({ url: graph('/me'), accessToken: profileOnly })).status).toBe(200);
    for (const answer of [
      await callMailApi({ url: graph('/me/mailFolders/inbox'), accessToken: profileOnly }),
      await callMailApi({ url: graph('/me/sendMail'), accessToken: profileOnly, body: sendMailBody({ subject: 'no', to: [user] }) }),
    ]) {
      expect(answer.status).toBe(403);
      expect(graphErrorOf(answer.body)).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
    }

    const prefixed = await graphToken({ account: user, scopes: ['https://graph.microsoft.com/Mail.Read'] });
    expect((await callMailApi({ url: graph('/me/mailFolders/inbox'), accessToken: prefixed })).status).toBe(200);
    expect((await callMailApi({ url: graph('/me/sendMail'), accessToken: prefixed, body: sendMailBody({ subject: 'no', to: [user] }) })).status).toBe(403);
  });

  it('refuses scopes of two resources at once, as Entra ID does (AADSTS28000), at authorization, token and device code', async () => {
    const user = await ownAccount('resources');
    const { identityScopes, mailScopes } = getLab().personas.microsoft;
    const mixed = [...identityScopes, ...mailScopes.slice(0, 1), 'Mail.Send'];
    const expected = `AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${mixed.join(' ')} is not valid.`;

    const authorization = await authorizeWithPkce({ persona: 'microsoft', account: user, scopes: mixed });
    expect(authorization).toMatchObject({ code: null, error: 'invalid_scope', errorDescription: expected });

    const { refreshToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: user, scopes: [...identityScopes, ...MAIL_SCOPES] });
    if (!refreshToken) throw new Error('no refresh token');
    const client = getLab().personas.microsoft.clients.web;
    if (!client) throw new Error('no web client');
    const refresh = fetch(getLab().personas.microsoft.endpoints.token, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, scope: mixed.join(' '), client_id: client.clientId, client_secret: client.clientSecret ?? '' }),
    });
    const refused = await refresh;
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_scope', error_codes: [28000], error_description: expect.stringContaining(expected) });
    // One resource at a time works from the same refresh token.
    expect((await refreshTokens({ persona: 'microsoft', refreshToken })).accessToken).toEqual(expect.any(String));

    const publicClient = getLab().personas.microsoft.clients.public;
    if (!publicClient) throw new Error('no public client');
    await expect(requestDeviceCode({ persona: 'microsoft', client: publicClient, scopes: mixed })).rejects.toMatchObject({ status: 400, error: 'invalid_scope' });
    await expect(requestDeviceCode({ persona: 'microsoft', client: publicClient, scopes: mixed })).rejects.toBeInstanceOf(TokenEndpointError);
  });

  it('answers each fault in Microsoft’s words and status, for an account or a client, until cleared', async () => {
    const user = await ownAccount('faults');
    const accessToken = await graphToken({ account: user });
    const cases = [
      { fault: 'InvalidAuthenticationToken', status: 401, message: 'Lifetime validation failed, the token is expired.' },
      { fault: 'ErrorAccessDenied', status: 403, message: 'Access is denied. Check credentials and try again.' },
      { fault: 'MailboxNotEnabledForRESTAPI', status: 404, message: 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.' },
    ] as const;
    for (const { fault, status, message } of cases) {
      await labControl.setApiFault({ service: 'graph', account: user, fault });
      await labControl.reset();
      const answer = await callMailApi({ url: graph('/me/mailFolders/inbox'), accessToken });
      expect(answer.status).toBe(status);
      expect(graphErrorOf(answer.body)).toMatchObject({ code: fault, message });
    }
    await labControl.setApiFault({ service: 'graph', account: user, fault: null });
    expect((await callMailApi({ url: graph('/me/mailFolders/inbox'), accessToken })).status).toBe(200);

    const client = await labControl.registerClient({ persona: 'microsoft', redirectUris: ['http://localhost:3000/api/oauth/callback'] });
    const clientToken = await graphToken({ account: user, client });
    await labControl.setApiFault({ service: 'graph', clientId: client.clientId, fault: 'ErrorAccessDenied' });
    expect((await callMailApi({ url: graph('/me'), accessToken: clientToken })).status).toBe(403);
    expect((await callMailApi({ url: graph('/me'), accessToken })).status).toBe(200);
    await labControl.setApiFault({ service: 'graph', clientId: client.clientId, fault: null });
    expect((await callMailApi({ url: graph('/me'), accessToken: clientToken })).status).toBe(200);
  });

  it('throttles an account’s next requests with 429 and Retry-After, and counts them', async () => {
    const user = await ownAccount('throttle');
    const accessToken = await graphToken({ account: user });
    await labControl.setApiThrottle({ service: 'graph', account: user, requests: 2, retryAfterSeconds: 1 });

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const throttled = await callMailApi({ url: graph('/me/mailFolders/inbox'), accessToken });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('1');
      expect(graphErrorOf(throttled.body)).toMatchObject({ code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' });
    }
    expect((await callMailApi({ url: graph('/me/mailFolders/inbox'), accessToken })).status).toBe(200);
    expect(await labControl.apiRequests({ service: 'graph', account: user })).toEqual({ total: 3, byStatus: { '200': 1, '429': 2 } });
    expect(await labControl.apiRequests({ service: 'gmail', account: user })).toEqual({ total: 0, byStatus: {} });
  });

  it('reaches a shared mailbox through its delegate: Full Access to read, Send As to send', async () => {
    const shared = await ownAccount('shared');
    const delegate = await ownAccount('delegate');
    const accessToken = await graphToken({ account: delegate, scopes: [...MAIL_SCOPES, 'Mail.ReadWrite.Shared', 'Mail.Send.Shared'] });
    const sharedPath = `/users/${encodeURIComponent(shared)}`;
    const sendAsShared = () =>
      callMailApi({ url: graph(`${sharedPath}/sendMail`), accessToken, body: sendMailBody({ subject: uniqueSubject('From the shared mailbox'), to: ['customer@elsewhere.lab.test'] }) });
    const sendAsFromHeader = (subject: string) =>
      callMailApi({ url: graph('/me/sendMail'), accessToken, body: sendMailBody({ subject, to: ['customer@elsewhere.lab.test'], from: shared }) });

    expect(graphErrorOf((await callMailApi({ url: graph(sharedPath), accessToken })).body)).toMatchObject({ code: 'ErrorAccessDenied' });
    expect((await callMailApi({ url: graph(`${sharedPath}/mailFolders/inbox`), accessToken })).status).toBe(403);

    await labControl.setDelegation({ mailbox: shared, delegate, fullAccess: true, sendAs: false });
    expect(await callMailApi({ url: graph(sharedPath), accessToken })).toMatchObject({ status: 200, body: { mail: shared } });
    expect(await callMailApi({ url: graph(`${sharedPath}/mailFolders/inbox`), accessToken })).toMatchObject({ status: 200, body: { totalItemCount: 0 } });
    for (const refused of [await sendAsShared(), await sendAsFromHeader('refused')]) {
      expect(refused.status).toBe(403);
      expect(graphErrorOf(refused.body)).toMatchObject({
        code: 'ErrorSendAsDenied',
        message:
          'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.',
      });
    }

    await labControl.setDelegation({ mailbox: shared, delegate, fullAccess: true, sendAs: true });
    expect((await sendAsShared()).status).toBe(202);
    const subject = uniqueSubject('Sent as the shared mailbox');
    expect((await sendAsFromHeader(subject)).status).toBe(202);
    const [received] = (await labControl.receivedMessages({ to: 'customer@elsewhere.lab.test' })).filter((message) => message.subject === subject);
    expect(received?.envelopeFrom).toBe(shared);
    expect(parseAddresses(headerValue(parseHeaders(received?.raw ?? ''), 'from')).map(({ address }) => address)).toEqual([shared]);

    // Without Mail.Send.Shared a token sends from its own mailbox only, whatever the rights.
    const ownMailOnly = await graphToken({ account: delegate });
    expect(graphErrorOf((await callMailApi({ url: graph(`${sharedPath}/sendMail`), accessToken: ownMailOnly, body: sendMailBody({ subject: 'no', to: [delegate] }) })).body)).toMatchObject({ code: 'ErrorAccessDenied' });

    await labControl.removeDelegation({ mailbox: shared, delegate });
    expect((await sendAsShared()).status).toBe(403);
    expect((await callMailApi({ url: graph(`${sharedPath}/mailFolders/inbox`), accessToken })).status).toBe(403);
  });
});
