import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

type StoredEntry = { payload: AdapterPayload; expiresAt: number | null };

/**
 * oidc-provider's own memory adapter cannot list grants by account, which revoking an account's
 * grants from a test needs; this one keeps every model in one map that can.
 */
export class MemoryStore {
  private readonly entries = new Map<string, StoredEntry>();

  readonly adapterFactory: AdapterFactory = (model) => this.adapterFor(model);

  grantIdsOfAccount(accountId: string): string[] {
    const grantIds: string[] = [];
    for (const [key, entry] of this.entries) {
      if (key.startsWith('Grant:') && entry.payload.accountId === accountId && !this.isExpired(entry)) {
        grantIds.push(key.slice('Grant:'.length));
      }
    }
    return grantIds;
  }

  /** Access and refresh tokens of one account and client that would still be accepted. */
  liveTokensOf(options: { accountId: string; clientId: string }): { accessTokens: number; refreshTokens: number } {
    const live = { accessTokens: 0, refreshTokens: 0 };
    for (const [key, entry] of this.entries) {
      const { payload } = entry;
      if (this.isExpired(entry) || payload.consumed || payload.accountId !== options.accountId || payload.clientId !== options.clientId) continue;
      if (key.startsWith('AccessToken:')) live.accessTokens += 1;
      else if (key.startsWith('RefreshToken:')) live.refreshTokens += 1;
    }
    return live;
  }

  revokeGrant(grantId: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.payload.grantId === grantId || key === `Grant:${grantId}`) this.entries.delete(key);
    }
  }

  deleteEntry(options: { model: string; id: string }): void {
    this.entries.delete(`${options.model}:${options.id}`);
  }

  private isExpired(entry: StoredEntry): boolean {
    return entry.expiresAt !== null && entry.expiresAt <= Date.now();
  }

  private findWhere(model: string, matches: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const [key, entry] of this.entries) {
      if (key.startsWith(`${model}:`) && !this.isExpired(entry) && matches(entry.payload)) return entry.payload;
    }
    return undefined;
  }

  private adapterFor(model: string): Adapter {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => {
        this.entries.set(keyOf(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
      },
      find: async (id) => {
        const entry = this.entries.get(keyOf(id));
        return entry && !this.isExpired(entry) ? entry.payload : undefined;
      },
      findByUserCode: async (userCode) => this.findWhere(model, (payload) => payload.userCode === userCode),
      findByUid: async (uid) => this.findWhere(model, (payload) => payload.uid === uid),
      consume: async (id) => {
        const entry = this.entries.get(keyOf(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        this.entries.delete(keyOf(id));
      },
      revokeByGrantId: async (grantId) => {
        this.revokeGrant(grantId);
      },
    };
  }
}
