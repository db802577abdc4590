import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';
import { User } from './users.js';

/** Discord's audit log event numbers (the subset Retrocast records). */
export const AuditLogEvent = {
  GUILD_UPDATE: 1,
  CHANNEL_CREATE: 10,
  CHANNEL_UPDATE: 11,
  CHANNEL_DELETE: 12,
  CHANNEL_OVERWRITE_CREATE: 13,
  CHANNEL_OVERWRITE_UPDATE: 14,
  CHANNEL_OVERWRITE_DELETE: 15,
  MEMBER_KICK: 20,
  MEMBER_BAN_ADD: 22,
  MEMBER_BAN_REMOVE: 23,
  MEMBER_UPDATE: 24,
  MEMBER_ROLE_UPDATE: 25,
  ROLE_CREATE: 30,
  ROLE_UPDATE: 31,
  ROLE_DELETE: 32,
  INVITE_CREATE: 40,
  INVITE_UPDATE: 41,
  INVITE_DELETE: 42,
  MESSAGE_DELETE: 72,
  MESSAGE_BULK_DELETE: 73,
  MESSAGE_PIN: 74,
  MESSAGE_UNPIN: 75,
} as const;
export type AuditLogEvent = (typeof AuditLogEvent)[keyof typeof AuditLogEvent];

export const AuditLogQuery = Type.Object({
  user_id: Type.Optional(Snowflake),
  action_type: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
  before: Type.Optional(Snowflake),
  after: Type.Optional(Snowflake),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});
export type AuditLogQuery = Static<typeof AuditLogQuery>;

export interface AuditLogChange {
  key: string;
  old_value?: unknown;
  new_value?: unknown;
}

export const AuditLogEntry = Type.Object({
  id: Snowflake,
  guild_id: Snowflake,
  user_id: Type.Union([Snowflake, Type.Null()]),
  target_id: Type.Union([Snowflake, Type.Null()]),
  action_type: Type.Integer(),
  changes: Type.Optional(
    Type.Array(Type.Object({ key: Type.String(), old_value: Type.Optional(Type.Unknown()), new_value: Type.Optional(Type.Unknown()) })),
  ),
  options: Type.Optional(Type.Record(Type.String(), Type.String())),
  reason: Type.Optional(Type.String()),
});

/** GET /guilds/{id}/audit-logs: entries plus the users they mention. */
export const AuditLog = Type.Object({
  audit_log_entries: Type.Array(AuditLogEntry),
  users: Type.Array(User),
  application_commands: Type.Array(Type.Unknown()),
  auto_moderation_rules: Type.Array(Type.Unknown()),
  guild_scheduled_events: Type.Array(Type.Unknown()),
  integrations: Type.Array(Type.Unknown()),
  threads: Type.Array(Type.Unknown()),
  webhooks: Type.Array(Type.Unknown()),
});
