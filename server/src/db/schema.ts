/**
 * The whole data model (Drizzle, PostgreSQL dialect; the same on PGlite and PostgreSQL).
 * Ids are snowflakes stored as BIGINT and handled as decimal strings in TypeScript.
 * After changing this file run `npm run db:generate` and commit the new migration.
 */
import { sql } from 'drizzle-orm';
import { boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** BIGINT column that reads and writes decimal strings (snowflakes, permission bits). */
export const bigintString = customType<{ data: string; driverData: string | number | bigint }>({
  dataType: () => 'bigint',
  toDriver: (v) => v,
  fromDriver: (v) => String(v),
});
const id = (name: string) => bigintString(name);
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: id('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name'),
    passwordHash: text('password_hash'),
    avatar: text('avatar'),
    bot: boolean('bot').notNull().default(false),
    /** For bots: the user who created it. */
    botOwnerId: id('bot_owner_id'),
    /** For bots: SHA-256 of the bot token. */
    botTokenHash: text('bot_token_hash'),
    flags: integer('flags').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Instance administrator (the first account; admin CLI grant/revoke): sees users, disables accounts. */
    instanceAdmin: boolean('instance_admin').notNull().default(false),
    /** Set when an admin disabled the account: no login, no refresh, no new sessions. */
    disabledAt: ts('disabled_at'),
  },
  (t) => [
    uniqueIndex('users_username_lower_idx').on(sql`lower(${t.username})`),
    uniqueIndex('users_bot_token_hash_idx').on(t.botTokenHash),
  ],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id('id').primaryKey(),
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Every rotation of one login shares a family; reuse of a rotated token revokes it. */
    familyId: id('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: ts('expires_at').notNull(),
    rotatedAt: ts('rotated_at'),
    revokedAt: ts('revoked_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_idx').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

export const deviceTokens = pgTable(
  'device_tokens',
  {
    id: id('id').primaryKey(),
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    token: text('token').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('device_tokens_token_idx').on(t.platform, t.token)],
);

export const guilds = pgTable('guilds', {
  id: id('id').primaryKey(),
  name: text('name').notNull(),
  icon: text('icon'),
  ownerId: id('owner_id')
    .notNull()
    .references(() => users.id),
  description: text('description'),
  afkChannelId: id('afk_channel_id'),
  afkTimeout: integer('afk_timeout').notNull().default(300),
  systemChannelId: id('system_channel_id'),
  verificationLevel: integer('verification_level').notNull().default(0),
  defaultMessageNotifications: integer('default_message_notifications').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const roles = pgTable(
  'roles',
  {
    /** @everyone's id equals its guild's id. */
    id: id('id').primaryKey(),
    guildId: id('guild_id')
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    color: integer('color').notNull().default(0),
    hoist: boolean('hoist').notNull().default(false),
    position: integer('position').notNull().default(0),
    permissions: bigintString('permissions').notNull(),
    managed: boolean('managed').notNull().default(false),
    mentionable: boolean('mentionable').notNull().default(false),
    /** A bot's managed role (added through OAuth2 authorize): Discord's `tags.bot_id`. */
    botId: id('bot_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('roles_guild_idx').on(t.guildId)],
);

export const channels = pgTable(
  'channels',
  {
    id: id('id').primaryKey(),
    /** Null for DM channels. */
    guildId: id('guild_id').references(() => guilds.id, { onDelete: 'cascade' }),
    /** 0 text, 1 DM, 2 voice, 3 group DM, 4 category. */
    type: integer('type').notNull(),
    name: text('name'),
    topic: text('topic'),
    position: integer('position').notNull().default(0),
    parentId: id('parent_id'),
    nsfw: boolean('nsfw').notNull().default(false),
    bitrate: integer('bitrate'),
    userLimit: integer('user_limit'),
    rateLimitPerUser: integer('rate_limit_per_user').notNull().default(0),
    lastMessageId: id('last_message_id'),
    lastPinTimestamp: ts('last_pin_timestamp'),
    ownerId: id('owner_id'),
    /** Group DM icon hash (blob `channel-icons/{id}/{hash}`). */
    icon: text('icon'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('channels_guild_idx').on(t.guildId)],
);

/** DM and group DM participants. */
export const channelRecipients = pgTable(
  'channel_recipients',
  {
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** 1:1 DMs the user closed (DELETE /channels/{id}); the next message reopens it. */
    closed: boolean('closed').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] }), index('channel_recipients_user_idx').on(t.userId)],
);

/**
 * Friends, blocks and pending requests, one row per direction (each user's own view): 1 friend,
 * 2 blocked, 3 incoming request, 4 outgoing request. A block is one-sided; the others come in pairs.
 */
export const relationships = pgTable(
  'relationships',
  {
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    targetId: id('target_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: integer('type').notNull(),
    since: ts('since').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.targetId] }), index('relationships_target_idx').on(t.targetId)],
);

export const permissionOverwrites = pgTable(
  'permission_overwrites',
  {
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    /** Role id or user id. */
    targetId: id('target_id').notNull(),
    /** 0 role, 1 member. */
    type: integer('type').notNull(),
    allow: bigintString('allow').notNull(),
    deny: bigintString('deny').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.targetId] })],
);

export const members = pgTable(
  'members',
  {
    guildId: id('guild_id')
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    nick: text('nick'),
    joinedAt: ts('joined_at').notNull().defaultNow(),
    deaf: boolean('deaf').notNull().default(false),
    mute: boolean('mute').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.userId] }), index('members_user_idx').on(t.userId)],
);

export const memberRoles = pgTable(
  'member_roles',
  {
    guildId: id('guild_id').notNull(),
    userId: id('user_id').notNull(),
    roleId: id('role_id')
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.userId, t.roleId] }), index('member_roles_role_idx').on(t.roleId)],
);

export const bans = pgTable(
  'bans',
  {
    guildId: id('guild_id')
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.userId] })],
);

export const invites = pgTable(
  'invites',
  {
    code: text('code').primaryKey(),
    guildId: id('guild_id')
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    inviterId: id('inviter_id').references(() => users.id, { onDelete: 'set null' }),
    maxAge: integer('max_age').notNull().default(86400),
    maxUses: integer('max_uses').notNull().default(0),
    uses: integer('uses').notNull().default(0),
    temporary: boolean('temporary').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Null when max_age is 0 (never expires). */
    expiresAt: ts('expires_at'),
  },
  (t) => [index('invites_guild_idx').on(t.guildId)],
);

/** Invites to register an account on this instance (REGISTRATION=invite), made by an instance admin. */
export const instanceInvites = pgTable('instance_invites', {
  code: text('code').primaryKey(),
  creatorId: id('creator_id').references(() => users.id, { onDelete: 'set null' }),
  maxUses: integer('max_uses').notNull().default(1),
  uses: integer('uses').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
  expiresAt: ts('expires_at'),
});

export const messages = pgTable(
  'messages',
  {
    id: id('id').primaryKey(),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    guildId: id('guild_id'),
    authorId: id('author_id')
      .notNull()
      .references(() => users.id),
    content: text('content').notNull().default(''),
    /** Discord message type: 0 default, 19 reply, 7 member join, … */
    type: integer('type').notNull().default(0),
    nonce: text('nonce'),
    editedAt: ts('edited_at'),
    pinned: boolean('pinned').notNull().default(false),
    pinnedAt: ts('pinned_at'),
    mentionEveryone: boolean('mention_everyone').notNull().default(false),
    /** User ids pinged by this message. */
    mentions: jsonb('mentions').$type<string[]>().notNull().default([]),
    mentionRoles: jsonb('mention_roles').$type<string[]>().notNull().default([]),
    /** `{message_id, channel_id, guild_id}` for replies. */
    reference: jsonb('reference').$type<{ message_id: string; channel_id: string; guild_id?: string } | null>(),
    embeds: jsonb('embeds').$type<unknown[]>().notNull().default([]),
    flags: integer('flags').notNull().default(0),
    /** DM call record (type 3 messages): who took part, and when it ended. */
    call: jsonb('call').$type<{ participants: string[]; ended_timestamp: string | null; ringing?: string[] } | null>(),
    /** Posted by this webhook (author_id is its backing user), with the name/avatar it posted under. */
    webhookId: id('webhook_id'),
    webhookAuthor: jsonb('webhook_author').$type<{ username: string; avatar_url: string | null } | null>(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    // History pages: WHERE channel_id = ? AND id < ? ORDER BY id DESC LIMIT n
    index('messages_channel_id_idx').on(t.channelId, t.id.desc()),
    index('messages_author_idx').on(t.authorId),
    uniqueIndex('messages_nonce_idx').on(t.channelId, t.authorId, t.nonce).where(sql`${t.nonce} is not null`),
    index('messages_content_fts_idx').using('gin', sql`to_tsvector('simple', ${t.content})`),
  ],
);

export const attachments = pgTable(
  'attachments',
  {
    id: id('id').primaryKey(),
    /** Null while uploaded but not yet attached to a message. */
    messageId: id('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    uploaderId: id('uploader_id')
      .notNull()
      .references(() => users.id),
    filename: text('filename').notNull(),
    size: integer('size').notNull(),
    contentType: text('content_type'),
    width: integer('width'),
    height: integer('height'),
    blobKey: text('blob_key').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('attachments_message_idx').on(t.messageId)],
);

export const reactions = pgTable(
  'reactions',
  {
    messageId: id('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Custom emoji id as text, or the Unicode emoji itself. */
    emojiKey: text('emoji_key').notNull(),
    emojiId: id('emoji_id'),
    emojiName: text('emoji_name').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.emojiKey, t.userId] })],
);

export const emojis = pgTable(
  'emojis',
  {
    id: id('id').primaryKey(),
    guildId: id('guild_id')
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    animated: boolean('animated').notNull().default(false),
    creatorId: id('creator_id').references(() => users.id, { onDelete: 'set null' }),
    blobKey: text('blob_key').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('emojis_guild_idx').on(t.guildId)],
);

export const readStates = pgTable(
  'read_states',
  {
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    lastMessageId: id('last_message_id'),
    mentionCount: integer('mention_count').notNull().default(0),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channelId] })],
);

export const auditLogEntries = pgTable(
  'audit_log_entries',
  {
    id: id('id').primaryKey(),
    guildId: id('guild_id')
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    userId: id('user_id'),
    targetId: id('target_id'),
    /** Discord's AUDIT_LOG_EVENT numbers (1 guild update, 10 channel create, 20 kick, …). */
    actionType: integer('action_type').notNull(),
    changes: jsonb('changes').$type<{ key: string; old_value?: unknown; new_value?: unknown }[]>(),
    options: jsonb('options').$type<Record<string, string>>(),
    reason: text('reason'),
  },
  (t) => [index('audit_log_guild_idx').on(t.guildId, t.id.desc())],
);

/** One channel's notification override inside a user's guild settings (Discord's channel_overrides[]). */
export interface ChannelOverrideRow {
  /** 0 all, 1 only mentions, 2 nothing, 3 inherit from the guild setting. */
  message_notifications: number;
  muted: boolean;
  /** ISO time the mute ends; null: until turned back on. */
  mute_end_time: string | null;
  selected_time_window?: number | null;
}

/**
 * A user's notification settings for one guild; guild_id 0 holds their DM settings (Discord's `@me`).
 * No foreign key on guild_id for that reason; rows of a deleted guild are harmless and skipped.
 */
export const userGuildSettings = pgTable(
  'user_guild_settings',
  {
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    guildId: id('guild_id').notNull(),
    /** Null: the guild's default_message_notifications. */
    messageNotifications: integer('message_notifications'),
    muted: boolean('muted').notNull().default(false),
    /** Null while muted: until turned back on. */
    muteEndTime: ts('mute_end_time'),
    muteWindow: integer('mute_window'),
    suppressEveryone: boolean('suppress_everyone').notNull().default(false),
    suppressRoles: boolean('suppress_roles').notNull().default(false),
    channelOverrides: jsonb('channel_overrides').$type<Record<string, ChannelOverrideRow>>().notNull().default({}),
    version: integer('version').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.guildId] })],
);

/** Web Push subscriptions (RFC 8030); a browser's endpoint belongs to the user who last registered it. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: id('id').primaryKey(),
    userId: id('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint_idx').on(t.endpoint), index('push_subscriptions_user_idx').on(t.userId)],
);

/**
 * Channel webhooks (Discord 2016). Each has a backing user row with the same id (bot, no login), so
 * its messages have an author like any other; the row stays when the webhook is deleted.
 */
export const webhooks = pgTable(
  'webhooks',
  {
    id: id('id').primaryKey(),
    guildId: id('guild_id')
      .notNull()
      .references(() => guilds.id, { onDelete: 'cascade' }),
    channelId: id('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    creatorId: id('creator_id').references(() => users.id, { onDelete: 'set null' }),
    name: text('name').notNull(),
    avatar: text('avatar'),
    /** Shown to MANAGE_WEBHOOKS holders, as Discord does; anyone with it may post. */
    token: text('token').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('webhooks_channel_idx').on(t.channelId), index('webhooks_guild_idx').on(t.guildId)],
);
