import 'server-only';
import { eq } from 'drizzle-orm';
import { db } from '@/db';
import { oauthGrants, type ServerProfile, type User } from '@/db/schema';
import { userActor } from '@/lib/audit/actor';
import { recordAuditEvent } from '@/lib/audit/record-audit-event';
import { AppError, notFound } from '@/lib/errors';
import { phrase } from '@/lib/i18n/text';
import { getMailbox, profileOf, type MailboxRow } from '@/lib/mailboxes/mailboxes';
import { nextStep } from '@/lib/mailboxes/status';
import { OAuthFailure } from '@/lib/oauth/oauth-failure';
import { getProfileById } from '@/lib/profiles/profiles';
import { isApiProtocol, isOAuth, type IncomingProtocol, type OutgoingProtocol } from '@/lib/providers/provider';
import { getAccessToken } from './get-access-token';
import { recordSystemUse } from './system-use';
import { tokenPurposeOf } from './token-status';

type Security = NonNullable<ServerProfile['incomingSecurity']>;

/** Where a system opens its own session with the token: a host and port, or the root of Graph or the Gmail API. */
export type ProtocolEndpoint<P extends string> = { protocol: P; host: string | null; port: number | null; security: Security | null; apiRoot: string | null };

/** What a business system receives: a current access token and where to use it; never the refresh token. */
export type ServiceAccessToken = {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
  scopes: string[];
  /** The user name to sign in with (XOAUTH2's `user=`): the mailbox's address. */
  user: string;
  /** The account whose token it is: the mailbox itself, or the delegate of a shared mailbox. */
  account: string;
  /** The audience the token is issued for (Microsoft's Graph or outlook.office.com); null where one token serves all. */
  resource: string | null;
  incoming: ProtocolEndpoint<IncomingProtocol>;
  outgoing: ProtocolEndpoint<OutgoingProtocol>;
};

function endpointsOf(profile: ServerProfile): Pick<ServiceAccessToken, 'incoming' | 'outgoing'> {
  const apiRoot = (protocol: IncomingProtocol | OutgoingProtocol) => (isApiProtocol(protocol) ? profile.apiEndpoint : null);
  return {
    incoming: {
      protocol: profile.incomingProtocol,
      host: profile.incomingHost,
      port: profile.incomingPort,
      security: profile.incomingSecurity,
      apiRoot: apiRoot(profile.incomingProtocol),
    },
    outgoing: {
      protocol: profile.outgoingProtocol,
      host: profile.outgoingHost,
      port: profile.outgoingPort,
      security: profile.outgoingSecurity,
      apiRoot: apiRoot(profile.outgoingProtocol),
    },
  };
}

/** Why the mailbox's token is not handed out, before the token service is even asked; null: it may be. */
function refusalOf(mailbox: MailboxRow, profile: ServerProfile): AppError | null {
  if (!profile.allowAccessTokens) return new AppError('FORBIDDEN', phrase('problems.services.accessTokensOff', { profile: profile.name }));
  if (!isOAuth(profile.authType)) return new AppError('CONFLICT', phrase('problems.services.passwordMailbox', { address: mailbox.address }));
  if (mailbox.status !== 'active') {
    return new AppError(
      'CONFLICT',
      phrase('problems.services.notActive', {
        address: mailbox.address,
        status: phrase(`status.mailbox.${mailbox.status}`),
        nextStep: nextStep(mailbox, profileOf(mailbox)).label,
      }),
    );
  }
  return null;
}

/**
 * A current access token of a mailbox for a business system that opens its own IMAP, POP, SMTP or
 * API session, from the token service (one refresh at a time per mailbox, however many systems ask
 * at once). Only for service accounts, within their profiles (another profile's mailbox is not
 * found), where the profile allows it and the mailbox is active. Every answer is audited with the
 * service's name, refusals included; the refresh token never leaves the portal.
 */
export async function fetchAccessTokenForService({ service, mailboxId }: { service: User; mailboxId: string }): Promise<ServiceAccessToken> {
  if (service.role !== 'service') throw new AppError('FORBIDDEN', phrase('problems.services.accessTokenForServices'));
  const mailbox = await getMailbox({ viewer: service, id: mailboxId });
  if (!mailbox) throw notFound('mailbox');
  const profile = (await getProfileById({ id: mailbox.profileId }))!;
  const auditRefusal = (problem: { code: string; message: string }) =>
    recordAuditEvent(db, {
      actor: userActor(service),
      action: 'mailbox.system_token_refused',
      target: { type: 'mailbox', id: mailboxId },
      mailboxId,
      profileId: profile.id,
      detail: { code: problem.code, message: problem.message },
    });

  const refusal = refusalOf(mailbox, profile);
  if (refusal) {
    await auditRefusal(refusal);
    throw refusal;
  }
  let token: Awaited<ReturnType<typeof getAccessToken>>;
  try {
    token = await getAccessToken({ mailboxId });
  } catch (error) {
    if (error instanceof OAuthFailure) await auditRefusal(error);
    throw error;
  }
  const [grant] = await db.select({ scopes: oauthGrants.scopes }).from(oauthGrants).where(eq(oauthGrants.mailboxId, mailboxId));
  await db.transaction(async (tx) => {
    await recordSystemUse(tx, { mailboxId, serviceId: service.id });
    await recordAuditEvent(tx, {
      actor: userActor(service),
      // Not `access_token`: that word on a page or in its payload is how tests catch a token leaking.
      action: 'mailbox.system_token',
      target: { type: 'mailbox', id: mailboxId },
      mailboxId,
      profileId: profile.id,
      detail: { account: token.account, expiresAt: token.expiresAt.toISOString() },
    });
  });
  return {
    accessToken: token.accessToken,
    tokenType: 'Bearer',
    expiresAt: token.expiresAt.toISOString(),
    scopes: grant?.scopes ?? [],
    user: mailbox.address,
    account: token.account,
    resource: tokenPurposeOf(profile).resource,
    ...endpointsOf(profile),
  };
}
