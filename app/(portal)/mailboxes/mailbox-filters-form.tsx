import { buttonClass } from '@/app/_components/ui';

const SELECTS = [
  { name: 'approval', label: 'Approval', options: ['pending', 'approved', 'rejected'] },
  { name: 'connection', label: 'Connection', options: ['not_connected', 'connected', 'needs_reconnect'] },
  { name: 'status', label: 'Status', options: ['inactive', 'active', 'failing', 'disabled'] },
] as const;

/** A plain GET form: filters live in the URL, so a filtered list can be bookmarked or shared. */
export function MailboxFiltersForm({ profiles, values }: { profiles: { id: string; name: string }[]; values: Record<string, string | undefined> }) {
  const selectClass = 'mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm';
  return (
    <form method="get" action="/mailboxes" role="search" className="mb-4 flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="q" className="block text-xs font-medium text-slate-600">
          Address or owner starts with
        </label>
        <input id="q" name="q" defaultValue={values.q} className={`${selectClass} w-64`} placeholder="e.g. anna@ or sales" />
      </div>
      <div>
        <label htmlFor="profileId" className="block text-xs font-medium text-slate-600">
          Profile
        </label>
        <select id="profileId" name="profileId" defaultValue={values.profileId ?? ''} className={selectClass}>
          <option value="">Any</option>
          {profiles.map((profile) => (
            <option key={profile.id} value={profile.id}>
              {profile.name}
            </option>
          ))}
        </select>
      </div>
      {SELECTS.map((select) => (
        <div key={select.name}>
          <label htmlFor={select.name} className="block text-xs font-medium text-slate-600">
            {select.label}
          </label>
          <select id={select.name} name={select.name} defaultValue={values[select.name] ?? ''} className={selectClass}>
            <option value="">Any</option>
            {select.options.map((option) => (
              <option key={option} value={option}>
                {option.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
      ))}
      <button type="submit" className={buttonClass('secondary')}>
        Filter
      </button>
    </form>
  );
}
