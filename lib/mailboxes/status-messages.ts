import type { ServerProfile } from '@/db/schema';

/** Which `status.connect.*` (and `status.connectInline.*`) words name the button that connects a mailbox of a profile. */
export type ConnectMessageKey = ServerProfile['serverType'] | 'password';

/** The `status.connect.*` key of the button that connects a mailbox of this profile. */
export function connectMessageKey(profile: Pick<ServerProfile, 'serverType' | 'authType'>): ConnectMessageKey {
  return profile.authType === 'password' ? 'password' : profile.serverType;
}
