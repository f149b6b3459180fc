'use client';

import * as Dialog from '@radix-ui/react-dialog';
import { Menu, X } from 'lucide-react';
import { usePathname } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useState, type ReactNode } from 'react';

/**
 * The navigation below 768 px: a button opens it as a drawer; Escape, a click outside or following
 * a link closes it, and focus goes into it, stays there, and goes back to the button. The backdrop
 * is ours, not Radix's Dialog.Overlay: that one locks scrolling with an injected <style>, which the
 * pages' Content-Security-Policy refuses.
 */
export function NavigationDrawer({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const t = useTranslations('common.components');
  const [open, setOpen] = useState(false);
  const [openedAt, setOpenedAt] = useState(pathname);
  if (pathname !== openedAt) {
    setOpenedAt(pathname);
    setOpen(false);
  }
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className="inline-flex size-10 items-center justify-center rounded-md text-slate-700 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600">
        <Menu aria-hidden className="size-5" />
        <span className="sr-only">{t('openNavigation')}</span>
      </Dialog.Trigger>
      {open ? <div aria-hidden className="fixed inset-0 z-40 bg-slate-900/40" /> : null}
      <Dialog.Content
        aria-describedby={undefined}
        className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col overflow-y-auto bg-white px-4 py-5 shadow-xl focus:outline-none"
      >
        <div className="mb-6 flex items-center justify-between px-3">
          <Dialog.Title className="text-lg font-semibold tracking-tight text-indigo-700">Mailroom</Dialog.Title>
          <Dialog.Close className="inline-flex size-9 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600">
            <X aria-hidden className="size-5" />
            <span className="sr-only">{t('closeNavigation')}</span>
          </Dialog.Close>
        </div>
        {children}
      </Dialog.Content>
    </Dialog.Root>
  );
}
