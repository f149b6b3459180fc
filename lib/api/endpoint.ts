import { z } from 'zod';
import type { UserRole } from '@/db/schema';

export type Endpoint = {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI style: `{id}` for path parameters. */
  path: string;
  summary: string;
  /** Who may call it; `public` needs no API key. */
  roles: readonly UserRole[] | 'public';
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  successStatus?: 200 | 201 | 202 | 204;
  /** The largest body read, in bytes; 64 KB unless the endpoint takes files (CSV import). */
  maxBodyBytes?: number;
};

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export const ALL_ROLES = ['admin', 'owner', 'support'] as const;

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });
