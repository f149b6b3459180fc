import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { buttonClass } from '@/app/_components/ui';
import { getCurrentUser } from '@/lib/auth/session';
import { connectLabel } from '@/lib/mailboxes/status';
import { previewReconnectLink, spendReconnectLink, type ReconnectLinkPreview } from '@/lib/oauth/reconnect-links';

// The token is in the address: it is never sent on to another site.
export const metadata: Metadata = { title: 'Reconnect your mailbox', referrer: 'no-referrer' };

const REASONS = {
  unknown: 'This reconnect link is not valid. Ask support for a new one.',
  expired: 'This reconnect link has expired. Ask support for a new one.',
  used: 'This reconnect link was already used. Open your mailbox from “My mailboxes”, or ask support for a new link.',
  not_owner: 'This reconnect link is for the mailbox’s owner. Sign in as the owner to use it.',
} as const;

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <main className="mx-auto mt-12 max-w-md rounded-lg border border-slate-200 bg-white p-6 text-sm shadow-sm sm:mt-24">
      <h1 className="mb-3 text-lg font-semibold">Reconnect your mailbox</h1>
      {children}
    </main>
  );
}

/** Why the owner is here, from the mailbox's own status: the provider's refusal when it is known. */
function WhatHappened({ preview }: { preview: Extract<ReconnectLinkPreview, { ok: true }> }) {
  if (preview.connection === 'needs_reconnect') {
    return (
      <p>
        Mailroom can no longer reach your mailbox <strong className="break-all">{preview.address}</strong>: its provider refused the
        permission you gave earlier (it was revoked, expired or replaced), so its mail is not synchronized.
        {preview.statusReason ? <span className="mt-2 block text-slate-600">What the provider said: {preview.statusReason.message}</span> : null}
      </p>
    );
  }
  return (
    <p>
      Your support team asks you to connect your mailbox <strong className="break-all">{preview.address}</strong> to Mailroom, so that
      its mail is synchronized.
    </p>
  );
}

/**
 * A link support sent the owner. On arrival it says which mailbox and what happened, and what to
 * click; once the owner is signed in it is spent once and opens the mailbox's Connect page.
 */
export default async function ReconnectPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await getCurrentUser();
  if (user) {
    const outcome = await spendReconnectLink({ viewer: user, token });
    if (outcome.ok) redirect(`/mailboxes/${outcome.mailboxId}`);
    return (
      <Shell>
        <p role="alert">{REASONS[outcome.reason]}</p>
        <Link href="/" className="mt-4 inline-block text-indigo-700 hover:underline">
          Go to Mailroom
        </Link>
      </Shell>
    );
  }
  const preview = await previewReconnectLink({ token });
  if (!preview.ok) {
    return (
      <Shell>
        <p role="alert">{REASONS[preview.reason]}</p>
      </Shell>
    );
  }
  const action = connectLabel(preview.profile);
  return (
    <Shell>
      <div className="space-y-3">
        <WhatHappened preview={preview} />
        <p className="font-medium">What to do:</p>
        <ol className="list-decimal space-y-1 pl-5">
          <li>Sign in to Mailroom with your own account.</li>
          <li>
            On the mailbox page that opens, click <strong>“{preview.connection === 'not_connected' ? action : 'Reconnect'}”</strong>
            {preview.profile.authType === 'password' ? '.' : ` and sign in to your provider as ${preview.address}.`}
          </li>
        </ol>
        <Link href={`/sign-in?${new URLSearchParams({ callbackUrl: `/reconnect/${token}` })}`} className={`${buttonClass('primary')} w-full justify-center`}>
          Sign in to reconnect
        </Link>
      </div>
    </Shell>
  );
}
