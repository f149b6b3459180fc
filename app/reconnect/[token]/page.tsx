import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth/session';
import { spendReconnectLink } from '@/lib/oauth/reconnect-links';

export const metadata: Metadata = { title: 'Reconnect your mailbox' };

const REASONS = {
  unknown: 'This reconnect link is not valid. Ask support for a new one.',
  expired: 'This reconnect link has expired. Ask support for a new one.',
  used: 'This reconnect link was already used. Open your mailbox from “My mailboxes”, or ask support for a new link.',
  not_owner: 'This reconnect link is for the mailbox’s owner. Sign in as the owner to use it.',
} as const;

/** A link support sent the owner: after sign-in it is spent once and opens the mailbox's Connect page. */
export default async function ReconnectPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/reconnect/${token}`)}`);
  const outcome = await spendReconnectLink({ viewer: user, token });
  if (outcome.ok) redirect(`/mailboxes/${outcome.mailboxId}`);
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-6 text-sm shadow-sm">
      <h1 className="mb-3 text-lg font-semibold">Reconnect your mailbox</h1>
      <p role="alert">{REASONS[outcome.reason]}</p>
      <Link href="/" className="mt-4 inline-block text-indigo-700 hover:underline">
        Go to Mailroom
      </Link>
    </main>
  );
}
