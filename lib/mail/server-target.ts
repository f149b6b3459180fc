import type { ServerProfile } from '@/db/schema';

/** A mail server to reach: where, and how its connection is secured. */
export type ServerTarget = {
  host: string;
  port: number;
  security: ServerProfile['incomingSecurity'];
};
