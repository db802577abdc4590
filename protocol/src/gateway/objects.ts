import { type Static, Type } from 'typebox';
import { Snowflake } from '../rest/common.js';
import { CurrentUser, User } from '../rest/users.js';

/**
 * Object shapes carried inside gateway dispatches. Shapes the gateway owns (presence, stubs) are
 * closed; shapes other domains own (channels, roles, messages…) pin the fields clients rely on and
 * allow more, so a domain can add a Discord field without breaking the gateway's schemas.
 */
const open = { additionalProperties: true } as const;

export { CurrentUser, User };

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Overwrite = Type.Object({ id: Snowflake, type: Type.Integer(), allow: Type.String(), deny: Type.String() });

export const Channel = Type.Object(
  {
    id: Snowflake,
    type: Type.Integer(),
    guild_id: Type.Optional(Snowflake),
    name: Type.Optional(Nullable(Type.String())),
    position: Type.Optional(Type.Integer()),
    parent_id: Type.Optional(Nullable(Snowflake)),
    permission_overwrites: Type.Optional(Type.Array(Overwrite)),
  },
  open,
);
export type Channel = Static<typeof Channel>;

export const Role = Type.Object(
  { id: Snowflake, name: Type.String(), color: Type.Integer(), position: Type.Integer(), permissions: Type.String() },
  open,
);

export const Member = Type.Object(
  { user: Type.Optional(User), nick: Type.Optional(Nullable(Type.String())), roles: Type.Array(Snowflake), joined_at: Type.String() },
  open,
);
export type Member = Static<typeof Member>;

export const Activity = Type.Object({ name: Type.String(), type: Type.Integer() }, open);

export const ClientStatus = Type.Object(
  {
    desktop: Type.Optional(Type.String()),
    mobile: Type.Optional(Type.String()),
    web: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** A member's visible presence; `invisible` is never shown to others (they see `offline`). */
export const Presence = Type.Object(
  {
    user: Type.Object({ id: Snowflake }, open),
    guild_id: Type.Optional(Snowflake),
    status: Type.Union([Type.Literal('online'), Type.Literal('idle'), Type.Literal('dnd'), Type.Literal('offline')]),
    activities: Type.Array(Activity),
    client_status: ClientStatus,
  },
  { additionalProperties: false },
);
export type Presence = Static<typeof Presence>;

export const UnavailableGuild = Type.Object({ id: Snowflake, unavailable: Type.Boolean() }, { additionalProperties: false });

export const Guild = Type.Object({ id: Snowflake, name: Type.String(), owner_id: Snowflake, roles: Type.Array(Role) }, open);

export const VoiceState = Type.Object({ channel_id: Nullable(Snowflake), user_id: Snowflake, session_id: Type.String() }, open);

/** GUILD_CREATE's guild: the guild plus everything a client needs to render it. */
export const GuildCreateGuild = Type.Object(
  {
    ...Guild.properties,
    joined_at: Type.Optional(Type.String()),
    large: Type.Optional(Type.Boolean()),
    unavailable: Type.Optional(Type.Boolean()),
    member_count: Type.Integer(),
    channels: Type.Array(Channel),
    members: Type.Array(Member),
    presences: Type.Optional(Type.Array(Presence)),
    voice_states: Type.Optional(Type.Array(VoiceState)),
  },
  open,
);
export type GuildCreateGuild = Static<typeof GuildCreateGuild>;

export const Message = Type.Object(
  { id: Snowflake, channel_id: Snowflake, author: Type.Optional(User), content: Type.String(), timestamp: Type.String() },
  open,
);

export const ReadState = Type.Object({ id: Snowflake, last_message_id: Nullable(Snowflake), mention_count: Type.Integer() }, open);
