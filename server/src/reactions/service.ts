import { Errors, isSnowflake, MAX_REACTION_EMOJIS, Permissions, type ReactionUsersQuery } from '@retrocast/protocol';
import { and, eq } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import { reactions } from '../db/schema.js';
import { publishCommitted, transact } from '../db/tx.js';
import { ApiError } from '../http/errors.js';
import { accessMessage } from '../messages/service.js';
import type { MessageRow } from '../messages/wire.js';
import { checkEmoji } from './emoji.js';
import * as store from './store.js';

const { VIEW_CHANNEL, READ_MESSAGE_HISTORY, ADD_REACTIONS, MANAGE_MESSAGES } = Permissions;
const READ = VIEW_CHANNEL | READ_MESSAGE_HISTORY;

/** Where reaction events go and what they say about it: the message's channel audience. */
function where(m: MessageRow) {
  const guild = m.guildId ? { guild_id: m.guildId } : {};
  return { payload: { channel_id: m.channelId, message_id: m.id, ...guild }, route: { channel_id: m.channelId, ...guild } };
}

/**
 * PUT …/reactions/:emoji/@me. Reading the message is enough to join an existing reaction; a new
 * emoji needs ADD_REACTIONS and room (20 per message). The message row is locked so two first
 * reactions can't both pass the limit. Adding twice is a no-op without an event.
 */
export async function doAddReaction(ctx: AppContext, who: Caller, channelId: string, messageId: string, raw: string) {
  const { access, message } = await accessMessage(ctx.db, channelId, messageId, who.id, READ);
  const { key, emoji } = await checkEmoji(ctx.db, raw);
  const r = { messageId: message.id, userId: who.id, key, emojiId: emoji.id, emojiName: emoji.name };
  const out = await store.addReaction(ctx.db, r, (access.permissions & ADD_REACTIONS) !== 0n, MAX_REACTION_EMOJIS);
  if (!out.found) throw new ApiError(Errors.UNKNOWN_MESSAGE);
  if (!out.added) {
    // Already there (a no-op without an event), or refused: a new emoji needs the permission and room.
    if (out.keys.includes(key)) return;
    if (!(access.permissions & ADD_REACTIONS)) throw new ApiError(Errors.MISSING_PERMISSIONS);
    throw new ApiError(Errors.MAX_REACTIONS);
  }
  const w = where(message);
  // `type` 0 (normal, not a super reaction) and `burst`: discord.py reads both.
  await publishCommitted(ctx, [
    {
      t: 'MESSAGE_REACTION_ADD',
      d: { user_id: who.id, ...w.payload, emoji, message_author_id: message.authorId, burst: false, burst_colors: [], type: 0 },
      ...w.route,
    },
  ]);
}

/** DELETE …/reactions/:emoji/@me, or someone else's (MANAGE_MESSAGES, guild channels). */
export async function doRemoveReaction(ctx: AppContext, who: Caller, channelId: string, messageId: string, raw: string, userId: string) {
  const self = userId === '@me' || userId === who.id;
  const { access, message } = await accessMessage(ctx.db, channelId, messageId, who.id, self ? VIEW_CHANNEL : READ);
  if (!self && (access.guild === null || !(access.permissions & MANAGE_MESSAGES))) throw new ApiError(Errors.MISSING_PERMISSIONS);
  const { key, emoji } = await checkEmoji(ctx.db, raw);
  const target = self ? who.id : userId;
  if (!isSnowflake(target)) throw new ApiError(Errors.UNKNOWN_USER);
  await transact(ctx, async (tx, emit) => {
    const gone = await tx
      .delete(reactions)
      .where(and(eq(reactions.messageId, message.id), eq(reactions.emojiKey, key), eq(reactions.userId, target)))
      .returning({ m: reactions.messageId });
    if (!gone.length) return;
    const w = where(message);
    emit({ t: 'MESSAGE_REACTION_REMOVE', d: { user_id: target, ...w.payload, emoji, burst: false, type: 0 }, ...w.route });
  });
}

/** DELETE …/reactions (all) or …/reactions/:emoji (one emoji): MANAGE_MESSAGES in a guild channel. */
export async function doClearReactions(ctx: AppContext, who: Caller, channelId: string, messageId: string, raw?: string) {
  const { access, message } = await accessMessage(ctx.db, channelId, messageId, who.id, READ);
  if (access.guild === null || !(access.permissions & MANAGE_MESSAGES)) throw new ApiError(Errors.MISSING_PERMISSIONS);
  const one = raw === undefined ? undefined : await checkEmoji(ctx.db, raw);
  await transact(ctx, async (tx, emit) => {
    const gone = await tx
      .delete(reactions)
      .where(and(eq(reactions.messageId, message.id), one ? eq(reactions.emojiKey, one.key) : undefined))
      .returning({ m: reactions.messageId });
    if (!gone.length) return;
    const w = where(message);
    if (one) emit({ t: 'MESSAGE_REACTION_REMOVE_EMOJI', d: { ...w.payload, emoji: one.emoji }, ...w.route });
    else emit({ t: 'MESSAGE_REACTION_REMOVE_ALL', d: w.payload, ...w.route });
  });
}

/** GET …/reactions/:emoji: the users who reacted with it, by id. */
export async function accessReactors(
  ctx: AppContext,
  who: Caller,
  channelId: string,
  messageId: string,
  raw: string,
  query: ReactionUsersQuery,
) {
  const { message } = await accessMessage(ctx.db, channelId, messageId, who.id, READ);
  const { key } = await checkEmoji(ctx.db, raw);
  return store.loadReactors(ctx.db, message.id, key, query.after, query.limit ?? 25);
}
