// A run killed hard (SIGKILL, a timeout) never stops its lab: its Dovecots live on in their own
// process groups. Each lab records the process that owns it in its base folder, so that the next
// lab to start can stop those whose owner is gone, and only those: several runs share a machine.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LAB_DIRECTORY_PREFIX = 'mailroom-lab-';
const OWNER_FILE = 'owner.json';
const STOP_GRACE_MS = 1_000;

/** A pid names a process only until it is reused; with the kernel's start time it names one process. */
type LabOwner = { pid: number; startTime: string };

type ProcessStat = { state: string; processGroup: number; startTime: string };

/** From /proc/<pid>/stat, or null once the process is gone (or where there is no /proc). */
async function readProcessStat(pid: number | 'self'): Promise<ProcessStat | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  // The command name (field 2) is in parentheses and may hold spaces: fields 3 on follow its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, , processGroup] = fields;
  const startTime = fields[19];
  if (!state || !processGroup || !startTime) return null;
  return { state, processGroup: Number(processGroup), startTime };
}

/** Writes down that this process owns the lab in `directory`. */
export async function recordLabOwner(directory: string): Promise<void> {
  const self = await readProcessStat('self');
  if (!self) return;
  const owner: LabOwner = { pid: process.pid, startTime: self.startTime };
  await writeFile(join(directory, OWNER_FILE), JSON.stringify(owner));
}

async function readLabOwner(directory: string): Promise<LabOwner | null> {
  try {
    const owner = JSON.parse(await readFile(join(directory, OWNER_FILE), 'utf8')) as Partial<LabOwner>;
    return Number.isInteger(owner.pid) && typeof owner.startTime === 'string' ? (owner as LabOwner) : null;
  } catch {
    // No owner yet (a lab still starting) or a lab from before owners were recorded: not ours to judge.
    return null;
  }
}

async function isRunning(owner: LabOwner): Promise<boolean> {
  const stat = await readProcessStat(owner.pid);
  return stat !== null && stat.state !== 'Z' && stat.startTime === owner.startTime;
}

/** Every process started as `… -F -c <config>` with its config inside one of `directories`: their Dovecot masters. */
async function findDovecotMasters(directories: string[]): Promise<number[]> {
  const pids = (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name)).map(Number);
  const masters = await Promise.all(
    pids.map(async (pid) => {
      const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
      const config = args[args.indexOf('-c') + 1];
      const isMaster = args.includes('-F') && args.includes('-c') && config !== undefined;
      return isMaster && directories.some((directory) => config.startsWith(`${directory}/`)) ? pid : null;
    }),
  );
  return masters.filter((pid) => pid !== null);
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // Already gone.
  }
}

/** The master's whole group when it leads one (the lab starts each Dovecot detached), else the master alone. */
async function stopMaster(pid: number): Promise<void> {
  const stat = await readProcessStat(pid);
  if (!stat) return;
  const target = stat.processGroup === pid ? -pid : pid;
  signal(target, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline) {
    const current = await readProcessStat(pid);
    if (!current || current.state === 'Z') return;
    await sleep(20);
  }
  signal(target, 'SIGKILL');
}

/**
 * Stops the Dovecots of the labs under `parent` whose owner is no longer running, and removes their
 * folders; returns those folders. A lab without a recorded owner is left alone.
 */
export async function stopStaleLabs({ parent = tmpdir() }: { parent?: string } = {}): Promise<string[]> {
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  const labs = entries.filter((entry) => entry.isDirectory() && entry.name.startsWith(LAB_DIRECTORY_PREFIX)).map((entry) => join(parent, entry.name));
  const stale = (
    await Promise.all(
      labs.map(async (directory) => {
        const owner = await readLabOwner(directory);
        return owner && !(await isRunning(owner)) ? directory : null;
      }),
    )
  ).filter((directory) => directory !== null);
  if (stale.length === 0) return [];
  await Promise.all((await findDovecotMasters(stale)).map(stopMaster));
  await Promise.all(stale.map((directory) => rm(directory, { recursive: true, force: true })));
  return stale;
}
