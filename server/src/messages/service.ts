import {
  type AllowedMentions,
  type CreateMessageBody,
  type EditMessageBody,
  Errors,
  MAX_MESSAGE_LENGTH,
  type Message,
  type MessagesQuery,
  Permissions,
  snowflakeTimestamp,
  type User,
} from '@retrocast/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import type { Queryable, Tx } from '../db/client.js';
import { messages, users } from '../db/schema.js';
import { type Emit, publishCommitted, transact } from '../db/tx.js';
import { checkDmSendAllowed, doReopenDm } from '../dms/hooks.js';
import { ApiError, invalidField } from '../http/errors.js';
import { accessChannel, type ChannelAccess } from '../permissions/access.js';
import { withReactions } from '../reactions/store.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { type Author, loadAuthor } from './authors.js';
import { loadHistoryPage } from './history-page.js';
import { flushLastMessages, lastMessagesOf } from './last-message.js';
import { mentionTargets, parseMentions, type ResolvedMentions, resolveMentions } from './mentions.js';
import { checkRichEmbeds } from './rich-embeds.js';
import * as store from './store.js';
import { type MessageRow, MessageType, toWireMessage } from './wire.js';

const { VIEW_CHANNEL, SEND_MESSAGES, READ_MESSAGE_HISTORY, MANAGE_MESSAGES } = Permissions;
/** Channel types that hold messages: guild text, DM, group DM. */
const TEXT_TYPES = new Set([0, 1, 3]);
/** A retry with the same nonce within this window returns the first message (Discord: "a few minutes"). */
const NONCE_WINDOW_MS = 10 * 60 * 1000;
/** A message still holds its nonce: a send with the same nonce is a retry and gets this message back. */
const inNonceWindow = (m: MessageRow) => Date.now() - m.createdAt.getTime() < NONCE_WINDOW_MS;
/** Discord refuses to bulk-delete messages older than two weeks. */
const BULK_DELETE_MAX_AGE_MS = 14 * 24 * 3600 * 1000;

/** accessChannel for message routes: out-of-range ids are unknown; voice channels and categories hold no messages. */
export async function accessTextChannel(q: Queryable, channelId: string, userId: string, needed: bigint): Promise<ChannelAccess> {
  if (!store.idInRange(channelId)) throw new ApiError(Errors.UNKNOWN_CHANNEL);
  const access = await accessChannel(q, channelId, userId, needed);
  if (!TEXT_TYPES.has(access.channel.type)) throw new ApiError(Errors.NON_TEXT_CHANNEL);
  return access;
}

/** Load a message of a channel the caller may read, or Unknown Message. */
export async function accessMessage(q: Queryable, channelId: string, messageId: string, userId: string, needed: bigint) {
  const access = await accessTextChannel(q, channelId, userId, needed);
  const message = await store.loadMessage(q, channelId, messageId);
  if (!message) throw new ApiError(Errors.UNKNOWN_MESSAGE);
  return { access, message };
}

/** Rows → wire messages with their authors, mentions, attachments and replied-to messages. */
export async function toWireMessages(q: Queryable, rows: MessageRow[]): Promise<Message[]> {
  const refs = await store.hydrate(q, rows);
  return rows.map((r) => toWireMessage(r, refs));
}

/** Trimmed content within Discord's limits; empty is fine only with attachments. */
export function checkContent(content: string | null | undefined, hasAttachments: boolean): string {
  // PostgreSQL text cannot hold NUL; it carries nothing a reader would see anyway.
  const text = (content ?? '').replaceAll('\0', '').trim();
  if (!text && !hasAttachments) throw new ApiError(Errors.EMPTY_MESSAGE);
  if (text.length > MAX_MESSAGE_LENGTH)
    throw invalidField('content', 'BASE_TYPE_BAD_LENGTH', `Must be ${MAX_MESSAGE_LENGTH} or fewer in length.`);
  return text;
}

function checkAllowedMentions(allowed: AllowedMentions | null | undefined) {
  for (const kind of ['users', 'roles'] as const) {
    if (allowed?.[kind] && allowed.parse?.includes(kind)) {
      throw invalidField(
        `allowed_mentions.${kind}`,
        'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        `parse:["${kind}"] and ${kind}: [ids] are mutually exclusive.`,
      );
    }
    for (const id of allowed?.[kind] ?? [])
      if (!store.idInRange(id)) throw invalidField(`allowed_mentions.${kind}`, 'NUMBER_TYPE_COERCE', `Value "${id}" is not snowflake.`);
  }
}

/** The replied-to message, if it is in this channel; undefined when missing and the caller allows that. */
async function checkReference(q: Queryable, access: ChannelAccess, ref: CreateMessageBody['message_reference']) {
  if (!ref) return undefined;
  const channelId = access.channel.id;
  if (!(access.permissions & READ_MESSAGE_HISTORY)) throw new ApiError(Errors.MISSING_PERMISSIONS);
  const sameChannel = (!ref.channel_id || ref.channel_id === channelId) && (!ref.guild_id || ref.guild_id === access.channel.guildId);
  const target = sameChannel ? await store.loadMessage(q, channelId, ref.message_id) : undefined;
  if (!target && ref.fail_if_not_exists !== false) throw invalidField('message_reference', 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
  return target;
}

/** Channel slowmode (rate_limit_per_user seconds); members who may manage messages or the channel are exempt. */
function slowmodeApplies(access: ChannelAccess): boolean {
  return !!access.channel.rateLimitPerUser && !(access.permissions & (MANAGE_MESSAGES | Permissions.MANAGE_CHANNELS));
}

async function checkSlowmode(q: Queryable, access: ChannelAccess, authorId: string) {
  if (!slowmodeApplies(access)) return;
  const last = await store.lastPostAt(q, access.channel.id, authorId);
  if (last && Date.now() - last.getTime() < access.channel.rateLimitPerUser * 1000) throw new ApiError(Errors.SLOWMODE);
}

async function checkAttachments(q: Queryable, channelId: string, authorId: string, wanted: { id: string }[] = []) {
  const ids = [...new Set(wanted.map((a) => a.id))];
  if (ids.some((id) => !store.idInRange(id))) throw new ApiError(Errors.UNKNOWN_ATTACHMENT);
  const rows = await store.loadUnusedAttachments(q, channelId, authorId, ids);
  if (rows.length !== ids.length) throw new ApiError(Errors.UNKNOWN_ATTACHMENT);
  return ids;
}

/** A validated message about to be written. */
interface Draft {
  access: ChannelAccess;
  content: string;
  /** Rich embeds (bots, webhooks), already checked. */
  embeds: unknown[];
  /** Set when a webhook posts: its id and the name/avatar it posts under. */
  webhook?: { id: string; username: string; avatar_url: string | null };
  nonce: string | null;
  /** A message with the same nonce whose idempotency window has passed: its nonce is released. */
  expired?: MessageRow;
  replyTo?: MessageRow;
  attachmentIds: string[];
  mentions: ResolvedMentions;
  /** Users whose unread mention count goes up. */
  targets: string[];
  /** User objects the wire message needs besides its author (pinged users, the replied-to message's). */
  users: Map<string, User>;
  /** Loaded before the transaction: on PGlite a query outside the open transaction would wait for it. */
  author: Author | undefined;
  flags: number;
}

/** The user objects of the pings and of the replied-to message (one query at most, often none). */
async function draftUsers(q: Queryable, mentions: ResolvedMentions, replyTo?: MessageRow): Promise<Map<string, User>> {
  const found = new Map(mentions.found ?? []);
  const wanted = [...mentions.users, ...(replyTo ? [replyTo.authorId, ...replyTo.mentions] : [])];
  const missing = [...new Set(wanted)].filter((id) => !found.has(id));
  if (missing.length)
    for (const u of await q.select(userColumns(users)).from(users).where(inArray(users.id, missing))) found.set(u.id, toWireUser(u));
  return found;
}

/**
 * Validates a send (VIEW_CHANNEL + SEND_MESSAGES, content, nonce, slowmode, reply, attachments) and
 * resolves its mentions. A retry within the nonce window yields the earlier message instead.
 */
export async function checkCreateMessage(
  ctx: AppContext,
  who: Caller,
  channelId: string,
  body: CreateMessageBody,
): Promise<{ duplicate: MessageRow } | { draft: Draft }> {
  const access = await accessTextChannel(ctx.db, channelId, who.id, VIEW_CHANNEL | SEND_MESSAGES);
  await checkDmSendAllowed(ctx.db, access.channel, who.id);
  const embeds = checkRichEmbeds(body.embeds);
  const content = checkContent(body.content, (body.attachments?.length ?? 0) > 0 || embeds.length > 0);
  checkAllowedMentions(body.allowed_mentions);
  const nonce = body.nonce === undefined ? null : String(body.nonce);
  if (nonce?.includes('\0')) throw invalidField('nonce', 'BASE_TYPE_INVALID', 'Invalid nonce.');
  // A retry must find its first message before slowmode or its already used attachments refuse
  // it; any other send leaves duplicates to the insert itself (ON CONFLICT), one round trip less.
  const early = nonce !== null && (slowmodeApplies(access) || (body.attachments?.length ?? 0) > 0);
  const existing = early ? await store.findByNonce(ctx.db, channelId, who.id, nonce) : undefined;
  if (existing && inNonceWindow(existing)) return { duplicate: existing };
  await checkSlowmode(ctx.db, access, who.id);
  const replyTo = await checkReference(ctx.db, access, body.message_reference);
  const attachmentIds = await checkAttachments(ctx.db, channelId, who.id, body.attachments);
  const mentions = await resolveMentions(ctx.db, access, parseMentions(content), body.allowed_mentions, replyTo?.authorId);
  const targets = await mentionTargets(ctx.db, access, mentions, who.id, ctx.presence);
  const users = await draftUsers(ctx.db, mentions, replyTo);
  const author = await loadAuthor(ctx.db, access.channel.guildId, who.id);
  const flags = (body.flags ?? 0) & 4; // only SUPPRESS_EMBEDS may be set by the sender
  return { draft: { access, content, embeds, nonce, expired: existing, replyTo, attachmentIds, mentions, targets, users, author, flags } };
}

/**
 * Sends a message. Idempotent per (channel, author, nonce): a retry, even concurrent, returns the
 * first message and emits nothing. The row, its attachments, the author's read state and others'
 * mention counts (and a DM's last_message_id) commit together; MESSAGE_CREATE goes out after the
 * commit, so the event never precedes the row.
 */
export async function doCreateMessage(ctx: AppContext, who: Caller, channelId: string, body: CreateMessageBody): Promise<Message> {
  const checked = await checkCreateMessage(ctx, who, channelId, body);
  if ('duplicate' in checked) return (await toWireMessages(ctx.db, [checked.duplicate]))[0];
  const { draft } = checked;
  const created = await insertDraft(ctx, who, draft);
  if ('duplicate' in created) return (await toWireMessages(ctx.db, [created.duplicate]))[0];
  if (draft.access.channel.guildId) lastMessagesOf(ctx.db)?.note(channelId, created.id);
  return created;
}

/**
 * A webhook posts (webhooks/service.ts checked its token): as its backing user, with Discord's
 * webhook permissions in the channel (send, embed, attach, mention everyone), no nonce, no reply.
 */
export async function doCreateWebhookMessage(
  ctx: AppContext,
  access: ChannelAccess,
  webhook: { id: string; username: string; avatar_url: string | null },
  body: Pick<CreateMessageBody, 'content' | 'embeds' | 'allowed_mentions' | 'flags' | 'attachments'>,
): Promise<Message> {
  const embeds = checkRichEmbeds(body.embeds);
  const attachmentIds = await checkAttachments(ctx.db, access.channel.id, webhook.id, body.attachments);
  const content = checkContent(body.content, attachmentIds.length > 0 || embeds.length > 0);
  checkAllowedMentions(body.allowed_mentions);
  const mentions = await resolveMentions(ctx.db, access, parseMentions(content), body.allowed_mentions);
  const targets = await mentionTargets(ctx.db, access, mentions, webhook.id, ctx.presence);
  const users = await draftUsers(ctx.db, mentions);
  const author = await loadAuthor(ctx.db, access.channel.guildId, webhook.id);
  const draft: Draft = {
    access,
    content,
    embeds,
    nonce: null,
    attachmentIds,
    mentions,
    targets,
    users,
    author,
    flags: (body.flags ?? 0) & 4,
    webhook,
  };
  const created = await insertDraft(ctx, { id: webhook.id, bot: true }, draft);
  if ('duplicate' in created) throw new Error('webhook message without nonce was not inserted');
  if (access.channel.guildId) lastMessagesOf(ctx.db)?.note(access.channel.id, created.id);
  return created;
}

/**
 * Writes a checked draft. A guild send without attachments or an expired nonce is one autocommitted
 * statement (the insert and its read states) and then MESSAGE_CREATE: one round trip. Anything else,
 * and a send whose nonce turns out taken, goes through the transaction of `doInsertMessage`.
 */
async function insertDraft(ctx: AppContext, who: Caller, d: Draft): Promise<Message | { duplicate: MessageRow }> {
  if (d.access.channel.guildId && !d.expired && !d.attachmentIds.length) {
    const row = await store.sendMessage(ctx.db, draftRow(ctx, who, d), d.targets);
    if (row) {
      const { wire, event } = createdMessage(row, [], who, d);
      await publishCommitted(ctx, [event]);
      return wire;
    }
    if (d.nonce !== null) {
      // A retry: the insert waited for the holder of the nonce to commit, so it is visible now.
      const holder = await store.findByNonce(ctx.db, d.access.channel.id, who.id, d.nonce);
      if (holder && inNonceWindow(holder)) return { duplicate: holder };
      return transact(ctx, (tx, emit) => doInsertMessage(ctx, tx, emit, who, { ...d, expired: holder }));
    }
  }
  return transact(ctx, (tx, emit) => doInsertMessage(ctx, tx, emit, who, d));
}

/** The messages row of a checked draft, with a new id. */
function draftRow(ctx: AppContext, who: Caller, d: Draft) {
  const { channel } = d.access;
  return {
    id: ctx.ids.next(),
    channelId: channel.id,
    guildId: channel.guildId,
    authorId: who.id,
    content: d.content,
    embeds: d.embeds,
    ...(d.webhook ? { webhookId: d.webhook.id, webhookAuthor: { username: d.webhook.username, avatar_url: d.webhook.avatar_url } } : {}),
    type: d.replyTo ? MessageType.REPLY : MessageType.DEFAULT,
    nonce: d.nonce,
    mentionEveryone: d.mentions.everyone,
    mentions: d.mentions.users,
    mentionRoles: d.mentions.roles,
    reference: d.replyTo
      ? { message_id: d.replyTo.id, channel_id: channel.id, ...(channel.guildId ? { guild_id: channel.guildId } : {}) }
      : null,
    flags: d.flags,
  };
}

/** The wire message of a new row and its MESSAGE_CREATE, built from what the checks loaded (no queries). */
function createdMessage(row: MessageRow, files: Awaited<ReturnType<typeof store.attachFiles>>, who: Caller, d: Draft) {
  const { channel } = d.access;
  const { author } = d;
  const wire = toWireMessage(row, {
    users: new Map([...d.users, ...(author ? [[who.id, author.user] as const] : [])]),
    attachments: new Map(files.length ? [[row.id, files]] : []),
    referenced: new Map(d.replyTo ? [[d.replyTo.id, d.replyTo]] : []),
  });
  const guild = channel.guildId ? { guild_id: channel.guildId } : {};
  const event = {
    t: 'MESSAGE_CREATE',
    d: { ...wire, ...(author?.member ? { member: author.member } : {}) },
    channel_id: channel.id,
    ...guild,
  };
  return { wire, event };
}

/**
 * Inside tx: writes a checked draft and emits MESSAGE_CREATE. When the nonce is taken, returns the
 * message holding it if it is within the idempotency window (our transaction wrote nothing), else
 * frees the nonce and inserts. The insert writes the read states too (author's and pinged users'
 * in the same statement); the author comes from the guild state cache and the wire message from
 * what the checks already loaded. last_message_id of guild channels is written behind
 * (last-message.ts), off the channel row everyone sends to.
 */
async function doInsertMessage(ctx: AppContext, tx: Tx, emit: Emit, who: Caller, d: Draft): Promise<Message | { duplicate: MessageRow }> {
  const { channel } = d.access;
  if (d.expired) await store.releaseNonce(tx, d.expired.id);
  const values = draftRow(ctx, who, d);
  let row = await store.insertMessageMarkingSent(tx, values, d.targets);
  if (!row && d.nonce !== null) {
    // Taken by an earlier send (or a concurrent one, whose commit ON CONFLICT waited for).
    const holder = await store.findByNonce(tx, channel.id, who.id, d.nonce);
    if (holder && inNonceWindow(holder)) return { duplicate: holder };
    if (holder) await store.releaseNonce(tx, holder.id);
    row = await store.insertMessageMarkingSent(tx, values, d.targets);
  }
  if (!row) throw new Error('message insert wrote nothing');
  const files = await store.attachFiles(tx, row.id, d.attachmentIds);
  const { wire, event } = createdMessage(row, files, who, d);
  // DMs keep last_message_id in the transaction: two people, no contention, and their list order uses it.
  if (!channel.guildId) await store.setChannelLastMessage(tx, channel.id, row.id);
  if (!channel.guildId) await doReopenDm(tx, emit, channel);
  emit(event);
  return wire;
}

/** A page of history (VIEW_CHANNEL + READ_MESSAGE_HISTORY), newest first; at most one cursor. */
export async function accessHistory(ctx: AppContext, who: Caller, channelId: string, query: MessagesQuery): Promise<Message[]> {
  await accessTextChannel(ctx.db, channelId, who.id, VIEW_CHANNEL | READ_MESSAGE_HISTORY);
  const cursors = (['before', 'after', 'around'] as const).filter((k) => query[k] !== undefined);
  if (cursors.length > 1) throw invalidField(cursors[1], 'BASE_TYPE_INVALID', 'Only one of before, after and around may be given.');
  for (const k of cursors)
    if (!store.idInRange(query[k] as string)) throw invalidField(k, 'NUMBER_TYPE_COERCE', `Value "${query[k]}" is not snowflake.`);
  const page = { limit: query.limit ?? 50, before: query.before, after: query.after, around: query.around };
  return loadHistoryPage(ctx.db, channelId, page, who.id);
}

export async function accessOneMessage(ctx: AppContext, who: Caller, channelId: string, messageId: string): Promise<Message> {
  const { message } = await accessMessage(ctx.db, channelId, messageId, who.id, VIEW_CHANNEL | READ_MESSAGE_HISTORY);
  return (await withReactions(ctx.db, await toWireMessages(ctx.db, [message]), who.id))[0];
}

/**
 * Edits the caller's own message: content (mentions re-resolved, nobody is pinged again) and flags.
 * One autocommitted UPDATE; the wire message is built from what was loaded for the checks (a plain
 * content edit: the message, its attachments, the update).
 */
export async function doEditMessage(
  ctx: AppContext,
  who: Caller,
  channelId: string,
  messageId: string,
  body: EditMessageBody,
): Promise<Message> {
  const { access, message } = await accessMessage(ctx.db, channelId, messageId, who.id, VIEW_CHANNEL);
  if (message.authorId !== who.id) throw new ApiError(Errors.CANNOT_EDIT_OTHERS_MESSAGE);
  return doApplyEdit(ctx, access, message, body);
}

/** Edits a message whose author the caller has proven to be (its user, or a webhook's token). */
export async function doApplyEdit(ctx: AppContext, access: ChannelAccess, message: MessageRow, body: EditMessageBody): Promise<Message> {
  const channelId = message.channelId;
  checkAllowedMentions(body.allowed_mentions);
  const patch: Partial<MessageRow> = { editedAt: new Date() };
  if (body.embeds !== undefined) patch.embeds = checkRichEmbeds(body.embeds ?? []);
  const files = await store.loadAttachments(ctx.db, message.id);
  const replied = message.reference ? await store.loadMessage(ctx.db, channelId, message.reference.message_id) : undefined;
  let found = new Map<string, User>();
  if (body.content !== undefined) {
    const embedCount = (patch.embeds ?? message.embeds).length;
    patch.content = checkContent(body.content, files.length > 0 || embedCount > 0);
    const repliedTo = replied?.authorId;
    const wasReplyPing = repliedTo !== undefined && message.mentions.includes(repliedTo);
    const m = await resolveMentions(
      ctx.db,
      access,
      parseMentions(patch.content),
      body.allowed_mentions,
      wasReplyPing ? repliedTo : undefined,
    );
    found = m.found ?? found;
    Object.assign(patch, { mentions: m.users, mentionRoles: m.roles, mentionEveryone: m.everyone });
  }
  if (body.flags !== undefined && body.flags !== null) patch.flags = body.flags & 4;
  const author = await loadAuthor(ctx.db, message.guildId, message.authorId);
  const [row] = await ctx.db.update(messages).set(patch).where(eq(messages.id, message.id)).returning();
  if (!row) throw new ApiError(Errors.UNKNOWN_MESSAGE);
  if (author) found.set(message.authorId, author.user);
  const users = await draftUsers(ctx.db, { users: row.mentions, roles: [], everyone: false, found }, replied);
  const wire = toWireMessage(row, {
    users,
    attachments: new Map([[row.id, files]]),
    referenced: new Map(replied ? [[replied.id, replied]] : []),
  });
  await publishCommitted(ctx, [{ t: 'MESSAGE_UPDATE', d: wire, channel_id: channelId, ...(row.guildId ? { guild_id: row.guildId } : {}) }]);
  return wire;
}

/** Deletes a message: its author, or anyone with MANAGE_MESSAGES in a guild channel. */
export async function doDeleteMessage(ctx: AppContext, who: Caller, channelId: string, messageId: string): Promise<void> {
  const { access, message } = await accessMessage(ctx.db, channelId, messageId, who.id, VIEW_CHANNEL);
  const moderator = access.guild !== null && (access.permissions & MANAGE_MESSAGES) !== 0n;
  if (message.authorId !== who.id && !moderator) throw new ApiError(Errors.MISSING_PERMISSIONS);
  await doRemoveMessage(ctx, message);
}

/** Deletes a message the caller may delete (checked by the caller); MESSAGE_DELETE after commit. */
export async function doRemoveMessage(ctx: AppContext, message: MessageRow): Promise<void> {
  const channelId = message.channelId;
  // last_message_id is recomputed by the delete: what was written behind must land first.
  await flushLastMessages(ctx.db);
  if (!(await store.deleteMessageKeepingLast(ctx.db, channelId, message.id))) return; // a concurrent delete announced it
  const guild = message.guildId ? { guild_id: message.guildId } : {};
  await publishCommitted(ctx, [
    { t: 'MESSAGE_DELETE', d: { id: message.id, channel_id: channelId, ...guild }, channel_id: channelId, ...guild },
  ]);
  if (message.pinned) await transact(ctx, (tx, emit) => doRefreshPins(tx, emit, channelId, message.guildId));
}

/** Deletes 2–100 messages of the channel younger than two weeks (MANAGE_MESSAGES); unknown ids are skipped. */
export async function doBulkDelete(ctx: AppContext, who: Caller, channelId: string, ids: string[]): Promise<void> {
  const access = await accessTextChannel(ctx.db, channelId, who.id, VIEW_CHANNEL | MANAGE_MESSAGES);
  const unique = [...new Set(ids)];
  if (unique.length < 2 || unique.length > 100) throw new ApiError(Errors.BULK_DELETE_COUNT);
  unique.forEach((id, i) => {
    if (!store.idInRange(id)) throw invalidField(`messages.${i}`, 'NUMBER_TYPE_COERCE', `Value "${id}" is not snowflake.`);
  });
  if (unique.some((id) => Date.now() - snowflakeTimestamp(id) > BULK_DELETE_MAX_AGE_MS)) throw new ApiError(Errors.BULK_DELETE_TOO_OLD);
  await flushLastMessages(ctx.db);
  await transact(ctx, async (tx, emit) => {
    const gone = await tx
      .delete(messages)
      .where(and(eq(messages.channelId, channelId), inArray(messages.id, unique)))
      .returning({ id: messages.id, pinned: messages.pinned });
    if (!gone.length) return;
    const guild = access.channel.guildId ? { guild_id: access.channel.guildId } : {};
    emit({ t: 'MESSAGE_DELETE_BULK', d: { ids: gone.map((g) => g.id), channel_id: channelId, ...guild }, channel_id: channelId, ...guild });
    await store.refreshChannelLastMessage(tx, channelId);
    if (gone.some((m) => m.pinned)) await doRefreshPins(tx, emit, channelId, access.channel.guildId);
  });
}

/** Inside tx, after pins changed (pin, unpin, deleting a pinned message): last_pin_timestamp and CHANNEL_PINS_UPDATE. */
export async function doRefreshPins(tx: Tx, emit: Emit, channelId: string, guildId: string | null) {
  const lastPin = await store.refreshLastPin(tx, channelId);
  const guild = guildId ? { guild_id: guildId } : {};
  emit({
    t: 'CHANNEL_PINS_UPDATE',
    d: { channel_id: channelId, last_pin_timestamp: lastPin?.toISOString() ?? null, ...guild },
    channel_id: channelId,
    ...guild,
  });
}
