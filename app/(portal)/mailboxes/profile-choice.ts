/** How a profile reads in a picker: its name, whether it is the default, and its room. */
export function profileChoiceLabel(profile: { name: string; isDefault: boolean; mailboxCount: number; mailboxCap: number | null }): string {
  const room = profile.mailboxCap === null ? '' : profile.mailboxCount >= profile.mailboxCap ? ' — full' : ` — ${profile.mailboxCount} of ${profile.mailboxCap}`;
  return `${profile.name}${profile.isDefault ? ' (default)' : ''}${room}`;
}
