import { CircleCheck, CircleX, Info, TriangleAlert, type LucideIcon } from 'lucide-react';
import Link from 'next/link';
import type { ComponentProps, ReactNode } from 'react';
import type { Tone } from './status-badge';

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
      <div className="min-w-0">
        <h1 className="text-xl font-semibold tracking-tight [overflow-wrap:anywhere] md:text-2xl">{title}</h1>
        {description ? <p className="mt-1 max-w-3xl text-sm text-slate-600">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}

export function Card({ title, children, className = '' }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm md:p-5 ${className}`}>
      {title ? <h2 className="mb-4 text-base font-semibold">{title}</h2> : null}
      {children}
    </section>
  );
}

export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: { href: string; label: string } }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
      <h2 className="text-base font-semibold">{title}</h2>
      <div className="mx-auto mt-2 max-w-xl text-sm text-slate-600">{children}</div>
      {action ? (
        <Link href={action.href} className={`mt-4 inline-block ${buttonClass('primary')}`}>
          {action.label}
        </Link>
      ) : null}
    </div>
  );
}

export function buttonClass(variant: 'primary' | 'secondary' | 'danger' = 'secondary'): string {
  const base =
    'inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-60';
  const variants = {
    primary: 'bg-indigo-600 text-white hover:bg-indigo-700 focus-visible:ring-indigo-600',
    secondary: 'border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 focus-visible:ring-slate-400',
    danger: 'border border-red-300 bg-white text-red-700 hover:bg-red-50 focus-visible:ring-red-500',
  };
  return `${base} ${variants[variant]}`;
}

export function Button({ variant = 'secondary', className = '', ...props }: ComponentProps<'button'> & { variant?: 'primary' | 'secondary' | 'danger' }) {
  return <button className={`${buttonClass(variant)} ${className}`} {...props} />;
}

/** The ids that describe a field: its errors and its hint, announced with it. */
function describedBy(name: string, errors?: string[], hint?: ReactNode): string | undefined {
  return [errors?.length ? `${name}-error` : null, hint ? `${name}-hint` : null].filter(Boolean).join(' ') || undefined;
}

function FieldHint({ name, children }: { name: string; children?: ReactNode }) {
  return children ? (
    <p id={`${name}-hint`} className="mt-1 text-xs text-slate-500">
      {children}
    </p>
  ) : null;
}

type FieldProps = {
  label: string;
  name: string;
  errors?: string[];
  hint?: ReactNode;
} & ComponentProps<'input'>;

/** A labelled input whose errors sit under it and are announced with it. */
export function Field({ label, name, errors, hint, className = '', ...input }: FieldProps) {
  return (
    <div className={className}>
      <label htmlFor={name} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={name}
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy(name, errors, hint)}
        className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500"
        {...input}
      />
      <FieldHint name={name}>{hint}</FieldHint>
      <FieldErrors id={`${name}-error`} errors={errors} />
    </div>
  );
}

export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700">
      {errors.join(' ')}
    </p>
  );
}

const NOTICE_STYLES: Record<Tone, { className: string; Icon: LucideIcon }> = {
  success: { className: 'border-emerald-200 bg-emerald-50 text-emerald-900', Icon: CircleCheck },
  warning: { className: 'border-amber-200 bg-amber-50 text-amber-900', Icon: TriangleAlert },
  failure: { className: 'border-red-200 bg-red-50 text-red-900', Icon: CircleX },
  neutral: { className: 'border-slate-200 bg-slate-50 text-slate-800', Icon: Info },
};

/** An inline notice: the result of an action or a state to act on, coloured by what it means (`data-tone`). */
export function Alert({ tone, children }: { tone: Tone; children: ReactNode }) {
  const { className, Icon } = NOTICE_STYLES[tone];
  return (
    <div role={tone === 'failure' ? 'alert' : 'status'} data-tone={tone} className={`flex gap-3 rounded-md border px-4 py-3 text-sm ${className}`}>
      <Icon aria-hidden className="mt-0.5 size-4 shrink-0" />
      <div className="min-w-0 flex-1 [overflow-wrap:anywhere]">{children}</div>
    </div>
  );
}

/**
 * A list as a table from 768 px up, and as one card per row below: each cell's `data-label` (its
 * column's header) is shown before it on a card. Cells with `data-column` can be hidden by a
 * ColumnMenu around the table.
 */
export function Table({ headers, children }: { headers: (string | { label: string; column: string })[]; children: ReactNode }) {
  return (
    <div className="md:overflow-x-auto md:rounded-lg md:border md:border-slate-200 md:bg-white md:shadow-sm">
      <table className="w-full text-sm max-md:block md:divide-y md:divide-slate-200">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 max-md:hidden">
          <tr>
            {headers.map((header) => {
              const { label, column } = typeof header === 'string' ? { label: header, column: undefined } : header;
              return (
                <th key={label || 'select'} scope="col" data-column={column} className="px-4 py-3">
                  {label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="max-md:block max-md:space-y-3 md:divide-y md:divide-slate-100 max-md:[&>tr]:block max-md:[&>tr]:rounded-lg max-md:[&>tr]:border max-md:[&>tr]:border-slate-200 max-md:[&>tr]:bg-white max-md:[&>tr]:p-4 max-md:[&>tr]:shadow-sm max-md:[&_td]:flex max-md:[&_td]:min-w-0 max-md:[&_td]:gap-3 max-md:[&_td]:px-0 max-md:[&_td]:py-1 max-md:[&_td[data-label]]:before:w-28 max-md:[&_td[data-label]]:before:whitespace-normal max-md:[&_td[data-label]]:before:shrink-0 max-md:[&_td[data-label]]:before:text-xs max-md:[&_td[data-label]]:before:font-medium max-md:[&_td[data-label]]:before:text-slate-500 max-md:[&_td[data-label]]:before:content-[attr(data-label)]">
          {children}
        </tbody>
      </table>
    </div>
  );
}

type SelectFieldProps = {
  label: string;
  name: string;
  options: { value: string; label: string }[];
  errors?: string[];
  hint?: ReactNode;
} & ComponentProps<'select'>;

export function SelectField({ label, name, options, errors, hint, className = '', ...select }: SelectFieldProps) {
  return (
    <div className={className}>
      <label htmlFor={name} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={name}
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy(name, errors, hint)}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500"
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldHint name={name}>{hint}</FieldHint>
      <FieldErrors id={`${name}-error`} errors={errors} />
    </div>
  );
}

type TextAreaFieldProps = { label: string; name: string; errors?: string[]; hint?: ReactNode } & ComponentProps<'textarea'>;

export function TextAreaField({ label, name, errors, hint, className = '', ...textarea }: TextAreaFieldProps) {
  return (
    <div className={className}>
      <label htmlFor={name} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea
        id={name}
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy(name, errors, hint)}
        className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500"
        {...textarea}
      />
      <FieldHint name={name}>{hint}</FieldHint>
      <FieldErrors id={`${name}-error`} errors={errors} />
    </div>
  );
}

type CheckboxFieldProps = { label: string; name: string; errors?: string[]; hint?: ReactNode } & Omit<ComponentProps<'input'>, 'type'>;

export function CheckboxField({ label, name, errors, hint, className = '', ...input }: CheckboxFieldProps) {
  return (
    <div className={className}>
      <div className="flex items-center gap-2">
        <input
          id={name}
          name={name}
          type="checkbox"
          aria-invalid={errors?.length ? true : undefined}
          aria-describedby={describedBy(name, errors, hint)}
          className="h-4 w-4 rounded border-slate-300"
          {...input}
        />
        <label htmlFor={name} className="text-sm font-medium text-slate-800">
          {label}
        </label>
      </div>
      <FieldHint name={name}>{hint}</FieldHint>
      <FieldErrors id={`${name}-error`} errors={errors} />
    </div>
  );
}
