import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';

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
