import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { members } from '../db/schema.js';

/** How many of a guild's members are online (Discord's `approximate_presence_count`). */
export type OnlineCounter = (guildId: string) => Promise<number>;

/** Reads the gateway's shared presence store; 0 when the app runs without a gateway. */
export function onlineCounter(app: FastifyInstance): OnlineCounter {
  return async (guildId) => {
    if (!app.hasDecorator('gateway')) return 0;
    const ids = (await app.ctx.db.select({ id: members.userId }).from(members).where(eq(members.guildId, guildId))).map((r) => r.id);
    return ids.length ? (await app.gateway.presence.get(ids)).size : 0;
  };
}
