// A second portal process in miniature: fails sign-ins for an account through its own database
// connection, `count` times, and prints how long that account must now wait.
import { closeDatabase } from '@/db';
import { recordFailedAttempt } from '@/lib/auth/throttle';

const [email, count] = process.argv.slice(2);
try {
  let wait = 0;
  for (let index = 0; index < Number(count); index += 1) wait = await recordFailedAttempt({ kind: 'account', value: email! });
  console.log(wait);
} finally {
  await closeDatabase();
}
