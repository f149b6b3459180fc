import { CircleAlert, CircleCheck, CircleDashed, CircleX, type LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';

/** What a status or a result means to the person reading it; each meaning has one colour. */
export type Tone = 'success' | 'warning' | 'failure' | 'neutral';

/** The signal names lib/ uses for a status (NextStep, token states, alerts), as the tone shown. */
export const SIGNAL_TONES = { good: 'success', warn: 'warning', bad: 'failure', neutral: 'neutral' } as const satisfies Record<string, Tone>;

export const toneOf = (signal: keyof typeof SIGNAL_TONES): Tone => SIGNAL_TONES[signal];

const BADGE_STYLES: Record<Tone, { className: string; Icon: LucideIcon }> = {
  success: { className: 'bg-emerald-50 text-emerald-800 ring-emerald-600/20', Icon: CircleCheck },
  warning: { className: 'bg-amber-50 text-amber-900 ring-amber-600/25', Icon: CircleAlert },
  failure: { className: 'bg-red-50 text-red-800 ring-red-600/20', Icon: CircleX },
  neutral: { className: 'bg-slate-100 text-slate-700 ring-slate-500/20', Icon: CircleDashed },
};

/**
 * Every status on every page: the colour says what it means, the icon says it again for people
 * who do not tell colours apart, and `data-tone` lets tests read the meaning. One line: a label
 * too long for its place is cut short, and the whole of it is its title.
 */
export function StatusBadge({ tone, children }: { tone: Tone; children: ReactNode }) {
  const { className, Icon } = BADGE_STYLES[tone];
  return (
    <span
      data-tone={tone}
      title={typeof children === 'string' ? children : undefined}
      className={`inline-flex max-w-full items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${className}`}
    >
      <Icon aria-hidden className="size-3.5 shrink-0" />
      <span className="min-w-0 truncate">{children}</span>
    </span>
  );
}
