import { createServer, type IncomingMessage } from 'node:http';
import { z } from 'zod';
import { listen, readBody, sendJson } from './http-utilities';
import { LAB_HOST } from './lab-config';
import { GMAIL_FAULTS, GRAPH_FAULTS } from './mail-apis';
import type { Lab } from './start-lab';

const persona = z.enum(['google', 'microsoft']);
const mailServer = z.enum(['gmail', 'microsoft', 'generic']);
const account = z.email();
const mailApi = z.enum(['graph', 'gmail']);

const schemas = {
  tokenFault: z.object({ persona, clientId: z.string().min(1).optional(), fault: z.enum(['server_error', 'hang', 'invalid_grant']).nullable() }),
  accessTokenLifetime: z.object({ persona, clientId: z.string().min(1).optional(), seconds: z.number().int().positive().nullable() }),
  revokeGrants: z.object({ account }),
  adminConsent: z.object({ clientId: z.string().min(1), required: z.boolean() }),
  slowDown: z.object({ persona, clientId: z.string().min(1), polls: z.number().int().min(0) }),
  idTokenFault: z.object({ persona, clientId: z.string().min(1), fault: z.enum(['foreign_key', 'other_audience', 'expired']).nullable() }),
  liveTokens: z.object({ persona, clientId: z.string().min(1), account }),
  accountSwitch: z.object({ account, disabled: z.boolean() }),
  smtpFault: z.object({ account, fault: z.enum(['defer', 'stall', 'withhold_reply']).nullable(), times: z.number().int().positive().default(1) }),
  serverFault: z.object({
    server: mailServer,
    protocol: z.enum(['imap', 'pop3', 'smtp']).optional(),
    fault: z.enum(['unreachable', 'hang']).nullable(),
  }),
  client: z.object({
    persona,
    redirectUris: z.array(z.url()).default([]),
    confidential: z.boolean().default(true),
    deviceFlow: z.boolean().default(false),
    tokenEndpointAuthMethod: z.enum(['client_secret_post', 'client_secret_basic']).optional(),
  }),
  mailPorts: z.object({ server: mailServer }),
  apiFault: z
    .object({
      service: mailApi,
      account: account.optional(),
      clientId: z.string().min(1).optional(),
      fault: z.enum([...GRAPH_FAULTS, ...GMAIL_FAULTS]).nullable(),
    })
    .refine((input) => (input.account === undefined) !== (input.clientId === undefined), 'Name either an account or a client id'),
  apiThrottle: z.object({ service: mailApi, account, requests: z.number().int().min(0), retryAfterSeconds: z.number().int().min(0) }),
  delegation: z.object({ mailbox: account, delegate: account, fullAccess: z.boolean(), sendAs: z.boolean() }),
  delegationOf: z.object({ mailbox: account, delegate: account }),
  inbox: z.object({ account }),
  apiRequests: z.object({ service: mailApi, account }),
  counters: z.object({ clientId: z.string().min(1).optional(), portsId: z.string().min(1).optional() }),
  account: z.object({
    email: account,
    name: z.string().min(1).optional(),
    provider: z.enum(['google', 'microsoft', 'password']),
    password: z.string().min(1).optional(),
    tenantId: z.uuid().optional(),
  }),
};

async function parseJson<T>(options: { req: IncomingMessage; schema: z.ZodType<T> }): Promise<T> {
  const text = await readBody(options.req);
  return options.schema.parse(text ? JSON.parse(text) : {});
}

/** The loopback HTTP API through which tests, in their own processes, act on the one running lab. */
export async function startControlApi(options: { lab: Lab }): Promise<{ url: string; stop: () => Promise<void> }> {
  const { lab } = options;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://lab');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const respond = async (): Promise<unknown> => {
      switch (route) {
        case 'GET /info':
          return lab.info;
        case 'POST /reset':
          return lab.reset();
        case 'POST /token-fault':
          return lab.setTokenFault(await parseJson({ req, schema: schemas.tokenFault }));
        case 'POST /access-token-lifetime':
          return lab.setAccessTokenLifetime(await parseJson({ req, schema: schemas.accessTokenLifetime }));
        case 'POST /admin-consent':
          return lab.setAdminConsentRequired(await parseJson({ req, schema: schemas.adminConsent }));
        case 'POST /slow-down':
          return lab.setSlowDown(await parseJson({ req, schema: schemas.slowDown }));
        case 'POST /id-token-fault':
          return lab.setIdTokenFault(await parseJson({ req, schema: schemas.idTokenFault }));
        case 'GET /live-tokens':
          return lab.liveTokens(schemas.liveTokens.parse(Object.fromEntries(url.searchParams)));
        case 'POST /revoke-grants':
          return { revoked: lab.revokeGrants(await parseJson({ req, schema: schemas.revokeGrants })) };
        case 'POST /smtp-auth':
          return lab.setSmtpAuthDisabled(await parseJson({ req, schema: schemas.accountSwitch }));
        case 'POST /smtp-fault':
          return lab.setSmtpFault(await parseJson({ req, schema: schemas.smtpFault }));
        case 'POST /imap-access':
          return lab.setImapDisabled(await parseJson({ req, schema: schemas.accountSwitch }));
        case 'POST /server-fault':
          return lab.setServerFault(await parseJson({ req, schema: schemas.serverFault }));
        case 'GET /messages':
          return lab.receivedMessages({ to: url.searchParams.get('to') ?? undefined });
        case 'DELETE /messages':
          return lab.clearReceivedMessages();
        case 'GET /token-requests':
          return lab.tokenRequests({ clientId: url.searchParams.get('clientId') ?? undefined });
        case 'GET /connection-stats':
          return lab.connectionStats({ portsId: url.searchParams.get('portsId') ?? undefined });
        case 'POST /reset-counters':
          return lab.resetCounters(await parseJson({ req, schema: schemas.counters }));
        case 'POST /mail-ports':
          return lab.openMailPorts(await parseJson({ req, schema: schemas.mailPorts }));
        case 'GET /inbox':
          return lab.inbox(schemas.inbox.parse(Object.fromEntries(url.searchParams)));
        case 'POST /api-fault':
          return lab.setApiFault(await parseJson({ req, schema: schemas.apiFault }));
        case 'POST /api-throttle':
          return lab.setApiThrottle(await parseJson({ req, schema: schemas.apiThrottle }));
        case 'GET /api-requests':
          return lab.apiRequests(schemas.apiRequests.parse(Object.fromEntries(url.searchParams)));
        case 'POST /delegation':
          return lab.setDelegation(await parseJson({ req, schema: schemas.delegation }));
        case 'DELETE /delegation':
          return lab.removeDelegation(schemas.delegationOf.parse(Object.fromEntries(url.searchParams)));
        case 'POST /clients':
          return lab.registerClient(await parseJson({ req, schema: schemas.client }));
        case 'POST /accounts': {
          const input = await parseJson({ req, schema: schemas.account });
          return lab.createAccount({ ...input, name: input.name ?? input.email });
        }
        default:
          throw new NotFound(route);
      }
    };
    respond().then(
      (body) => sendJson({ res, status: 200, body: body ?? { ok: true } }),
      (error: unknown) => {
        const status = error instanceof NotFound ? 404 : error instanceof z.ZodError || error instanceof SyntaxError ? 422 : 400;
        sendJson({ res, status, body: { error: error instanceof Error ? error.message : String(error) } });
      },
    );
  });
  const port = await listen({ server, host: LAB_HOST });
  return {
    url: `http://${LAB_HOST}:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class NotFound extends Error {
  constructor(route: string) {
    super(`No control route ${route}`);
  }
}
