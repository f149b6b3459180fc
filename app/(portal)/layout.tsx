import type { ReactNode } from 'react';
import { SidebarNav } from '@/app/_components/sidebar-nav';
import { SignOutButton } from '@/app/_components/sign-out-button';
import { navigationFor } from '@/lib/auth/navigation';
import { requireUser } from '@/lib/auth/session';

const ROLE_LABELS = { admin: 'Admin', owner: 'Mailbox owner', support: 'Support' } as const;

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-60 shrink-0 flex-col border-r border-slate-200 bg-white px-4 py-6">
        <p className="mb-8 px-3 text-lg font-semibold tracking-tight text-indigo-700">Mailroom</p>
        <SidebarNav items={navigationFor(user.role)} />
        <div className="mt-auto border-t border-slate-200 px-3 pt-4">
          <p className="truncate text-sm font-medium" title={user.email}>
            {user.name ?? user.email}
          </p>
          <p className="mb-3 text-xs text-slate-500">{ROLE_LABELS[user.role]}</p>
          <SignOutButton />
        </div>
      </aside>
      <main className="min-w-0 flex-1 px-8 py-8">{children}</main>
    </div>
  );
}
