'use client';

import { signOut } from 'next-auth/react';
import { useTranslations } from 'next-intl';

export function SignOutButton() {
  const t = useTranslations('layout');
  return (
    <button
      type="button"
      onClick={() => signOut({ callbackUrl: '/sign-in' })}
      className="text-sm font-medium text-slate-600 hover:text-slate-900"
    >
      {t('signOut')}
    </button>
  );
}
