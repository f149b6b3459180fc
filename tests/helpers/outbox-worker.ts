// A second portal instance for tests that stop one mid-send (`tsx --conditions=react-server`, on
// PostgreSQL): it works the outbox's send jobs on the database its environment names until killed.
import { startJobWorkers } from '@/lib/jobs/start-job-workers';
import { sendOutboxMessageJob } from '@/lib/outbox/outbox-jobs';

await startJobWorkers([sendOutboxMessageJob]);
process.stdout.write('ready\n');
