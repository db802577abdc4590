import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { memberRoles, members, users } from '../db/schema.js';
import { toWireMember } from '../guilds/wire.js';
import { toWireUser, userColumns } from '../users/wire.js';
import type { VoiceState } from './store.js';

/** Discord's voice state object. `channel_id: null` is the leave. Internal fields are dropped. */
export function toWireVoiceState(s: VoiceState, channelId: string | null = s.channel_id, member?: unknown) {
  return {
    ...(s.guild_id ? { guild_id: s.guild_id } : {}),
    channel_id: channelId,
    user_id: s.user_id,
    ...(member ? { member } : {}),
    session_id: s.session_id,
    deaf: s.deaf,
    mute: s.mute,
    self_deaf: s.self_deaf,
    self_mute: s.self_mute,
    self_stream: false,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
}
export type WireVoiceState = ReturnType<typeof toWireVoiceState>;

/** The partial voice states of GUILD_CREATE (Discord omits guild_id and member there). */
export function toWireGuildVoiceState(s: VoiceState) {
  const { guild_id: _, ...rest } = toWireVoiceState(s);
  return rest;
}

/** The member object a VOICE_STATE_UPDATE carries; null if they are no longer a member. */
export async function loadWireMember(q: Queryable, guildId: string, userId: string) {
  const [row] = await q
    .select({ member: members, user: userColumns(users) })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(eq(members.guildId, guildId), eq(members.userId, userId)))
    .limit(1);
  if (!row) return null;
  const roles = await q
    .select({ id: memberRoles.roleId })
    .from(memberRoles)
    .where(and(eq(memberRoles.guildId, guildId), eq(memberRoles.userId, userId)));
  return toWireMember(
    row.member,
    toWireUser(row.user),
    roles.map((r) => r.id),
  );
}
