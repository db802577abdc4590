import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type CreateWebhookBody,
  type EditMessageBody,
  Errors,
  type ExecuteWebhookBody,
  type PatchWebhookBody,
  Permissions,
  type Webhook,
} from '@retrocast/protocol';
import { and, count, eq } from 'drizzle-orm';
import { doStoreImage } from '../avatars/service.js';
import type { AppContext, Caller } from '../context.js';
import type { Queryable } from '../db/client.js';
import { channels, guilds, messages, users, webhooks } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { doApplyEdit, doCreateWebhookMessage, doRemoveMessage, toWireMessages } from '../messages/service.js';
import { accessChannel, accessGuild, type ChannelAccess, loadGuildAccess } from '../permissions/access.js';
import { withReactions } from '../reactions/store.js';
import { toWireUser } from '../users/wire.js';

type WebhookRow = typeof webhooks.$inferSelect;
const { MANAGE_WEBHOOKS, VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS, ATTACH_FILES, MENTION_EVERYONE } = Permissions;
/** Discord: 15 webhooks per channel. */
const MAX_PER_CHANNEL = 15;
/** Discord refuses these names for webhooks. */
const FORBIDDEN_NAME = /clyde|discord/i;

function checkName(name: string) {
  const n = name.trim();
  if (!n || FORBIDDEN_NAME.test(n)) {
    throw new ApiError(Errors.INVALID_FORM_BODY, {
      name: { _errors: [{ code: 'WEBHOOK_INVALID_USERNAME', message: 'Invalid webhook name.' }] },
    });
  }
  return n;
}

/** `base` is the HTTP base of the request, for the webhook's `url`. Token and url only when `withToken`. */
export async function toWireWebhook(q: Queryable, w: WebhookRow, base: string, withToken: boolean): Promise<Webhook> {
  const [creator] = w.creatorId ? await q.select().from(users).where(eq(users.id, w.creatorId)) : [];
  return {
    id: w.id,
    type: 1,
    guild_id: w.guildId,
    channel_id: w.channelId,
    ...(creator && withToken ? { user: toWireUser(creator) } : {}),
    name: w.name,
    avatar: w.avatar,
    application_id: null,
    ...(withToken ? { token: w.token, url: `${base}/api/v10/webhooks/${w.id}/${w.token}` } : {}),
  };
}

async function loadWebhook(q: Queryable, id: string): Promise<WebhookRow> {
  const [row] = await q.select().from(webhooks).where(eq(webhooks.id, id));
  if (!row) throw new ApiError(Errors.UNKNOWN_WEBHOOK);
  return row;
}

/** The webhook by id and token (the token is the credential): unknown id 404, wrong token 401. */
export async function accessWebhookByToken(q: Queryable, id: string, token: string): Promise<WebhookRow> {
  const row = await loadWebhook(q, id);
  const a = Buffer.from(row.token);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ApiError(Errors.INVALID_WEBHOOK_TOKEN);
  return row;
}

/** The webhook, if the caller has MANAGE_WEBHOOKS in its channel (else as if it did not exist, or 50013). */
async function accessManagedWebhook(ctx: AppContext, who: Caller, id: string) {
  const row = await loadWebhook(ctx.db, id);
  await accessChannel(ctx.db, row.channelId, who.id, MANAGE_WEBHOOKS);
  return row;
}

/** A guild text channel where the caller has MANAGE_WEBHOOKS. */
async function accessWebhookChannel(ctx: AppContext, who: Caller, channelId: string) {
  const access = await accessChannel(ctx.db, channelId, who.id, MANAGE_WEBHOOKS);
  if (!access.channel.guildId || access.channel.type !== 0) throw new ApiError(Errors.INVALID_CHANNEL_TYPE);
  return access;
}

/** POST /channels/{id}/webhooks: a webhook and its backing user (bot, no login; same id). */
export async function doCreateWebhook(ctx: AppContext, who: Caller, channelId: string, body: CreateWebhookBody, base: string) {
  const access = await accessWebhookChannel(ctx, who, channelId);
  const name = checkName(body.name);
  const [{ n }] = await ctx.db.select({ n: count() }).from(webhooks).where(eq(webhooks.channelId, channelId));
  if (Number(n) >= MAX_PER_CHANNEL) throw new ApiError(Errors.MAX_WEBHOOKS);
  const id = ctx.ids.next();
  const avatar = body.avatar ? await doStoreImage(ctx, 'avatars', id, body.avatar, 'avatar') : null;
  const row = await ctx.db.transaction(async (tx) => {
    await tx.insert(users).values({ id, username: `webhook_${id}`, displayName: name, avatar, bot: true });
    const [w] = await tx
      .insert(webhooks)
      .values({
        id,
        guildId: access.channel.guildId as string,
        channelId,
        creatorId: who.id,
        name,
        avatar,
        token: randomBytes(48).toString('base64url'),
      })
      .returning();
    return w;
  });
  return toWireWebhook(ctx.db, row, base, true);
}

export async function listChannelWebhooks(ctx: AppContext, who: Caller, channelId: string, base: string) {
  await accessWebhookChannel(ctx, who, channelId);
  const rows = await ctx.db.select().from(webhooks).where(eq(webhooks.channelId, channelId)).orderBy(webhooks.id);
  return Promise.all(rows.map((w) => toWireWebhook(ctx.db, w, base, true)));
}

export async function listGuildWebhooks(ctx: AppContext, who: Caller, guildId: string, base: string) {
  await accessGuild(ctx.db, guildId, who.id, MANAGE_WEBHOOKS);
  const rows = await ctx.db.select().from(webhooks).where(eq(webhooks.guildId, guildId)).orderBy(webhooks.id);
  return Promise.all(rows.map((w) => toWireWebhook(ctx.db, w, base, true)));
}

export async function accessGetWebhook(ctx: AppContext, who: Caller, id: string, base: string) {
  return toWireWebhook(ctx.db, await accessManagedWebhook(ctx, who, id), base, true);
}

/** PATCH /webhooks/{id} (MANAGE_WEBHOOKS; moving it needs the permission in the new channel too) or /webhooks/{id}/{token}. */
export async function doUpdateWebhook(ctx: AppContext, row: WebhookRow, who: Caller | null, body: PatchWebhookBody, base: string) {
  const patch: Partial<WebhookRow> = {};
  if (body.name !== undefined) patch.name = checkName(body.name);
  if (body.channel_id !== undefined && body.channel_id !== row.channelId) {
    if (!who) throw new ApiError(Errors.MISSING_PERMISSIONS);
    const target = await accessWebhookChannel(ctx, who, body.channel_id);
    if (target.channel.guildId !== row.guildId) throw new ApiError(Errors.UNKNOWN_CHANNEL);
    patch.channelId = body.channel_id;
  }
  if (body.avatar !== undefined) patch.avatar = await doStoreImage(ctx, 'avatars', row.id, body.avatar, 'avatar');
  if (!Object.keys(patch).length) return toWireWebhook(ctx.db, row, base, who !== null);
  const [updated] = await ctx.db.transaction(async (tx) => {
    const userPatch: Partial<typeof users.$inferInsert> = {};
    if (patch.name !== undefined) userPatch.displayName = patch.name;
    if (patch.avatar !== undefined) userPatch.avatar = patch.avatar;
    if (Object.keys(userPatch).length) await tx.update(users).set(userPatch).where(eq(users.id, row.id));
    return tx.update(webhooks).set(patch).where(eq(webhooks.id, row.id)).returning();
  });
  return toWireWebhook(ctx.db, updated, base, who !== null);
}

export async function doUpdateManagedWebhook(ctx: AppContext, who: Caller, id: string, body: PatchWebhookBody, base: string) {
  return doUpdateWebhook(ctx, await accessManagedWebhook(ctx, who, id), who, body, base);
}

/** The backing user stays (its messages keep their author); the token stops working at once. */
export async function doDeleteWebhook(ctx: AppContext, row: WebhookRow) {
  await ctx.db.delete(webhooks).where(eq(webhooks.id, row.id));
}

export async function doDeleteManagedWebhook(ctx: AppContext, who: Caller, id: string) {
  await doDeleteWebhook(ctx, await accessManagedWebhook(ctx, who, id));
}

/** What a webhook may do in its channel (or `channelId`, where an older message of it sits): Discord's defaults for incoming webhooks. */
async function webhookAccess(q: Queryable, row: WebhookRow, channelId = row.channelId): Promise<ChannelAccess> {
  const [channel] = await q.select().from(channels).where(eq(channels.id, channelId));
  const [guild] = await q.select({ ownerId: guilds.ownerId }).from(guilds).where(eq(guilds.id, row.guildId));
  // The guild's role set (for mention targets) comes from its owner's view, which sees every role.
  const guildAccess = channel && guild ? await loadGuildAccess(q, row.guildId, guild.ownerId) : null;
  if (!channel || !guildAccess) throw new ApiError(Errors.UNKNOWN_WEBHOOK);
  return { channel, guild: guildAccess, permissions: VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | MENTION_EVERYONE };
}

/** POST /webhooks/{id}/{token}: posts as the webhook (name/avatar overridable per message). */
export async function doExecuteWebhook(ctx: AppContext, row: WebhookRow, body: ExecuteWebhookBody) {
  const access = await webhookAccess(ctx.db, row);
  const username = body.username?.trim() ? checkName(body.username) : row.name;
  const avatarUrl = body.avatar_url && /^https?:\/\//i.test(body.avatar_url) ? body.avatar_url : null;
  return doCreateWebhookMessage(
    ctx,
    access,
    { id: row.id, username, avatar_url: avatarUrl },
    {
      content: body.content,
      embeds: body.embeds,
      allowed_mentions: body.allowed_mentions,
      flags: body.flags,
      attachments: body.attachments,
    },
  );
}

/** For the upload hook: the webhook a multipart execute posts as (its backing user uploads the files). */
export async function webhookUploader(q: Queryable, id: string, token: string) {
  const row = await accessWebhookByToken(q, id, token);
  return { id: row.id, channelId: row.channelId };
}

/** A message this webhook posted (10008 for any other, as if it did not exist). */
async function accessWebhookMessage(q: Queryable, row: WebhookRow, messageId: string) {
  const [message] = await q
    .select()
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.webhookId, row.id)))
    .limit(1);
  if (!message) throw new ApiError(Errors.UNKNOWN_MESSAGE);
  return message;
}

/** GET /webhooks/{id}/{token}/messages/{message_id} */
export async function accessGetWebhookMessage(ctx: AppContext, row: WebhookRow, messageId: string) {
  const message = await accessWebhookMessage(ctx.db, row, messageId);
  return (await withReactions(ctx.db, await toWireMessages(ctx.db, [message]), row.id))[0];
}

/** PATCH /webhooks/{id}/{token}/messages/{message_id}: content, embeds, allowed_mentions; MESSAGE_UPDATE. */
export async function doEditWebhookMessage(ctx: AppContext, row: WebhookRow, messageId: string, body: EditMessageBody) {
  const message = await accessWebhookMessage(ctx.db, row, messageId);
  return doApplyEdit(ctx, await webhookAccess(ctx.db, row, message.channelId), message, body);
}

/** DELETE /webhooks/{id}/{token}/messages/{message_id}: MESSAGE_DELETE. */
export async function doDeleteWebhookMessage(ctx: AppContext, row: WebhookRow, messageId: string) {
  await doRemoveMessage(ctx, await accessWebhookMessage(ctx.db, row, messageId));
}
