import type { UserRole } from '@/db/schema';

export type NavigationItem = { href: string; label: string };

const ITEMS: { item: NavigationItem; roles: UserRole[] }[] = [
  { item: { href: '/', label: 'Overview' }, roles: ['admin', 'support'] },
  { item: { href: '/profiles', label: 'Profiles' }, roles: ['admin', 'support'] },
  { item: { href: '/mailboxes', label: 'Mailboxes' }, roles: ['admin', 'support'] },
  { item: { href: '/mailboxes', label: 'My mailboxes' }, roles: ['owner'] },
  { item: { href: '/token-status', label: 'Token status' }, roles: ['admin', 'support'] },
  { item: { href: '/users', label: 'Users' }, roles: ['admin'] },
  { item: { href: '/audit', label: 'Audit' }, roles: ['admin', 'support'] },
  { item: { href: '/settings', label: 'Settings' }, roles: ['admin'] },
  { item: { href: '/account', label: 'Account' }, roles: ['admin', 'owner', 'support'] },
];

/** The sidebar a role sees; the pages check the same roles on the server. */
export function navigationFor(role: UserRole): NavigationItem[] {
  return ITEMS.filter((entry) => entry.roles.includes(role)).map((entry) => entry.item);
}
