// Issue 17, part 3: what Microsoft Graph and the Gmail API answer, read from their own error bodies,
// classified with the hint a person acts on and the person who fixes it.
import { describe, expect, it } from 'vitest';
import { renderProblem } from '@/lib/errors';
import { whoFixesFailure } from '@/lib/mailboxes/status';
import { mailApiErrorOf, retryAfterSecondsOf, type MailApiService } from '@/lib/mail-api/mail-api-error';
import { classifyFailure, type ApiEvidence, type FailureEvidence } from '@/lib/tester/classify-failure';

const GRAPH_SCOPES = ['https://graph.microsoft.com/Mail.ReadWrite', 'https://graph.microsoft.com/Mail.Send', 'https://graph.microsoft.com/User.Read', 'openid', 'profile', 'email'];
const GMAIL_SCOPES = ['https://www.googleapis.com/auth/gmail.modify', 'https://www.googleapis.com/auth/gmail.send', 'openid', 'email'];
const INNER_ERROR = { date: '2026-11-29T10:12:03', 'request-id': '6f0c8b8e-1c2d-4e5f-9a0b-1c2d3e4f5a6b', 'client-request-id': '6f0c8b8e-1c2d-4e5f-9a0b-1c2d3e4f5a6b' };

/** Microsoft Graph's error bodies, as Graph sends them. */
const graph = (code: string, message: string) => JSON.stringify({ error: { code, message, innerError: INNER_ERROR } });

/** The Gmail API's error bodies, as Google sends them. */
const GMAIL = {
  insufficientPermissions: {
    error: {
      code: 403,
      message: 'Request had insufficient authentication scopes.',
      errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
          domain: 'googleapis.com',
          metadata: { service: 'gmail.googleapis.com', method: 'caribou.api.proto.MailboxService.GetProfile' },
        },
      ],
    },
  },
  accessNotConfigured: {
    error: {
      code: 403,
      message:
        'Gmail API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012 then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.',
      errors: [
        {
          message:
            'Gmail API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012 then retry.',
          domain: 'usageLimits',
          reason: 'accessNotConfigured',
          extendedHelp: 'https://console.developers.google.com',
        },
      ],
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.Help',
          links: [{ description: 'Google developers console API activation', url: 'https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012' }],
        },
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: {
            service: 'gmail.googleapis.com',
            consumer: 'projects/123456789012',
            activationUrl: 'https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012',
            serviceTitle: 'Gmail API',
          },
        },
      ],
    },
  },
  failedPrecondition: {
    error: {
      code: 400,
      message: 'Mail service not enabled',
      errors: [{ message: 'Mail service not enabled', domain: 'global', reason: 'failedPrecondition' }],
      status: 'FAILED_PRECONDITION',
    },
  },
  authError: {
    error: {
      code: 401,
      message:
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
      errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
      status: 'UNAUTHENTICATED',
    },
  },
  rateLimitExceeded: {
    error: {
      code: 429,
      message: 'User-rate limit exceeded.  Retry after 2026-11-29T10:30:00.000Z',
      errors: [{ message: 'User-rate limit exceeded.  Retry after 2026-11-29T10:30:00.000Z', domain: 'usageLimits', reason: 'rateLimitExceeded' }],
      status: 'RESOURCE_EXHAUSTED',
    },
  },
};

const BASE: FailureEvidence = { stage: 'api', protocol: 'graph', serverType: 'microsoft365', authKind: 'oauth', server: 'graph.microsoft.com:443', freshToken: true };

/** A step's failure from what the provider answered, as the tester would classify it. */
function classifyAnswer(options: {
  service: MailApiService;
  status: number;
  body: string | object;
  retryAfter?: string;
  facts?: Partial<ApiEvidence>;
}) {
  const error = mailApiErrorOf({
    service: options.service,
    status: options.status,
    body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    retryAfter: options.retryAfter ?? null,
    secrets: [],
  });
  const gmail = options.service === 'gmail';
  const failure = classifyFailure({
    ...BASE,
    ...(gmail ? { protocol: 'gmail_api', serverType: 'gmail', server: 'gmail.googleapis.com:443' } : {}),
    api: {
      service: options.service,
      right: 'account',
      mailbox: gmail ? 'carol@gmail.example' : 'carol@contoso.example',
      account: gmail ? 'carol@gmail.example' : 'carol@contoso.example',
      shared: false,
      grantedScopes: gmail ? GMAIL_SCOPES : GRAPH_SCOPES,
      refusal: { status: error.status, code: error.code, message: error.message, retryAfterSeconds: error.retryAfterSeconds, activationUrl: error.activationUrl },
      ...options.facts,
    },
  });
  return { error, failure, fixedBy: whoFixesFailure(failure, { serverType: gmail ? 'gmail' : 'microsoft365' }) };
}

describe('a mail API’s refusal, read from its own body', () => {
  it('takes Graph’s error.code and Gmail’s errors[0].reason, the provider’s text and Retry-After', () => {
    const graphError = mailApiErrorOf({ service: 'graph', status: 403, body: graph('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'), retryAfter: null, secrets: [] });
    expect(graphError).toMatchObject({ service: 'graph', status: 403, code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.', retryAfterSeconds: null });
    const gmailError = mailApiErrorOf({ service: 'gmail', status: 429, body: JSON.stringify(GMAIL.rateLimitExceeded), retryAfter: '7', secrets: [] });
    expect(gmailError).toMatchObject({ service: 'gmail', status: 429, code: 'rateLimitExceeded', retryAfterSeconds: 7 });
  });

  it('finds where Google enables the Gmail API, in its ErrorInfo or else in its words', () => {
    const fromDetails = mailApiErrorOf({ service: 'gmail', status: 403, body: JSON.stringify(GMAIL.accessNotConfigured), retryAfter: null, secrets: [] });
    expect(fromDetails.activationUrl).toBe('https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012');
    const withoutDetails = { error: { ...GMAIL.accessNotConfigured.error, details: undefined } };
    expect(mailApiErrorOf({ service: 'gmail', status: 403, body: JSON.stringify(withoutDetails), retryAfter: null, secrets: [] }).activationUrl).toBe(
      'https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012',
    );
  });

  it('keeps the status of a body of another shape, shortens long words and never repeats the token', () => {
    const token = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-part';
    const proxyPage = mailApiErrorOf({ service: 'graph', status: 502, body: `<html><body>Bad gateway for Bearer ${token} ${'x'.repeat(500)}</body></html>`, retryAfter: null, secrets: [token] });
    expect(proxyPage.code).toBe('http_502');
    expect(proxyPage.message.length).toBeLessThanOrEqual(300);
    expect(proxyPage.message).not.toContain(token);
    expect(proxyPage.reply).toMatch(/^502 http_502: <html>/);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSecondsOf('1')).toBe(1);
    expect(retryAfterSecondsOf('Sun, 29 Nov 2026 10:00:30 GMT', Date.parse('2026-11-29T10:00:00Z'))).toBe(30);
    expect(retryAfterSecondsOf('soon')).toBeNull();
    expect(retryAfterSecondsOf(null)).toBeNull();
  });
});

describe('classifyFailure, for Microsoft Graph', () => {
  it('InvalidAuthenticationToken: a token for another resource is the scopes’ fault, an expired one a refused token', () => {
    const audience = classifyAnswer({ service: 'graph', status: 401, body: graph('InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.') });
    expect(audience.failure).toMatchObject({ code: 'scope_missing', message: expect.stringMatching(/issued for another resource/), hint: expect.stringMatching(/not those of outlook\.office\.com/) });
    expect(audience.fixedBy).toBe('admin');
    const expired = classifyAnswer({ service: 'graph', status: 401, body: graph('InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.') });
    expect(expired.failure).toMatchObject({ code: 'auth_failed', message: expect.stringContaining('Lifetime validation failed, the token is expired.'), hint: expect.stringMatching(/Test again/) });
    expect(expired.fixedBy).toBe('owner');
  });

  it('ErrorAccessDenied: the missing scope when the grant lacks it, Full Access for a shared mailbox, else the tenant’s policy', () => {
    const body = graph('ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    const noReadScope = classifyAnswer({ service: 'graph', status: 403, body, facts: { right: 'read', grantedScopes: ['https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com/Mail.Send'] } });
    expect(noReadScope.failure).toMatchObject({ code: 'scope_missing', message: expect.stringMatching(/Microsoft Graph needs the scope Mail\.ReadWrite to read the inbox/), hint: expect.stringMatching(/^Add Mail\.ReadWrite to the profile’s scopes/) });
    const sharedMailbox = { right: 'read', shared: true, mailbox: 'info@contoso.example', account: 'alice@contoso.example' } as const;
    // Graph opens another user's mailbox only with the .Shared permissions.
    const noSharedScope = classifyAnswer({ service: 'graph', status: 403, body, facts: sharedMailbox });
    expect(noSharedScope.failure).toMatchObject({ code: 'scope_missing', hint: expect.stringMatching(/^Add Mail\.ReadWrite\.Shared to the profile’s scopes/) });
    const delegate = classifyAnswer({ service: 'graph', status: 403, body, facts: { ...sharedMailbox, grantedScopes: [...GRAPH_SCOPES, 'Mail.ReadWrite.Shared', 'Mail.Send.Shared'] } });
    expect(delegate.failure).toMatchObject({ code: 'api_access_denied', hint: expect.stringMatching(/gives alice@contoso\.example Full Access to info@contoso\.example/) });
    expect(delegate.fixedBy).toBe('admin');
    const policy = classifyAnswer({ service: 'graph', status: 403, body, facts: { right: 'read' } });
    expect(policy.failure).toMatchObject({ code: 'api_access_denied', message: expect.stringContaining('Access is denied'), hint: expect.stringMatching(/application access policy/) });
  });

  it('MailboxNotEnabledForRESTAPI: Graph reaches only active Exchange Online mailboxes', () => {
    const { failure, fixedBy } = classifyAnswer({ service: 'graph', status: 404, body: graph('MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.') });
    expect(failure).toMatchObject({ code: 'api_disabled', message: expect.stringContaining('hosted on-premise'), hint: expect.stringMatching(/only active Exchange Online mailboxes/) });
    expect(fixedBy).toBe('admin');
  });

  it('ErrorSendAsDenied: names the delegate and the mailbox it must send as', () => {
    const { failure, fixedBy } = classifyAnswer({
      service: 'graph',
      status: 403,
      body: graph('ErrorSendAsDenied', 'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.'),
      facts: { right: 'send', shared: true, mailbox: 'info@contoso.example', account: 'alice@contoso.example' },
    });
    expect(failure).toMatchObject({ code: 'send_as_denied', message: 'Microsoft Graph does not let alice@contoso.example send as info@contoso.example: 403 ErrorSendAsDenied: The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.' });
    expect(failure.hint).toContain('Add-RecipientPermission info@contoso.example -AccessRights SendAs -Trustee alice@contoso.example');
    expect(fixedBy).toBe('admin');
  });

  it('throttling beyond the test’s budget says how long Graph asked to wait', () => {
    const { failure, fixedBy } = classifyAnswer({ service: 'graph', status: 429, body: graph('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'), retryAfter: '120' });
    expect(failure).toMatchObject({ code: 'throttled', message: expect.stringMatching(/asked to wait 120 seconds, longer than the test could/), hint: expect.stringMatching(/^Test again in a few minutes/) });
    expect(fixedBy).toBe('owner');
  });

  it('an unknown user is a missing mailbox; another answer is quoted with its status and code', () => {
    expect(classifyAnswer({ service: 'graph', status: 404, body: graph('ErrorInvalidUser', "The requested user 'info@contoso.example' is invalid.") }).failure.code).toBe('mailbox_missing');
    expect(classifyAnswer({ service: 'graph', status: 500, body: graph('generalException', 'General exception while processing.') }).failure).toMatchObject({
      code: 'unknown',
      message: 'Microsoft Graph refused the request (HTTP 500, generalException): General exception while processing.',
    });
  });
});

describe('classifyFailure, for the Gmail API', () => {
  it('insufficientPermissions: names the scope the step needs', () => {
    const { failure, fixedBy } = classifyAnswer({ service: 'gmail', status: 403, body: GMAIL.insufficientPermissions, facts: { right: 'send', grantedScopes: ['https://www.googleapis.com/auth/gmail.readonly'] } });
    expect(failure).toMatchObject({ code: 'scope_missing', message: expect.stringMatching(/^The Gmail API needs the scope https:\/\/www\.googleapis\.com\/auth\/gmail\.send to send mail/) });
    expect(fixedBy).toBe('admin');
  });

  it('accessNotConfigured: says where to enable the Gmail API, the error’s own project page, else the Cloud console’s', () => {
    const { failure, fixedBy } = classifyAnswer({ service: 'gmail', status: 403, body: GMAIL.accessNotConfigured });
    expect(failure).toMatchObject({ code: 'api_disabled', hint: expect.stringContaining('at https://console.developers.google.com/apis/api/gmail.googleapis.com/overview?project=123456789012 (signed in') });
    expect(fixedBy).toBe('admin');
    const bare = { error: { code: 403, message: 'Access Not Configured.', errors: [{ reason: 'accessNotConfigured', message: 'Access Not Configured.' }], status: 'PERMISSION_DENIED' } };
    expect(classifyAnswer({ service: 'gmail', status: 403, body: bare }).failure.hint).toContain('https://console.cloud.google.com/apis/library/gmail.googleapis.com');
  });

  it('failedPrecondition: the Workspace admin turns Gmail on for the account', () => {
    const { failure, fixedBy } = classifyAnswer({ service: 'gmail', status: 400, body: GMAIL.failedPrecondition });
    expect(failure).toMatchObject({ code: 'api_disabled', message: expect.stringContaining('Mail service not enabled'), hint: expect.stringMatching(/Google Workspace admin turns Gmail on/) });
    expect(fixedBy).toBe('admin');
  });

  it('authError and rateLimitExceeded: a refused token, and throttling', () => {
    expect(classifyAnswer({ service: 'gmail', status: 401, body: GMAIL.authError }).failure).toMatchObject({ code: 'auth_failed', message: expect.stringContaining('authError') });
    expect(classifyAnswer({ service: 'gmail', status: 429, body: GMAIL.rateLimitExceeded, retryAfter: '60' }).failure).toMatchObject({
      code: 'throttled',
      message: expect.stringMatching(/^The Gmail API is limiting requests for this mailbox and asked to wait 60 seconds/),
    });
  });
});

describe('classifyFailure, for what the tester finds itself', () => {
  const found = (facts: Partial<ApiEvidence>, service: MailApiService = 'graph') =>
    classifyFailure({
      ...BASE,
      api: { service, right: 'account', mailbox: 'carol@contoso.example', account: 'carol@contoso.example', shared: false, grantedScopes: GRAPH_SCOPES, ...facts },
    });

  it('another account than the mailbox, a grant without the send right, a test message that never came', () => {
    expect(found({ otherAccount: 'dave@contoso.example' })).toMatchObject({ code: 'auth_failed', message: 'Microsoft Graph says the token is for dave@contoso.example, not for carol@contoso.example.', hint: 'The owner reconnects the mailbox, signing in as carol@contoso.example.' });
    expect(found({ right: 'send', lacksRight: true, grantedScopes: ['Mail.ReadWrite'] })).toMatchObject({ code: 'scope_missing', hint: expect.stringMatching(/^Add Mail\.Send/) });
    expect(found({ right: 'read', notArrivedWithin: 30 })).toMatchObject({ code: 'unknown', message: expect.stringMatching(/did not arrive in the inbox of carol@contoso\.example within 30 seconds/) });
  });

  it('a certificate the portal does not trust, on the way to the API', () => {
    expect(classifyFailure({ ...BASE, errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })).toMatchObject({ code: 'certificate_untrusted' });
    expect(classifyFailure({ ...BASE, errorCode: 'ECONNREFUSED' }).code).toBe('refused');
  });

  it('reads in French with French typography', () => {
    const { failure } = classifyAnswer({ service: 'gmail', status: 400, body: GMAIL.failedPrecondition });
    expect(renderProblem(failure, 'fr').message).toBe('Google indique que Gmail n’est pas activé pour ce compte\u00a0: 400 failedPrecondition: Mail service not enabled');
  });
});
