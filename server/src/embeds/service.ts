import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { messages } from '../db/schema.js';
import { transact } from '../db/tx.js';
import { toWireMessages } from '../messages/service.js';
import { type Embed, buildEmbed, extractLinks } from './build.js';
import type { SafeFetcher } from './fetcher.js';

/** Discord's SUPPRESS_EMBEDS message flag. */
const SUPPRESS_EMBEDS = 1 << 2;
const CACHE_TTL_MS = 10 * 60 * 1000;
const CACHE_MAX = 500;

/** Previews per URL for ten minutes (null = nothing to show), so a link pasted twice is fetched once. */
export class EmbedCache {
  private entries = new Map<string, { at: number; value: Promise<Embed | null> }>();
  get(url: string, make: () => Promise<Embed | null>): Promise<Embed | null> {
    const hit = this.entries.get(url);
    if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.value;
    const value = make().catch(() => null);
    this.entries.set(url, { at: Date.now(), value });
    if (this.entries.size > CACHE_MAX) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

/**
 * Stores the previews on the message and announces it with MESSAGE_UPDATE (the full message, as
 * for an edit), unless the author suppressed embeds or the message is gone meanwhile.
 */
export async function doSetEmbeds(ctx: AppContext, channelId: string, messageId: string, embeds: Embed[]) {
  await transact(ctx, async (tx, emit) => {
    const [row] = await tx
      .update(messages)
      .set({ embeds })
      .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId), sql`(${messages.flags} & ${SUPPRESS_EMBEDS}) = 0`))
      .returning();
    if (!row) return;
    const [wire] = await toWireMessages(tx, [row]);
    emit({ t: 'MESSAGE_UPDATE', d: wire, channel_id: channelId, ...(row.guildId ? { guild_id: row.guildId } : {}) });
  });
}

/** Background work after a message is sent: fetch each link's preview, then one MESSAGE_UPDATE if any. */
export async function doUnfurl(ctx: AppContext, fetcher: SafeFetcher, cache: EmbedCache, msg: { id: string; channel_id: string; content: string; flags?: number }, signal: AbortSignal) {
  if ((msg.flags ?? 0) & SUPPRESS_EMBEDS) return;
  const links = extractLinks(msg.content);
  if (!links.length) return;
  const results = await Promise.all(links.map((url) => cache.get(url, () => buildEmbed(fetcher, ctx.config.jwtSecret, url, signal))));
  const embeds = results.filter((e): e is Embed => e !== null);
  if (embeds.length && !signal.aborted) await doSetEmbeds(ctx, msg.channel_id, msg.id, embeds);
}
