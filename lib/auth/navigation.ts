import type { UserRole } from '@/db/schema';

/** The navigation's entries, by their message key (`nav.*` in messages/*.json). */
export const NAVIGATION_KEYS = ['overview', 'profiles', 'mailboxes', 'myMailboxes', 'tokenStatus', 'users', 'audit', 'settings', 'account'] as const;

export type NavigationKey = (typeof NAVIGATION_KEYS)[number];

export type NavigationItem = { href: string; key: NavigationKey };

const ITEMS: { item: NavigationItem; roles: UserRole[] }[] = [
  { item: { href: '/', key: 'overview' }, roles: ['admin', 'support'] },
  { item: { href: '/profiles', key: 'profiles' }, roles: ['admin', 'support'] },
  { item: { href: '/mailboxes', key: 'mailboxes' }, roles: ['admin', 'support'] },
  { item: { href: '/mailboxes', key: 'myMailboxes' }, roles: ['owner'] },
  { item: { href: '/token-status', key: 'tokenStatus' }, roles: ['admin', 'support'] },
  { item: { href: '/users', key: 'users' }, roles: ['admin'] },
  { item: { href: '/audit', key: 'audit' }, roles: ['admin', 'support'] },
  { item: { href: '/settings', key: 'settings' }, roles: ['admin'] },
  { item: { href: '/account', key: 'account' }, roles: ['admin', 'owner', 'support'] },
];

/** The sidebar a role sees; the pages check the same roles on the server. Service accounts never sign in: none. */
export function navigationFor(role: UserRole): NavigationItem[] {
  return ITEMS.filter((entry) => entry.roles.includes(role)).map((entry) => entry.item);
}
