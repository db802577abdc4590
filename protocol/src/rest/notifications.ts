import { type Static, Type } from 'typebox';
import { dispatchSchema, registerDispatchEvent } from '../gateway/events/index.js';
import { INT64_PATTERN, Snowflake } from './common.js';

/** Discord's message_notifications levels; 3 (channel overrides only) inherits the guild's. */
export const MessageNotificationLevel = { ALL: 0, ONLY_MENTIONS: 1, NOTHING: 2, INHERIT: 3 } as const;

export const MuteConfig = Type.Object(
  {
    /** ISO 8601; null: muted until turned back on. */
    end_time: Type.Union([Type.String(), Type.Null()]),
    selected_time_window: Type.Union([Type.Integer(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type MuteConfig = Static<typeof MuteConfig>;

export const ChannelOverride = Type.Object(
  {
    channel_id: Snowflake,
    message_notifications: Type.Integer({ minimum: 0, maximum: 3 }),
    muted: Type.Boolean(),
    mute_config: Type.Union([MuteConfig, Type.Null()]),
    collapsed: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type ChannelOverride = Static<typeof ChannelOverride>;

/** A user's notification settings for one guild (`guild_id` null: their DMs), as Discord sends them. */
export const UserGuildSettings = Type.Object(
  {
    guild_id: Type.Union([Snowflake, Type.Null()]),
    /** The level in force: the user's choice, else the guild's default_message_notifications. */
    message_notifications: Type.Integer({ minimum: 0, maximum: 2 }),
    /** False once mute_config.end_time has passed. */
    muted: Type.Boolean(),
    mute_config: Type.Union([MuteConfig, Type.Null()]),
    suppress_everyone: Type.Boolean(),
    suppress_roles: Type.Boolean(),
    mobile_push: Type.Boolean(),
    hide_muted_channels: Type.Boolean(),
    mute_scheduled_events: Type.Boolean(),
    notify_highlights: Type.Integer(),
    flags: Type.Integer(),
    channel_overrides: Type.Array(ChannelOverride),
    version: Type.Integer(),
  },
  { additionalProperties: false },
);
export type UserGuildSettings = Static<typeof UserGuildSettings>;

const MuteConfigInput = Type.Union([
  Type.Object(
    {
      end_time: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
      selected_time_window: Type.Optional(Type.Union([Type.Integer({ minimum: -1, maximum: 31_536_000 }), Type.Null()])),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

const ChannelOverrideInput = {
  message_notifications: Type.Optional(Type.Integer({ minimum: 0, maximum: 3 })),
  muted: Type.Optional(Type.Boolean()),
  mute_config: Type.Optional(MuteConfigInput),
  collapsed: Type.Optional(Type.Boolean()),
};

/**
 * PATCH /users/@me/guilds/{guild_id|@me}/settings. Every field optional; `channel_overrides` is
 * merged per channel, keyed by channel id (Discord's client) or as an array with `channel_id`.
 * `message_notifications: null` returns to the guild's default.
 */
export const PatchUserGuildSettingsBody = Type.Object(
  {
    message_notifications: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 2 }), Type.Null()])),
    muted: Type.Optional(Type.Boolean()),
    mute_config: Type.Optional(MuteConfigInput),
    suppress_everyone: Type.Optional(Type.Boolean()),
    suppress_roles: Type.Optional(Type.Boolean()),
    mobile_push: Type.Optional(Type.Boolean()),
    hide_muted_channels: Type.Optional(Type.Boolean()),
    mute_scheduled_events: Type.Optional(Type.Boolean()),
    notify_highlights: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
    flags: Type.Optional(Type.Integer({ minimum: 0 })),
    channel_overrides: Type.Optional(
      Type.Union([
        Type.Record(Type.String({ pattern: INT64_PATTERN }), Type.Object(ChannelOverrideInput, { additionalProperties: false }), {
          maxProperties: 500,
        }),
        Type.Array(Type.Object({ channel_id: Snowflake, ...ChannelOverrideInput }, { additionalProperties: false }), { maxItems: 500 }),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type PatchUserGuildSettingsBody = Static<typeof PatchUserGuildSettingsBody>;

/** READY's `user_guild_settings`. */
export const ReadyUserGuildSettings = Type.Object(
  { entries: Type.Array(UserGuildSettings), partial: Type.Boolean(), version: Type.Integer() },
  { additionalProperties: false },
);

export const UserGuildSettingsUpdateEvent = dispatchSchema('USER_GUILD_SETTINGS_UPDATE', UserGuildSettings);
registerDispatchEvent('USER_GUILD_SETTINGS_UPDATE', UserGuildSettingsUpdateEvent);

/** A browser's PushSubscription.toJSON() (RFC 8030 endpoint + RFC 8291 keys). */
export const PushSubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ minLength: 8, maxLength: 2048 }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object(
      {
        p256dh: Type.String({ pattern: '^[A-Za-z0-9_-]{80,100}={0,2}$' }),
        auth: Type.String({ pattern: '^[A-Za-z0-9_-]{16,32}={0,2}$' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PushSubscriptionBody = Static<typeof PushSubscriptionBody>;

export const DeletePushSubscriptionBody = Type.Object(
  { endpoint: Type.String({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false },
);

/** A native client's push token (APNs device token: 64+ hex digits). */
export const DeviceBody = Type.Object(
  { platform: Type.Literal('ios'), token: Type.String({ pattern: '^[0-9a-fA-F]{64,200}$' }) },
  { additionalProperties: false },
);
export type DeviceBody = Static<typeof DeviceBody>;

/**
 * What a push carries (Web Push payload, APNs custom data): enough to show the notification and
 * open the channel. `body` is message text, or "3 new messages" when batched.
 */
export interface PushPayload {
  title: string;
  body: string;
  /** Path in the web client, e.g. /channels/{guild_id|@me}/{channel_id}. */
  url: string;
  channel_id: string;
  guild_id: string | null;
  message_id: string;
  count: number;
  icon?: string;
  tag: string;
}
