import { Type } from 'typebox';
import { Snowflake } from '../../rest/common.js';
import { Guild, GuildCreateGuild, Member, Presence, Role, User } from '../objects.js';
import { dispatchSchema as dispatch } from './dispatch.js';

const GuildId = { guild_id: Snowflake };

export const GuildCreateEvent = dispatch('GUILD_CREATE', GuildCreateGuild);
export const GuildUpdateEvent = dispatch('GUILD_UPDATE', Guild);
/** Sent to a user who left, was kicked or banned (no `unavailable`), or when the guild is deleted. */
export const GuildDeleteEvent = dispatch(
  'GUILD_DELETE',
  Type.Object({ id: Snowflake, unavailable: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
);

export const GuildRoleCreateEvent = dispatch('GUILD_ROLE_CREATE', Type.Object({ ...GuildId, role: Role }, { additionalProperties: false }));
export const GuildRoleUpdateEvent = dispatch('GUILD_ROLE_UPDATE', Type.Object({ ...GuildId, role: Role }, { additionalProperties: false }));
export const GuildRoleDeleteEvent = dispatch(
  'GUILD_ROLE_DELETE',
  Type.Object({ ...GuildId, role_id: Snowflake }, { additionalProperties: false }),
);

export const GuildMemberAddEvent = dispatch(
  'GUILD_MEMBER_ADD',
  Type.Object({ ...Member.properties, ...GuildId }, { additionalProperties: true }),
);
export const GuildMemberUpdateEvent = dispatch(
  'GUILD_MEMBER_UPDATE',
  Type.Object({ ...Member.properties, ...GuildId, user: User }, { additionalProperties: true }),
);
export const GuildMemberRemoveEvent = dispatch(
  'GUILD_MEMBER_REMOVE',
  Type.Object({ ...GuildId, user: User }, { additionalProperties: false }),
);

/** Answer to REQUEST_GUILD_MEMBERS (op 8), in chunks of up to 1000 members. */
export const GuildMembersChunkEvent = dispatch(
  'GUILD_MEMBERS_CHUNK',
  Type.Object(
    {
      ...GuildId,
      members: Type.Array(Member),
      chunk_index: Type.Integer(),
      chunk_count: Type.Integer(),
      not_found: Type.Optional(Type.Array(Snowflake)),
      presences: Type.Optional(Type.Array(Presence)),
      nonce: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
);

export const GuildBanAddEvent = dispatch('GUILD_BAN_ADD', Type.Object({ ...GuildId, user: User }, { additionalProperties: false }));
export const GuildBanRemoveEvent = dispatch('GUILD_BAN_REMOVE', Type.Object({ ...GuildId, user: User }, { additionalProperties: false }));

export const GuildAuditLogEntryCreateEvent = dispatch(
  'GUILD_AUDIT_LOG_ENTRY_CREATE',
  Type.Object(
    { ...GuildId, id: Snowflake, action_type: Type.Integer(), user_id: Type.Union([Snowflake, Type.Null()]) },
    { additionalProperties: true },
  ),
);
