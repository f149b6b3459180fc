import type { Mailbox } from '@/db/schema';

/**
 * The most connections one test of this mailbox holds at once to its profile's servers: one per
 * enabled direction, incoming and outgoing running at the same time (every protocol signs in, and
 * sends any test message, on the connection whose certificate it checked).
 */
export function connectionsPerTest({ incoming, outgoing }: Pick<Mailbox, 'incoming' | 'outgoing'>): number {
  return (incoming === 'server_side' ? 1 : 0) + (outgoing === 'server_side' ? 1 : 0);
}

/**
 * A profile's connections, taken by tests before they start and given back once they end: first
 * come, first served, so a test that needs more is not passed over forever by ones that need less.
 */
export class ConnectionBudget {
  private available: number;
  private readonly waiting: { connections: number; start: () => void }[] = [];

  constructor(readonly limit: number) {
    this.available = limit;
  }

  /**
   * Waits until `connections` are free and takes them. A test needing more than the whole limit
   * (a limit below what one test opens) takes all of it, so it runs alone.
   */
  async take(connections: number): Promise<number> {
    const taken = Math.min(connections, this.limit);
    if (this.waiting.length === 0 && this.available >= taken) {
      this.available -= taken;
      return taken;
    }
    await new Promise<void>((start) => this.waiting.push({ connections: taken, start }));
    return taken;
  }

  give(connections: number): void {
    this.available += connections;
    while (this.waiting[0] && this.waiting[0].connections <= this.available) {
      const next = this.waiting.shift()!;
      this.available -= next.connections;
      next.start();
    }
  }
}
