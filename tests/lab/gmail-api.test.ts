import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { headerValue, parseAddresses, parseHeaders } from '../../scripts/lab/mail-headers';
import { callMailApi, getLab, getTokensByCodeFlow, labControl, labIsAvailable, type OAuthClient } from '../helpers/lab';

const GMAIL_MODIFY = 'https://www.googleapis.com/auth/gmail.modify';
const GMAIL_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
const GMAIL_SEND = 'https://www.googleapis.com/auth/gmail.send';

// Every fault and throttle here belongs to an account or a client of this file's own.
async function ownAccount(name: string): Promise<string> {
  const email = `gmail-${name}-${randomBytes(4).toString('hex')}@gmail.lab.test`;
  await labControl.createAccount({ email, provider: 'google', name: `Gmail ${name}` });
  return email;
}

async function gmailToken(options: { account: string; scopes?: string[]; client?: OAuthClient }): Promise<string> {
  const { accessToken } = await getTokensByCodeFlow({
    persona: 'google',
    account: options.account,
    scopes: ['openid', 'email', ...(options.scopes ?? [GMAIL_MODIFY, GMAIL_SEND])],
    client: options.client,
  });
  return accessToken;
}

const gmail = (path: string) => `${getLab().api.gmail.baseUrl}${path}`;
const uniqueSubject = (what: string) => `${what} ${randomBytes(4).toString('hex')}`;

function rawMessage(options: { from: string; to: string; bcc?: string; subject: string }): string {
  const lines = [
    `From: ${options.from}`,
    `To: ${options.to}`,
    ...(options.bcc ? [`Bcc: ${options.bcc}`] : []),
    `Subject: ${options.subject}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Sent through the lab’s Gmail API.',
  ];
  return Buffer.from(lines.join('\r\n')).toString('base64url');
}

type GoogleError = { code: number; message: string; status: string; errors: { reason: string; domain: string; message: string }[]; details?: Record<string, unknown>[] };

function googleErrorOf(body: unknown): GoogleError {
  return (body as { error: GoogleError }).error;
}

describe.skipIf(!labIsAvailable)('the lab’s Gmail API', () => {
  it('answers the profile and INBOX, and a message sent is in the sink, then in the inbox and found by search', async () => {
    const user = await ownAccount('send');
    const accessToken = await gmailToken({ account: user });

    expect(await callMailApi({ url: gmail('/users/me/profile'), accessToken })).toMatchObject({
      status: 200,
      body: { emailAddress: user, messagesTotal: 0, threadsTotal: 0, historyId: expect.stringMatching(/^\d+$/) },
    });
    expect(await callMailApi({ url: gmail(`/users/${encodeURIComponent(user)}/labels/INBOX`), accessToken })).toMatchObject({
      status: 200,
      body: { id: 'INBOX', name: 'INBOX', type: 'system', messagesTotal: 0, messagesUnread: 0 },
    });
    // Gmail leaves `messages` out when nothing matches.
    expect((await callMailApi({ url: gmail('/users/me/messages?labelIds=INBOX'), accessToken })).body).toEqual({ resultSizeEstimate: 0 });

    const subject = uniqueSubject('Alice’s "quoted" test');
    const raw = rawMessage({ from: 'someone-else@gmail.lab.test', to: user, bcc: 'hidden@elsewhere.lab.test', subject });
    const sent = await callMailApi({ url: gmail('/users/me/messages/send'), accessToken, body: { raw } });
    expect(sent).toMatchObject({ status: 200, body: { id: expect.any(String), threadId: expect.any(String), labelIds: ['SENT'] } });

    const [received] = (await labControl.receivedMessages({ to: user })).filter((message) => message.subject === subject);
    expect(received).toMatchObject({ envelopeFrom: user, envelopeTo: [user, 'hidden@elsewhere.lab.test'] });
    const headers = parseHeaders(received?.raw ?? '');
    // Gmail sends from the account itself, and Bcc leaves the message.
    expect(parseAddresses(headerValue(headers, 'from')).map(({ address }) => address)).toEqual([user]);
    expect(headerValue(headers, 'bcc')).toBeNull();
    const [inInbox] = (await labControl.inbox({ account: user })).filter((message) => message.subject === subject);
    expect(inInbox).toMatchObject({ from: user, messageId: expect.stringMatching(/^<.+>$/) });

    const byMessageId = new URLSearchParams({ q: `rfc822msgid:${inInbox?.messageId ?? ''}`, labelIds: 'INBOX', maxResults: '5' });
    const bySubject = new URLSearchParams({ q: 'subject:"quoted" test', maxResults: '5' });
    for (const search of [byMessageId, bySubject]) {
      expect((await callMailApi({ url: gmail(`/users/me/messages?${search.toString()}`), accessToken })).body).toEqual({
        messages: [{ id: inInbox?.id, threadId: inInbox?.id }],
        resultSizeEstimate: 1,
      });
    }
    const metadata = await callMailApi({ url: gmail(`/users/me/messages/${inInbox?.id ?? ''}?format=metadata&metadataHeaders=Subject&metadataHeaders=Message-ID`), accessToken });
    expect(metadata).toMatchObject({
      status: 200,
      body: {
        id: inInbox?.id,
        labelIds: ['INBOX', 'UNREAD'],
        snippet: 'Sent through the lab’s Gmail API.',
        payload: { headers: expect.arrayContaining([{ name: 'Subject', value: subject }, { name: 'Message-ID', value: inInbox?.messageId }]) },
      },
    });
    expect((metadata.body as { payload: { headers: unknown[] } }).payload.headers).toHaveLength(2);
    expect((await callMailApi({ url: gmail('/users/me/profile'), accessToken })).body).toMatchObject({ messagesTotal: 1 });
  });

  it('refuses a missing token, a Microsoft token and another user’s mailbox', async () => {
    const user = await ownAccount('tokens');
    const missing = await callMailApi({ url: gmail('/users/me/profile') });
    expect(missing.status).toBe(401);
    expect(googleErrorOf(missing.body)).toMatchObject({ code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'required' }] });

    const { accessToken: microsoftToken } = await getTokensByCodeFlow({ persona: 'microsoft', account: 'carol@contoso.lab.test' });
    const foreign = await callMailApi({ url: gmail('/users/me/profile'), accessToken: microsoftToken });
    expect(foreign.status).toBe(401);
    expect(googleErrorOf(foreign.body)).toMatchObject({
      code: 401,
      message: expect.stringMatching(/^Request had invalid authentication credentials\./),
      status: 'UNAUTHENTICATED',
      errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError' }],
    });

    const accessToken = await gmailToken({ account: user });
    const delegated = await callMailApi({ url: gmail('/users/alice@gmail.lab.test/profile'), accessToken });
    expect(delegated.status).toBe(403);
    expect(googleErrorOf(delegated.body)).toMatchObject({ message: 'Delegation denied for alice@gmail.lab.test', status: 'PERMISSION_DENIED' });
  });

  it('refuses a token without a scope of the call: insufficientPermissions', async () => {
    const user = await ownAccount('scopes');
    const expectInsufficient = (answer: { status: number; body: unknown }, method: string) => {
      expect(answer.status).toBe(403);
      expect(googleErrorOf(answer.body)).toEqual({
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            domain: 'googleapis.com',
            metadata: { method: `caribou.api.proto.MailboxService.${method}`, service: 'gmail.googleapis.com' },
          },
        ],
      });
    };
    const identityOnly = await gmailToken({ account: user, scopes: [] });
    expectInsufficient(await callMailApi({ url: gmail('/users/me/profile'), accessToken: identityOnly }), 'GetProfile');

    const readOnly = await gmailToken({ account: user, scopes: [GMAIL_READONLY] });
    expect((await callMailApi({ url: gmail('/users/me/labels/INBOX'), accessToken: readOnly })).status).toBe(200);
    const raw = rawMessage({ from: user, to: user, subject: 'never sent' });
    expectInsufficient(await callMailApi({ url: gmail('/users/me/messages/send'), accessToken: readOnly, body: { raw } }), 'SendMessage');

    const sendOnly = await gmailToken({ account: user, scopes: [GMAIL_SEND] });
    expectInsufficient(await callMailApi({ url: gmail('/users/me/messages'), accessToken: sendOnly }), 'ListMessages');
    expect((await callMailApi({ url: gmail('/users/me/messages/send'), accessToken: sendOnly, body: { raw } })).status).toBe(200);
  });

  it('answers the Gmail API turned off for a client’s project, and the mail service off for an account, until cleared', async () => {
    const user = await ownAccount('faults');
    const client = await labControl.registerClient({ persona: 'google', redirectUris: ['http://localhost:3000/api/oauth/callback'] });
    const clientToken = await gmailToken({ account: user, client });
    const accessToken = await gmailToken({ account: user });

    await labControl.setApiFault({ service: 'gmail', clientId: client.clientId, fault: 'accessNotConfigured' });
    await labControl.reset();
    const disabled = await callMailApi({ url: gmail('/users/me/profile'), accessToken: clientToken });
    expect(disabled.status).toBe(403);
    const error = googleErrorOf(disabled.body);
    const project = /project (\d+) before/.exec(error.message)?.[1];
    const activationUrl = `https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=${project ?? ''}`;
    expect(error).toMatchObject({
      message: expect.stringMatching(new RegExp(`^Gmail API has not been used in project \\d+ before or it is disabled\\. Enable it by visiting ${activationUrl.replace(/[.?]/g, '\\$&')} then retry\\.`)),
      status: 'PERMISSION_DENIED',
      errors: [{ reason: 'accessNotConfigured' }],
      details: expect.arrayContaining([expect.objectContaining({ reason: 'SERVICE_DISABLED', metadata: expect.objectContaining({ activationUrl }) })]),
    });
    expect((await callMailApi({ url: gmail('/users/me/profile'), accessToken })).status).toBe(200);
    await labControl.setApiFault({ service: 'gmail', clientId: client.clientId, fault: null });
    expect((await callMailApi({ url: gmail('/users/me/profile'), accessToken: clientToken })).status).toBe(200);

    await labControl.setApiFault({ service: 'gmail', account: user, fault: 'failedPrecondition' });
    const mailOff = await callMailApi({ url: gmail('/users/me/profile'), accessToken });
    expect(mailOff.status).toBe(400);
    expect(googleErrorOf(mailOff.body)).toMatchObject({ code: 400, message: 'Mail service not enabled', status: 'FAILED_PRECONDITION', errors: [{ reason: 'failedPrecondition' }] });
    await labControl.setApiFault({ service: 'gmail', account: user, fault: null });
    expect((await callMailApi({ url: gmail('/users/me/profile'), accessToken })).status).toBe(200);
  });

  it('throttles an account’s next requests with 429 and Retry-After, and counts them', async () => {
    const user = await ownAccount('throttle');
    const accessToken = await gmailToken({ account: user });
    await labControl.setApiThrottle({ service: 'gmail', account: user, requests: 1, retryAfterSeconds: 2 });

    const throttled = await callMailApi({ url: gmail('/users/me/profile'), accessToken });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(googleErrorOf(throttled.body)).toMatchObject({ code: 429, message: 'User-rate limit exceeded.', status: 'RESOURCE_EXHAUSTED', errors: [{ reason: 'rateLimitExceeded' }] });
    expect((await callMailApi({ url: gmail('/users/me/profile'), accessToken })).status).toBe(200);
    expect(await labControl.apiRequests({ service: 'gmail', account: user })).toEqual({ total: 2, byStatus: { '200': 1, '429': 1 } });
  });
});
