import type { ReactNode } from 'react';
import { getTranslations } from 'next-intl/server';
import { NavigationDrawer } from '@/app/_components/navigation-drawer';
import { SidebarNav } from '@/app/_components/sidebar-nav';
import { SignOutButton } from '@/app/_components/sign-out-button';
import { navigationFor } from '@/lib/auth/navigation';
import { requireUser } from '@/lib/auth/session';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const [user, tCommon] = await Promise.all([requireUser(), getTranslations('common')]);
  // The same navigation in the sidebar from 768 px up and in the drawer below.
  const navigation = (
    <>
      <SidebarNav items={navigationFor(user.role)} />
      <div className="mt-auto border-t border-slate-200 px-3 pt-4">
        <p className="truncate text-sm font-medium" title={user.email}>
          {user.name ?? user.email}
        </p>
        <p className="mb-3 text-xs text-slate-600">{tCommon(`roles.${user.role}`)}</p>
        <SignOutButton />
      </div>
    </>
  );
  return (
    <div className="min-h-screen md:flex">
      <header className="sticky top-0 z-30 flex items-center justify-between border-b border-slate-200 bg-white px-4 py-2 md:hidden">
        <p className="text-lg font-semibold tracking-tight text-indigo-700">Mailroom</p>
        <NavigationDrawer>{navigation}</NavigationDrawer>
      </header>
      <aside className="sticky top-0 hidden h-screen w-60 shrink-0 flex-col overflow-y-auto border-r border-slate-200 bg-white px-4 py-6 md:flex">
        <p className="mb-8 px-3 text-lg font-semibold tracking-tight text-indigo-700">Mailroom</p>
        {navigation}
      </aside>
      <main className="min-w-0 flex-1 px-4 py-6 md:px-8 md:py-8">{children}</main>
    </div>
  );
}
