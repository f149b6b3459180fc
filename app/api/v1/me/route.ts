import { apiRoute } from '@/lib/api/handler';
import { endpoints } from '@/lib/api/contract';

export const GET = apiRoute(endpoints.me, async ({ user }) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
}));
