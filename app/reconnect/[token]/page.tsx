import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getLocale, getTranslations } from 'next-intl/server';
import { buttonClass } from '@/app/_components/ui';
import { getCurrentUser } from '@/lib/auth/session';
import { renderProblem } from '@/lib/errors';
import { connectMessageKey } from '@/lib/mailboxes/status-messages';
import { previewReconnectLink, spendReconnectLink, type ReconnectLinkPreview } from '@/lib/oauth/reconnect-links';

// The token is in the address: it is never sent on to another site.
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('reconnect'))('title'), referrer: 'no-referrer' };
}

async function Shell({ children }: { children: React.ReactNode }) {
  const t = await getTranslations('reconnect');
  return (
    <main className="mx-auto mt-12 max-w-md rounded-lg border border-slate-200 bg-white p-6 text-sm shadow-sm sm:mt-24">
      <h1 className="mb-3 text-xl font-semibold">{t('title')}</h1>
      {children}
    </main>
  );
}

/** Why the owner is here, from the mailbox's own status: the provider's refusal when it is known. */
async function WhatHappened({ preview }: { preview: Extract<ReconnectLinkPreview, { ok: true }> }) {
  const [t, locale] = await Promise.all([getTranslations('reconnect'), getLocale()]);
  const strong = (chunks: React.ReactNode) => <strong className="break-all">{chunks}</strong>;
  if (preview.connection === 'needs_reconnect') {
    return (
      <p>
        {t.rich('refused', { address: preview.address, strong })}
        {preview.statusReason ? <span className="mt-2 block text-slate-600">{t('providerSaid', { message: renderProblem(preview.statusReason, locale).message })}</span> : null}
      </p>
    );
  }
  return (
    <p>
      {t.rich('asked', { address: preview.address, strong })}
    </p>
  );
}

/**
 * A link support sent the owner. On arrival it says which mailbox and what happened, and what to
 * click; once the owner is signed in it is spent once and opens the mailbox's Connect page.
 */
export default async function ReconnectPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [user, t, tStatus] = await Promise.all([getCurrentUser(), getTranslations('reconnect'), getTranslations('status')]);
  if (user) {
    const outcome = await spendReconnectLink({ viewer: user, token });
    if (outcome.ok) redirect(`/mailboxes/${outcome.mailboxId}`);
    return (
      <Shell>
        <p role="alert">{t(`reasons.${outcome.reason}`)}</p>
        <Link href="/" className="mt-4 inline-block text-indigo-700 hover:underline">
          {t('goToMailroom')}
        </Link>
      </Shell>
    );
  }
  const preview = await previewReconnectLink({ token });
  if (!preview.ok) {
    return (
      <Shell>
        <p role="alert">{t(`reasons.${preview.reason}`)}</p>
      </Shell>
    );
  }
  const action = preview.connection === 'not_connected' ? tStatus(`connect.${connectMessageKey(preview.profile)}`) : t('reconnectButton');
  const strong = (chunks: React.ReactNode) => <strong>{chunks}</strong>;
  return (
    <Shell>
      <div className="space-y-3">
        <WhatHappened preview={preview} />
        <p className="font-medium">{t('whatToDo')}</p>
        <ol className="list-decimal space-y-1 pl-5">
          <li>{t('stepSignIn')}</li>
          <li>
            {preview.profile.authType === 'password'
              ? t.rich('stepClick', { action, strong })
              : t.rich('stepClickAndSignIn', { action, address: preview.address, strong })}
          </li>
        </ol>
        <Link href={`/sign-in?${new URLSearchParams({ callbackUrl: `/reconnect/${token}` })}`} className={`${buttonClass('primary')} w-full justify-center`}>
          {t('signIn')}
        </Link>
      </div>
    </Shell>
  );
}
