import { type CreateEmojiBody, Errors, MAX_EMOJI_BYTES, MAX_EMOJIS_PER_KIND, type PatchEmojiBody, Permissions, hasPermission, isSnowflake } from '@retrocast/protocol';
import { eq, sql } from 'drizzle-orm';
import { decodeDataUri, prepareImage } from '../avatars/images.js';
import type { AppContext, Caller } from '../context.js';
import type { Tx } from '../db/client.js';
import { emojis } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import { ApiError } from '../http/errors.js';
import { accessGuild } from '../permissions/access.js';
import * as store from './store.js';
import { toWireEmoji } from './wire.js';

const { MANAGE_GUILD_EXPRESSIONS } = Permissions;
/** Emoji are small: masters are kept at 128 px. */
const EMOJI_SIZE = 128;
const idOk = isSnowflake;

/** GET: any member; creators are shown to those who manage expressions. */
export async function accessGuildEmojis(ctx: AppContext, who: Caller, guildId: string) {
  const access = await accessGuild(ctx.db, guildId, who.id);
  return store.loadGuildEmojis(ctx.db, guildId, hasPermission(access.permissions, MANAGE_GUILD_EXPRESSIONS));
}

export async function accessOneEmoji(ctx: AppContext, who: Caller, guildId: string, emojiId: string) {
  const emoji = (await accessGuildEmojis(ctx, who, guildId)).find((e) => e.id === emojiId);
  if (!emoji) throw new ApiError(Errors.UNKNOWN_EMOJI);
  return emoji;
}

/** GUILD_EMOJIS_UPDATE carries the guild's whole list (without creators), inside the writing transaction. */
async function emitEmojisUpdate(tx: Tx, emit: Emit, guildId: string) {
  emit({ t: 'GUILD_EMOJIS_UPDATE', d: { guild_id: guildId, emojis: await store.loadGuildEmojis(tx, guildId) }, guild_id: guildId });
}

/**
 * POST /guilds/:id/emojis (MANAGE_GUILD_EXPRESSIONS): the image is checked (real PNG/JPEG/GIF/WebP,
 * ≤ 256 KB) and stored before the row; the per-kind limit is checked under a lock on the guild's rows.
 */
export async function doCreateEmoji(ctx: AppContext, who: Caller, guildId: string, body: CreateEmojiBody) {
  await accessGuild(ctx.db, guildId, who.id, MANAGE_GUILD_EXPRESSIONS);
  const img = await prepareImage(decodeDataUri(body.image, 'image', MAX_EMOJI_BYTES), 'image', EMOJI_SIZE);
  const id = ctx.ids.next();
  const blobKey = `emojis/${guildId}/${id}.${img.animated ? 'gif' : 'png'}`;
  const row = await transact(ctx, async (tx, emit) => {
    await accessGuild(tx, guildId, who.id, MANAGE_GUILD_EXPRESSIONS);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`emojis:${guildId}`}))`);
    const [{ n }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(emojis)
      .where(sql`${emojis.guildId} = ${guildId} and ${emojis.animated} = ${img.animated}`);
    if (Number(n) >= MAX_EMOJIS_PER_KIND) throw new ApiError(Errors.MAX_EMOJIS);
    const [inserted] = await tx.insert(emojis).values({ id, guildId, name: body.name, animated: img.animated, creatorId: who.id, blobKey }).returning();
    await ctx.blobs.put(blobKey, img.bytes, img.animated ? 'image/gif' : 'image/png');
    await emitEmojisUpdate(tx, emit, guildId);
    return inserted;
  });
  return toWireEmoji(row);
}

/** PATCH /guilds/:id/emojis/:emojiId: rename (roles are not supported and must stay empty). */
export async function doEditEmoji(ctx: AppContext, who: Caller, guildId: string, emojiId: string, body: PatchEmojiBody) {
  return transact(ctx, async (tx, emit) => {
    await accessGuild(tx, guildId, who.id, MANAGE_GUILD_EXPRESSIONS);
    const row = idOk(emojiId) ? await store.loadEmoji(tx, guildId, emojiId) : undefined;
    if (!row) throw new ApiError(Errors.UNKNOWN_EMOJI);
    if (body.name === undefined || body.name === row.name) return toWireEmoji(row);
    const [updated] = await tx.update(emojis).set({ name: body.name }).where(eq(emojis.id, emojiId)).returning();
    await emitEmojisUpdate(tx, emit, guildId);
    return toWireEmoji(updated);
  });
}

/** DELETE /guilds/:id/emojis/:emojiId: the row, then its image. */
export async function doDeleteEmoji(ctx: AppContext, who: Caller, guildId: string, emojiId: string) {
  const key = await transact(ctx, async (tx, emit) => {
    await accessGuild(tx, guildId, who.id, MANAGE_GUILD_EXPRESSIONS);
    const row = idOk(emojiId) ? await store.loadEmoji(tx, guildId, emojiId) : undefined;
    if (!row) throw new ApiError(Errors.UNKNOWN_EMOJI);
    await tx.delete(emojis).where(eq(emojis.id, emojiId));
    await emitEmojisUpdate(tx, emit, guildId);
    return row.blobKey;
  });
  await ctx.blobs.delete([key]);
}
