import 'server-only';
import { phrase } from '@/lib/i18n/text';
import { claimAuthorizationByState } from '@/lib/oauth/authorizations';
import { connectOutcome } from '@/lib/oauth/outcomes';

const SIGNED_OUT = connectOutcome('signed_out', phrase('oauth.outcomes.signedOut'));

/**
 * The provider's answer reached the callback without a Mailroom session. Its code and state must
 * not travel on through the sign-in page's URL (browser history, logs): the authorization they
 * belong to is closed here instead, and the person is sent to sign in, then back to the mailbox to
 * connect again. Answers where the mailbox is unknown go to the mailboxes list.
 */
export async function endSignedOutCallback({ state }: { state: string | undefined }): Promise<{ returnTo: string }> {
  if (!state) return { returnTo: '/mailboxes' };
  const closed = await claimAuthorizationByState({ state, outcome: SIGNED_OUT });
  return { returnTo: closed ? `/mailboxes/${closed.mailboxId}?connect=${closed.id}` : '/mailboxes' };
}
