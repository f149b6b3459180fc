import 'server-only';
import { db } from '@/db';
import type { StoredError } from '@/db/schema';
import type { SecretDecryptionError } from '@/lib/crypto/secrets';
import { phrase } from '@/lib/i18n/text';
import { logger } from '@/lib/logger';
import { recordNeedsReconnect } from './record-connection';
import { storedReason } from './status';

/**
 * A mailbox's stored password cannot be decrypted (altered, or copied from another mailbox): it will
 * never work again, so the mailbox asks its owner to enter it again, as a refused token would.
 */
export async function recordUnreadablePassword(mailboxId: string, error: SecretDecryptionError): Promise<StoredError> {
  logger.warn('A mailbox’s stored password cannot be decrypted', { mailboxId, reason: error.reason });
  const reason = storedReason('secret_unreadable', phrase('mailbox.reasons.secretUnreadable'), new Date());
  await db.transaction((tx) => recordNeedsReconnect(tx, mailboxId, reason));
  return reason;
}
