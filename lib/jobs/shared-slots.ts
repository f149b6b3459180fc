import 'server-only';
import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import type { InstancePresence } from './instance-presence';

export type SlotRequest = {
  /** What the slots limit, such as one profile's connections: the same name on every instance. */
  name: string;
  /** How many slots of that name exist in the whole deployment. */
  limit: number;
  /** How many this holder needs at once; more than `limit` takes all of them. */
  count: number;
};

export type HeldSlots = {
  count: number;
  release: () => Promise<void>;
};

/** Where slots are counted: PostgreSQL advisory locks shared by every instance, or this process alone. */
type SlotStore = {
  /** Takes `count` free slots at once and returns them, or takes none and returns null. */
  tryTake(name: string, limit: number, count: number, heldHere: ReadonlySet<number>): Promise<number[] | null>;
  give(name: string, slots: number[]): Promise<void>;
  /**
   * How long a waiter waits before looking again; null when only a release in this process can free
   * a slot, which wakes the waiters itself.
   */
  lookAgainAfterMs(): number | null;
  /** How long a waiter waits after a release in this process, so that other instances' waiters get their turn too. */
  afterReleaseMs(): number;
};

/** The advisory lock's first key for a name; its second is the slot's number. */
function lockKeyOf(name: string): number {
  return createHash('sha256').update(`mailroom:slots:${name}`).digest().readInt32BE(0);
}

/**
 * Slots as advisory locks on the instance's own session: whatever way an instance stops, PostgreSQL
 * releases its slots with its session. A session may take a lock it holds again, so this instance
 * skips the slots it holds itself.
 */
function advisoryLockStore(session: postgres.Sql): SlotStore {
  return {
    async tryTake(name, limit, count, heldHere) {
      const key = lockKeyOf(name);
      const held = [...heldHere];
      // Locks one free slot after another until it has `count`, in one statement. A CASE, because
      // PostgreSQL may evaluate the conditions of an AND in any order: locking a slot this session
      // holds already would count it twice, and one unlock would then leave it held.
      const [row] = await session<{ slots: number[] }[]>`
        select array(
          select slot from generate_series(0, ${limit - 1}::int) as slot
          where case when slot = any(${held}::int[]) then false else pg_try_advisory_lock(${key}, slot) end
          limit ${count}::int
        ) as slots
      `;
      const slots = row?.slots ?? [];
      if (slots.length === count) return slots;
      if (slots.length > 0) await this.give(name, slots);
      return null;
    },
    async give(name, slots) {
      await session`select pg_advisory_unlock(${lockKeyOf(name)}, slot) from unnest(${slots}::int[]) as slot`;
    },
    lookAgainAfterMs: () => 20 + Math.random() * 40,
    afterReleaseMs: () => Math.random() * 40,
  };
}

/** PGlite: one process, the only instance. */
function processStore(): SlotStore {
  return {
    async tryTake(_name, limit, count, heldHere) {
      const free = Array.from({ length: limit }, (_, slot) => slot).filter((slot) => !heldHere.has(slot));
      return free.length >= count ? free.slice(0, count) : null;
    },
    async give() {},
    lookAgainAfterMs: () => null,
    afterReleaseMs: () => 0,
  };
}

type Waiter = { limit: number; count: number; start: (slots: number[]) => void; fail: (error: unknown) => void };
type NamedSlots = { held: Set<number>; waiting: Waiter[]; looking: boolean; lookAgain: boolean; timer: NodeJS.Timeout | null };

let processSlots: SharedSlots | undefined;

/**
 * Slots shared by every portal instance: at most `limit` of a name held at once in the whole
 * deployment. Waiters of one instance are served first come, first served, so one that needs more
 * is not passed over forever by ones that need less.
 */
export class SharedSlots {
  private readonly names = new Map<string, NamedSlots>();

  private constructor(private readonly store: SlotStore) {}

  /** The slots of an instance: on its own session on PostgreSQL, the process's on PGlite (one process, one instance). */
  static of(presence: Pick<InstancePresence, 'session'>): SharedSlots {
    if (presence.session) return new SharedSlots(advisoryLockStore(presence.session));
    processSlots ??= new SharedSlots(processStore());
    return processSlots;
  }

  /** Waits until the slots are free and takes them. */
  async take({ name, limit, count }: SlotRequest): Promise<HeldSlots> {
    const wanted = Math.min(count, limit);
    const named = this.named(name);
    const slots = await new Promise<number[]>((start, fail) => {
      named.waiting.push({ limit, count: wanted, start, fail });
      void this.look(name);
    });
    let released = false;
    return {
      count: wanted,
      release: async () => {
        if (released) return;
        released = true;
        await this.store.give(name, slots);
        for (const slot of slots) named.held.delete(slot);
        this.lookLater(name, this.store.afterReleaseMs());
      },
    };
  }

  /** How many slots of the name this instance holds. */
  held(name: string): number {
    return this.names.get(name)?.held.size ?? 0;
  }

  /** How many holders of this instance wait for slots of the name. */
  waiting(name: string): number {
    return this.names.get(name)?.waiting.length ?? 0;
  }

  private named(name: string): NamedSlots {
    let named = this.names.get(name);
    if (!named) {
      named = { held: new Set(), waiting: [], looking: false, lookAgain: false, timer: null };
      this.names.set(name, named);
    }
    return named;
  }

  private lookLater(name: string, delayMs: number): void {
    const named = this.named(name);
    if (named.timer || named.waiting.length === 0) return;
    if (delayMs <= 0) {
      void this.look(name);
      return;
    }
    named.timer = setTimeout(() => {
      named.timer = null;
      void this.look(name);
    }, delayMs);
  }

  /**
   * Serves the waiters in order while there are slots for the first one. One look at a time per
   * name; a release during a look makes it look once more.
   */
  private async look(name: string): Promise<void> {
    const named = this.named(name);
    if (named.looking) {
      named.lookAgain = true;
      return;
    }
    named.looking = true;
    try {
      do {
        named.lookAgain = false;
        for (let first = named.waiting[0]; first; first = named.waiting[0]) {
          const slots = await this.store.tryTake(name, first.limit, first.count, named.held);
          if (!slots) break;
          for (const slot of slots) named.held.add(slot);
          named.waiting.shift();
          first.start(slots);
        }
      } while (named.lookAgain);
    } catch (error) {
      for (const waiter of named.waiting.splice(0)) waiter.fail(error);
    } finally {
      named.looking = false;
    }
    const again = this.store.lookAgainAfterMs();
    if (again !== null) this.lookLater(name, again);
    if (named.waiting.length === 0 && named.held.size === 0 && !named.timer) this.names.delete(name);
  }
}
