'use client';

import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Check, Columns3 } from 'lucide-react';
import { useTranslations } from 'next-intl';
import { useState, type ReactNode } from 'react';
import { buttonClass } from './ui';

/** Kept for a year; `none` tells "everything hidden" apart from "never chosen". */
function rememberColumns(cookie: string, shown: string[]): void {
  document.cookie = `${cookie}=${shown.join('.') || 'none'}; path=/; max-age=31536000; samesite=lax`;
}

export type ChoosableColumn = { key: string; label: string };

/**
 * A table whose less used columns people show or hide from a menu; the choice is kept in a cookie,
 * so the server renders the same columns on the next visit. Cells carry `data-column`, and
 * globals.css hides those named in the wrapper's `data-hidden-columns`.
 */
export function ColumnMenu({
  cookie,
  columns,
  initiallyShown,
  children,
}: {
  cookie: string;
  columns: ChoosableColumn[];
  initiallyShown: string[];
  children: ReactNode;
}) {
  const t = useTranslations('common.components');
  const [shown, setShown] = useState(() => new Set(initiallyShown));
  const toggle = (key: string, visible: boolean) => {
    const next = new Set(shown);
    if (visible) next.add(key);
    else next.delete(key);
    setShown(next);
    rememberColumns(cookie, [...next]);
  };
  const hidden = columns.filter((column) => !shown.has(column.key)).map((column) => column.key);
  return (
    <div data-hidden-columns={hidden.join(' ')}>
      <div className="mb-2 flex justify-end">
        <DropdownMenu.Root modal={false}>
          <DropdownMenu.Trigger className={`${buttonClass('secondary')} gap-2`}>
            <Columns3 aria-hidden className="size-4" />
            {t('columns')}
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content align="end" sideOffset={4} className="z-50 min-w-56 rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg">
              {columns.map((column) => (
                <DropdownMenu.CheckboxItem
                  key={column.key}
                  checked={shown.has(column.key)}
                  onCheckedChange={(checked) => toggle(column.key, checked)}
                  onSelect={(event) => event.preventDefault()}
                  className="flex cursor-default items-center gap-2 rounded px-2 py-1.5 outline-none data-[highlighted]:bg-slate-100"
                >
                  <span className="flex size-4 items-center justify-center">
                    <DropdownMenu.ItemIndicator>
                      <Check aria-hidden className="size-4" />
                    </DropdownMenu.ItemIndicator>
                  </span>
                  {column.label}
                </DropdownMenu.CheckboxItem>
              ))}
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu.Root>
      </div>
      {children}
    </div>
  );
}
