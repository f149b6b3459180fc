import type { LabAccount, OAuthClient, PersonaName } from './lab-info';

export const LAB_HOST = '127.0.0.1';

export const MICROSOFT_TENANT_ID = '7e1ab000-0000-4000-8000-c0a7050000a1';
export const MICROSOFT_TENANT_DOMAIN = 'contoso.lab.test';

export const GOOGLE_MAIL_SCOPE = 'https://mail.google.com/';
export const MICROSOFT_IMAP_SCOPE = 'https://outlook.office.com/IMAP.AccessAsUser.All';
export const MICROSOFT_POP_SCOPE = 'https://outlook.office.com/POP.AccessAsUser.All';
export const MICROSOFT_SMTP_SCOPE = 'https://outlook.office.com/SMTP.Send';
export const MICROSOFT_MAIL_SCOPES = [MICROSOFT_IMAP_SCOPE, MICROSOFT_POP_SCOPE, MICROSOFT_SMTP_SCOPE];

/** The resource Exchange Online's IMAP, POP and SMTP scopes belong to; Graph is another resource. */
export const OUTLOOK_RESOURCE = 'https://outlook.office.com/';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com/';
/** Graph's delegated permissions the lab knows, as short names; Microsoft takes them prefixed with the resource too. */
export const GRAPH_PERMISSIONS = [
  'User.Read',
  'Mail.Read',
  'Mail.ReadWrite',
  'Mail.Send',
  'Mail.Read.Shared',
  'Mail.ReadWrite.Shared',
  'Mail.Send.Shared',
] as const;
export type GraphPermission = (typeof GRAPH_PERMISSIONS)[number];
export const GRAPH_SCOPES = [...GRAPH_PERMISSIONS, ...GRAPH_PERMISSIONS.map((permission) => `${GRAPH_RESOURCE}${permission}`)];

export const GMAIL_MODIFY_SCOPE = 'https://www.googleapis.com/auth/gmail.modify';
export const GMAIL_READONLY_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';
export const GMAIL_SEND_SCOPE = 'https://www.googleapis.com/auth/gmail.send';
export const GMAIL_API_SCOPES = [GMAIL_MODIFY_SCOPE, GMAIL_READONLY_SCOPE, GMAIL_SEND_SCOPE];

export const LAB_ACCOUNTS: LabAccount[] = [
  { email: 'alice@gmail.lab.test', name: 'Alice Example', provider: 'google' },
  { email: 'bob@gmail.lab.test', name: 'Bob Example', provider: 'google' },
  { email: 'carol@contoso.lab.test', name: 'Carol Contoso', provider: 'microsoft' },
  { email: 'dave@contoso.lab.test', name: 'Dave Contoso', provider: 'microsoft' },
  { email: 'erin@imap.lab.test', name: 'Erin Imap', provider: 'password', password: 'erin-lab-password' },
];

/** Where a portal reached at this public URL receives OAuth redirects (lib/connect). */
export const PORTAL_CALLBACK_PATH = '/api/oauth/callback';

/**
 * The callback of the portal the lab is used with: its public URL when MAILROOM_PUBLIC_URL is set, else
 * http://localhost with PORT (3000 by default). A portal given PORT alone still calls itself
 * http://localhost:3000 and warns at start that the two disagree; set MAILROOM_PUBLIC_URL for both.
 */
export function portalCallbackUrl(environment: { MAILROOM_PUBLIC_URL?: string; PORT?: string }): string {
  const publicUrl = environment.MAILROOM_PUBLIC_URL?.trim().replace(/\/+$/, '');
  if (publicUrl) return `${publicUrl}${PORTAL_CALLBACK_PATH}`;
  const port = environment.PORT?.trim() || '3000';
  return `http://localhost:${port}${PORTAL_CALLBACK_PATH}`;
}

/** The lab's preset OAuth clients, their web clients accepting the portal's callback; tests register their own at run time. */
export function labClients(portalCallback: string): Record<PersonaName, Record<string, OAuthClient>> {
  return {
    google: {
      web: {
        clientId: 'mailroom-lab-web.apps.googleusercontent.lab.test',
        clientSecret: 'GOCSPX-mailroom-lab-web-secret',
        redirectUris: [portalCallback],
        deviceFlow: false,
      },
    },
    microsoft: {
      web: {
        clientId: '5a1e0000-0000-4000-8000-00000000a001',
        clientSecret: 'mailroom~lab~web~secret',
        redirectUris: [portalCallback],
        deviceFlow: false,
      },
      public: {
        clientId: '5a1e0000-0000-4000-8000-00000000a002',
        redirectUris: ['http://localhost/'],
        deviceFlow: true,
      },
    },
  };
}
