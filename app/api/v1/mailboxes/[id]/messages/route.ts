import { endpoints } from '@/lib/api/contract';
import { apiRoute } from '@/lib/api/handler';
import { invalidInput } from '@/lib/errors';
import { queueOutgoingMessage } from '@/lib/outbox/queue-outgoing-message';
import { toFieldErrors } from '@/lib/validations/field-errors';
import { idempotencyKey } from '@/lib/validations/outgoing-message';

export const POST = apiRoute(endpoints.sendMessage, async ({ request, user, params, body }) => {
  const header = request.headers.get('idempotency-key');
  const key = header === null ? null : idempotencyKey.safeParse(header);
  if (key && !key.success) throw invalidInput({ 'Idempotency-Key': toFieldErrors(key.error)._ ?? [] });
  return queueOutgoingMessage({ viewer: user, mailboxId: params.id, input: body, idempotencyKey: key?.data ?? null });
});
