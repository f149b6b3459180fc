// A portal instance without its web server: what a portal runs when it starts (lib/startup.ts:
// migrations, then every background job's workers and schedules), against the DATABASE_URL of its
// environment. Tests start several, as processes, to act as several portal instances on one database.
import { startPortal } from '@/lib/startup';

await startPortal();
// The web server is what would keep a portal running.
setInterval(() => {}, 60_000);
