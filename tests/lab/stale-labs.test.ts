// A lab left behind by a run killed hard is stopped by the next lab to start, and no other lab is.
// Everything here lives in a folder of this file's own, with stand-ins for Dovecot started the way
// the lab starts it (`… -F -c <config>`, detached): other runs' labs on this machine are never looked at.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_DIRECTORY_PREFIX, recordLabOwner, stopStaleLabs } from '../../scripts/lab/stale-labs';
import { labIsAvailable } from '../helpers/lab';
import { waitUntil } from '../helpers/wait-until';

/** A master that forks one worker, as Dovecot does, and prints the worker's pid. */
const FAKE_MASTER = `
const worker = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log(worker.pid);
setInterval(() => {}, 1000);
`;

type FakeDovecot = { master: number; worker: number };

let parent: string;
const started: FakeDovecot[] = [];

async function labFolder(name: string): Promise<string> {
  const directory = join(parent, `${LAB_DIRECTORY_PREFIX}${name}`);
  await mkdir(join(directory, 'gmail'), { recursive: true });
  return directory;
}

async function startFakeDovecot(directory: string): Promise<FakeDovecot> {
  const config = join(directory, 'gmail', 'dovecot.conf');
  const master = spawn(process.execPath, ['-e', FAKE_MASTER, '--', '-F', '-c', config], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const [line] = (await once(createInterface({ input: master.stdout }), 'line')) as [string];
  master.stdout.destroy();
  const fake = { master: master.pid!, worker: Number(line) };
  started.push(fake);
  return fake;
}

/** Running, as opposed to gone or a zombie nobody has reaped yet. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

describe.skipIf(!existsSync('/proc/self/stat'))('stale labs', () => {
  let dead: { directory: string; dovecot: FakeDovecot };
  let reused: { directory: string; dovecot: FakeDovecot };
  let live: { directory: string; dovecot: FakeDovecot };
  let unowned: { directory: string; dovecot: FakeDovecot };
  let stopped: string[];

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'mailroom-stale-labs-test-'));
    const lab = async (name: string, owner: ((directory: string) => Promise<void>) | null) => {
      const directory = await labFolder(name);
      if (owner) await owner(directory);
      return { directory, dovecot: await startFakeDovecot(directory) };
    };
    const ownedBy = (pid: number, startTime: string) => (directory: string) =>
      writeFile(join(directory, 'owner.json'), JSON.stringify({ pid, startTime }));
    const pid = await deadPid();
    dead = await lab('dead', ownedBy(pid, '1'));
    // This process's pid, but not its start time: the owner died and its pid went to another process.
    reused = await lab('reused', ownedBy(process.pid, '1'));
    live = await lab('live', recordLabOwner);
    unowned = await lab('unowned', null);

    stopped = await stopStaleLabs({ parent });
  });

  afterAll(async () => {
    for (const { master, worker } of started) {
      for (const pid of [-master, worker]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already stopped.
        }
      }
    }
    await rm(parent, { recursive: true, force: true });
  });

  it('stops every Dovecot process of a lab whose owner died, or whose owner’s pid now names another process, and removes its folder', async () => {
    expect(stopped.sort()).toEqual([dead.directory, reused.directory].sort());
    for (const { directory, dovecot } of [dead, reused]) {
      expect(existsSync(directory)).toBe(false);
      // Signalled as one group; the worker may take a moment longer to go than its master.
      for (const pid of [dovecot.master, dovecot.worker]) {
        await waitUntil(`process ${pid} to stop`, async () => ((await isRunning(pid)) ? undefined : true), { timeoutMs: 5_000 });
      }
    }
  });

  it('leaves alone a lab whose owner runs, and one whose owner is not recorded yet', async () => {
    for (const { directory, dovecot } of [live, unowned]) {
      expect(await isRunning(dovecot.master)).toBe(true);
      expect(await isRunning(dovecot.worker)).toBe(true);
      expect(existsSync(directory)).toBe(true);
    }
  });
});

describe.skipIf(!labIsAvailable)('the lab of this run', () => {
  it('records the run as its owner, so that no other run takes it for stale', async () => {
    const owners = await Promise.all(
      (await readdir(tmpdir()))
        .filter((name) => name.startsWith(LAB_DIRECTORY_PREFIX))
        .map((name) => readFile(join(tmpdir(), name, 'owner.json'), 'utf8').then((text) => (JSON.parse(text) as { pid: number }).pid, () => null)),
    );
    // The lab runs in Vitest's main process: this worker's parent, or this process with worker threads.
    expect(owners.filter((pid) => pid === process.ppid || pid === process.pid)).toHaveLength(1);
  });
});
