import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Bus } from '../bus/types.js';
import type { Db } from '../db/client.js';
import { refreshTokens, users } from '../db/schema.js';

/** How long a user's login state is trusted without a revocation event (safety net only). */
const TTL_MS = 30_000;
const MAX_USERS = 50_000;

interface Entry {
  /** The user exists and is not disabled. */
  ok: boolean;
  /** Refresh-token families (logins) still alive. */
  families: Set<string>;
  at: number;
}

/**
 * Is this access token's login still alive? An access token names its user and its login (refresh
 * family); logout, a password change, refresh-token reuse, disabling or deleting the account end
 * logins before the token's 15 minutes are up. Each instance caches, per user, which logins are
 * alive, so a request costs a map lookup; `invalidate` (called by the revoking service and, on every
 * instance, by the bus event `meta.sessions_revoked`) drops the entry and the next request reloads.
 */
export class SessionGuard {
  private cache = new Map<string, Entry>();
  /** Bumped by invalidate: a load that started before it must not store its stale answer. */
  private versions = new Map<string, number>();
  private unsubscribe: () => void;

  constructor(
    private readonly db: Db,
    bus: Bus,
  ) {
    this.unsubscribe = bus.subscribe((ev) => {
      const who = ev.meta?.sessions_revoked;
      if (typeof who === 'string') this.invalidate(who);
    });
  }

  /** `family` undefined: a bot (no logins), only the account's state counts. */
  async allows(userId: string, family?: string): Promise<boolean> {
    let e = this.cache.get(userId);
    const cached = !!e && Date.now() - (e as Entry).at <= TTL_MS;
    if (!e || !cached) e = await this.load(userId);
    if (!e.ok) return false;
    if (family === undefined || e.families.has(family)) return true;
    // Maybe a login newer than the cached state: look again once.
    if (cached) e = await this.load(userId);
    return e.ok && e.families.has(family);
  }

  invalidate(userId: string) {
    this.cache.delete(userId);
    this.versions.set(userId, (this.versions.get(userId) ?? 0) + 1);
    if (this.versions.size > MAX_USERS) this.versions.clear();
  }

  close() {
    this.unsubscribe();
    this.cache.clear();
  }

  private async load(userId: string): Promise<Entry> {
    const version = this.versions.get(userId);
    const [user] = await this.db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).limit(1);
    const rows = user
      ? await this.db
          .selectDistinct({ family: refreshTokens.familyId })
          .from(refreshTokens)
          .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), gt(refreshTokens.expiresAt, new Date())))
      : [];
    const e: Entry = { ok: !!user && !user.disabledAt, families: new Set(rows.map((r) => r.family)), at: Date.now() };
    if (this.versions.get(userId) === version) {
      if (this.cache.size >= MAX_USERS) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(userId, e);
    }
    return e;
  }
}

/** The bus event that makes every instance forget a user's cached login state (reaches no client). */
export const sessionsRevokedEvent = (userId: string) => ({ t: 'SESSIONS_REVOKED', d: null, meta: { sessions_revoked: userId } });
