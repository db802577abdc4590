import type { User } from '@retrocast/protocol';
import type { invites } from '../db/schema.js';
import type { ChannelRow, GuildRow } from '../guilds/wire.js';

export type InviteRow = typeof invites.$inferSelect;

/** Discord's invite object, with its metadata (uses, max_uses, …) and optional counts. */
export function toWireInvite(
  i: InviteRow,
  g: GuildRow,
  c: Pick<ChannelRow, 'id' | 'name' | 'type'>,
  inviter: User | null,
  counts?: { members: number; presences: number },
) {
  return {
    type: 0,
    code: i.code,
    guild: {
      id: g.id,
      name: g.name,
      icon: g.icon,
      splash: null,
      banner: null,
      description: g.description,
      features: [] as string[],
      verification_level: g.verificationLevel,
      nsfw_level: 0,
    },
    guild_id: g.id,
    channel: { id: c.id, name: c.name, type: c.type },
    ...(inviter ? { inviter } : {}),
    expires_at: i.expiresAt?.toISOString() ?? null,
    uses: i.uses,
    max_uses: i.maxUses,
    max_age: i.maxAge,
    temporary: i.temporary,
    created_at: i.createdAt.toISOString(),
    ...(counts ? { approximate_member_count: counts.members, approximate_presence_count: counts.presences } : {}),
  };
}

/** INVITE_CREATE / INVITE_DELETE gateway payloads. */
export function toInviteEvent(i: InviteRow, inviter: User | null) {
  return {
    channel_id: i.channelId,
    guild_id: i.guildId,
    code: i.code,
    created_at: i.createdAt.toISOString(),
    expires_at: i.expiresAt?.toISOString() ?? null,
    inviter: inviter ?? undefined,
    max_age: i.maxAge,
    max_uses: i.maxUses,
    temporary: i.temporary,
    uses: i.uses,
  };
}
