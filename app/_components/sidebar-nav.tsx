'use client';

import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { NavigationItem } from '@/lib/auth/navigation';

export function SidebarNav({ items }: { items: NavigationItem[] }) {
  const pathname = usePathname();
  const t = useTranslations('nav');
  return (
    <nav aria-label="Main" className="space-y-1">
      {items.map((item) => {
        const current = item.href === '/' ? pathname === '/' : pathname.startsWith(item.href);
        return (
          <Link
            key={item.key}
            href={item.href}
            aria-current={current ? 'page' : undefined}
            className={`block truncate rounded-md px-3 py-2 text-sm font-medium ${
              current ? 'bg-indigo-50 text-indigo-700' : 'text-slate-700 hover:bg-slate-100'
            }`}
          >
            {t(item.key)}
          </Link>
        );
      })}
    </nav>
  );
}
