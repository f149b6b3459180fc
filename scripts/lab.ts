// `npm run lab`: the mail lab in the foreground, until Ctrl-C.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Endpoint, LabInfo, PersonaInfo } from './lab/lab-info';
import { GMAIL_MODIFY_SCOPE, GMAIL_SEND_SCOPE, portalCallbackUrl } from './lab/lab-config';
import { Lab, LabUnavailableError } from './lab/start-lab';

const CA_PATH = resolve('.data/mail-lab-ca.pem');

function address(endpoint: Endpoint): string {
  return `${endpoint.host}:${endpoint.port}`;
}

function oauthProfile(options: { title: string; serverType: string; persona: PersonaInfo; clientKey: string; scopes: string[]; transports: string[] }): string {
  const { persona } = options;
  const client = persona.clients[options.clientKey];
  if (!client) throw new Error(`No ${options.clientKey} client for ${persona.name}`);
  const authType = client.clientSecret ? 'oauth2_code' : 'oauth2_device';
  return [
    `${options.title}`,
    `  server type        ${options.serverType}`,
    `  authentication     ${authType}`,
    `  client id          ${client.clientId}`,
    `  client secret      ${client.clientSecret ?? '(none: public client)'}`,
    ...(persona.tenant ? [`  tenant             ${persona.tenant}`] : []),
    `  authorization URL  ${persona.endpoints.authorization}`,
    `  token URL          ${persona.endpoints.token}`,
    `  device URL         ${persona.endpoints.device}`,
    `  revocation URL     ${persona.endpoints.revocation ?? '(none)'}`,
    `  userinfo URL       ${persona.endpoints.userinfo}`,
    `  issuer             ${persona.issuer}`,
    `  JWKS URL           ${persona.endpoints.jwks}`,
    `  scopes             ${options.scopes.join(' ')}`,
    `  redirect URIs      ${client.redirectUris.join(' ')}`,
    ...options.transports,
  ].join('\n');
}

function socketTransports(mail: LabInfo['mail']['gmail']): string[] {
  return [
    `  incoming           IMAP ${address(mail.imap.tls)} TLS (POP3 ${address(mail.pop3.tls)} TLS)`,
    `  outgoing           SMTP ${address(mail.smtp.starttls)} STARTTLS (or ${address(mail.smtp.tls)} TLS)`,
    `  internal server    yes (loopback)`,
  ];
}

function apiTransports(options: { name: string; baseUrl: string }): string[] {
  return [
    `  incoming           ${options.name}`,
    `  outgoing           ${options.name}`,
    `  API base URL       ${options.baseUrl}`,
  ];
}

/** The control API's routes (scripts/lab/control-api.ts; tests/helpers/lab.ts calls them with their options). */
const CONTROL_ROUTES: [string, string][] = [
  ['GET /info', 'ports, endpoints, clients and the CA, as JSON'],
  ['GET /messages?to=ADDRESS', 'mail the relay sink received (DELETE /messages empties it)'],
  ['POST /revoke-grants', '{"account"}: revoke every grant of an account, as a user or an admin would'],
  ['POST /token-fault', '{"persona","fault"}: server_error, hang or invalid_grant at the token endpoint; null restores'],
  ['POST /access-token-lifetime', '{"persona","seconds"}: the lifetime of new access tokens; null restores'],
  ['POST /admin-consent', '{"clientId","required"}: require a tenant admin’s consent (Microsoft-like)'],
  ['POST /smtp-auth, /imap-access', '{"account","disabled"}: turn SMTP AUTH or IMAP off for an account'],
  ['POST /server-fault', '{"server","protocol","fault"}: unreachable or hanging mail ports; null restores'],
  ['POST /clients, /accounts', 'register another OAuth client or mail account'],
  ['GET /inbox?account=ADDRESS', 'the INBOX of a lab account: what the sink delivered to it'],
  ['POST /api-fault', '{"service","account" or "clientId","fault"}: a Graph or Gmail API fault; null clears'],
  ['POST /api-throttle', '{"service","account","requests","retryAfterSeconds"}: the next requests answer 429'],
  ['POST /delegation', '{"mailbox","delegate","fullAccess","sendAs"}: shared mailbox rights at Graph (DELETE ?mailbox=&delegate=)'],
  ['GET /api-requests', '?service=&account=: requests a mail API received for an account, by status'],
  ['GET /token-requests', 'what the token endpoints were asked, by grant type'],
  ['POST /reset', 'undo the lab-wide faults (those of an account or a client stay)'],
];

/** Microsoft 365 over Graph: what the portal's preset asks for, besides the identity scopes (.Shared: for shared mailboxes). */
const GRAPH_PROFILE_PERMISSIONS = ['Mail.ReadWrite', 'Mail.ReadWrite.Shared', 'Mail.Send', 'Mail.Send.Shared', 'User.Read'];

function socketScopes(persona: PersonaInfo): string[] {
  return [...persona.identityScopes, ...persona.mailScopes];
}

/** Every origin a Gmail or Microsoft 365 profile may point at in the lab: the personas' and the mail APIs'. */
function providerOrigins(info: LabInfo): string[] {
  const urls = [info.personas.google.issuer, info.personas.microsoft.issuer, info.api.graph.baseUrl, info.api.gmail.baseUrl];
  return [...new Set(urls.map((url) => new URL(url).origin))];
}

function describeLab(options: { info: LabInfo; seconds: string; portalCallback: string }): string {
  const { info, seconds, portalCallback } = options;
  const { google, microsoft } = info.personas;
  const { gmail, generic } = info.mail;
  const mailServer = (server: LabInfo['mail']['gmail']) =>
    (['imap', 'pop3', 'smtp'] as const)
      .map((protocol) => `    ${protocol.padEnd(5)} TLS ${address(server[protocol].tls)}  STARTTLS ${address(server[protocol].starttls)}`)
      .join('\n');
  const erin = info.accounts.find((account) => account.provider === 'password');
  return [
    `Mail lab ready in ${seconds} s. Everything listens on 127.0.0.1 only; Ctrl-C stops it.`,
    '',
    'Authorization servers',
    `  Google-like     issuer ${google.issuer}`,
    `  Microsoft-like  issuer ${microsoft.issuer}`,
    '',
    'Mail servers (SASL)',
    ...(['gmail', 'microsoft', 'generic'] as const).map(
      (name) => `  ${name} (${info.mail[name].saslMechanisms.join(' ')})\n${mailServer(info.mail[name])}`,
    ),
    `  generic, self-signed certificate: IMAP ${address(generic.selfSigned.imap)}  POP3 ${address(generic.selfSigned.pop3)}  SMTP ${address(generic.selfSigned.smtp)}`,
    `  relay sink (what submission and the APIs send ends here, then in the INBOX of lab recipients): ${address(info.sink)}`,
    '',
    'Mail APIs (HTTPS, certificate from the lab CA)',
    `  Microsoft Graph-like  ${info.api.graph.baseUrl}`,
    `  Gmail API-like        ${info.api.gmail.baseUrl}`,
    '',
    `Control API (JSON over HTTP, for tests and for trying failures by hand): ${info.controlUrl}`,
    ...CONTROL_ROUTES.map(([route, what]) => `  ${route.padEnd(28)} ${what}`),
    `  e.g. curl -X POST -H 'content-type: application/json' -d '{"account":"alice@gmail.lab.test"}' ${info.controlUrl}/revoke-grants`,
    '',
    'Accounts (sign in on the lab pages with the address; no password)',
    ...info.accounts.map(
      (account) => `  ${account.email.padEnd(26)} ${account.provider}${account.password ? `  password: ${account.password}` : ''}`,
    ),
    '',
    'Server profile settings',
    oauthProfile({ title: 'Gmail (OAuth)', serverType: 'gmail', persona: google, clientKey: 'web', scopes: socketScopes(google), transports: socketTransports(gmail) }),
    '',
    oauthProfile({
      title: 'Microsoft 365 (OAuth)',
      serverType: 'microsoft365',
      persona: microsoft,
      clientKey: 'web',
      scopes: socketScopes(microsoft),
      transports: socketTransports(info.mail.microsoft),
    }),
    '',
    oauthProfile({
      title: 'Microsoft 365 (device code)',
      serverType: 'microsoft365',
      persona: microsoft,
      clientKey: 'public',
      scopes: socketScopes(microsoft),
      transports: socketTransports(info.mail.microsoft),
    }),
    '',
    oauthProfile({
      title: 'Microsoft 365 over Graph',
      serverType: 'microsoft365',
      persona: microsoft,
      clientKey: 'web',
      scopes: [...microsoft.identityScopes, ...GRAPH_PROFILE_PERMISSIONS],
      transports: apiTransports({ name: 'Graph', baseUrl: info.api.graph.baseUrl }),
    }),
    '  a shared mailbox also needs its delegate\'s rights, given through POST /delegation',
    '',
    oauthProfile({
      title: 'Gmail over the Gmail API',
      serverType: 'gmail',
      persona: google,
      clientKey: 'web',
      scopes: [...google.identityScopes, GMAIL_MODIFY_SCOPE, GMAIL_SEND_SCOPE],
      transports: apiTransports({ name: 'Gmail API', baseUrl: info.api.gmail.baseUrl }),
    }),
    '',
    'Generic IMAP/SMTP (password)',
    '  server type        custom',
    '  authentication     password',
    `  incoming           IMAP ${address(generic.imap.tls)} TLS (POP3 ${address(generic.pop3.tls)} TLS)`,
    `  outgoing           SMTP ${address(generic.smtp.starttls)} STARTTLS (or ${address(generic.smtp.tls)} TLS)`,
    `  mailbox            ${erin ? `${erin.email} / ${erin.password ?? ''}` : '(none)'}`,
    '  trusted certificate only for the self-signed ports above: Test and activate shows its SHA-256 fingerprint to accept',
    '',
    `The lab CA is in ${CA_PATH}. Gmail and Microsoft 365 profiles accept only Google's and Microsoft's own endpoints,`,
    'so start the portal with the lab named as a stand-in for them, and trusting its CA:',
    `The OAuth web clients accept the redirect URI ${portalCallback}: the lab took it from MAILROOM_PUBLIC_URL,`,
    'else PORT (else port 3000). Start the lab with the same MAILROOM_PUBLIC_URL or PORT as the portal.',
    `  MAILROOM_EXTRA_PROVIDER_ORIGINS=${providerOrigins(info).join(',')} NODE_EXTRA_CA_CERTS=${CA_PATH} npm start`,
    'Ports and the CA change on every start.',
  ].join('\n');
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const portalCallback = portalCallbackUrl({ MAILROOM_PUBLIC_URL: process.env.MAILROOM_PUBLIC_URL, PORT: process.env.PORT });
  let lab: Lab;
  try {
    // The lab runs beside the portal, outside it: it reads the portal's variables itself.
    lab = await Lab.start({ portalCallback });
  } catch (error) {
    if (error instanceof LabUnavailableError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(2);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the mail lab...`);
    await lab.stop();
    console.log('Mail lab stopped.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { info } = lab;
  await mkdir(resolve('.data'), { recursive: true });
  await writeFile(CA_PATH, info.caCertificate);
  console.log(describeLab({ info, seconds, portalCallback }));
}

await main();
