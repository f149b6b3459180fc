import { useTranslations } from 'next-intl';
import { buttonClass } from './ui';

export type FilterSelect = {
  name: string;
  label: string;
  options: readonly (readonly [value: string, label: string])[];
  /** False for a choice that always has a value (a sort order): no "Any". */
  optional?: boolean;
};

const controlClass = 'mt-1 block max-w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm';

/**
 * The filters of a mailbox list as a plain GET form: they live in the URL, so a filtered list can
 * be bookmarked or shared. A prefix search, a profile, then the given selects.
 */
export function FilterForm({
  action,
  values,
  profiles,
  selects,
}: {
  action: string;
  values: Record<string, string | undefined>;
  profiles: { id: string; name: string }[];
  selects: readonly FilterSelect[];
}) {
  const t = useTranslations('common.components');
  const choices: FilterSelect[] = [
    { name: 'profileId', label: t('profile'), options: profiles.map((profile) => [profile.id, profile.name] as const) },
    ...selects,
  ];
  return (
    <form method="get" action={action} role="search" className="mb-4 flex flex-wrap items-end gap-3">
      <div className="max-md:w-full">
        <label htmlFor="q" className="block text-xs font-medium text-slate-600">
          {t('searchLabel')}
        </label>
        <input id="q" name="q" defaultValue={values.q} className={`${controlClass} w-full md:w-60`} placeholder={t('searchPlaceholder')} />
      </div>
      {choices.map((select) => (
        <div key={select.name} className="min-w-0 max-md:flex-1 max-md:basis-40">
          <label htmlFor={select.name} className="block text-xs font-medium text-slate-600">
            {select.label}
          </label>
          <select id={select.name} name={select.name} defaultValue={values[select.name] ?? ''} className={`${controlClass} max-md:w-full md:max-w-56`}>
            {select.optional === false ? null : <option value="">{t('any')}</option>}
            {select.options.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      ))}
      <button type="submit" className={buttonClass('secondary')}>
        {t('filter')}
      </button>
    </form>
  );
}
