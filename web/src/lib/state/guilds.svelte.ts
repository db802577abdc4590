import { computeBasePermissions, computeChannelPermissions, type PermissionOverwrite, Permissions } from '$protocol/permissions';
import type { Channel, Member, Role } from '../api/types';
import type { Dispatch } from '../gateway/socket';
import { emptyGuilds, type GuildEntry, type GuildsState, reduceGuilds } from './guilds';

/** Reactive holder of the guild tree plus the permission queries views need. */
export class GuildsStore {
  state: GuildsState = $state.raw(emptyGuilds);

  apply(ev: Dispatch) {
    this.state = reduceGuilds(this.state, ev);
  }

  get list(): GuildEntry[] {
    return this.state.order.map((id) => this.state.byId[id]).filter(Boolean);
  }

  /** READY listed the guild but its GUILD_CREATE has not arrived yet. */
  loading(id: string): boolean {
    return this.state.order.includes(id) && !this.state.byId[id];
  }

  get(id: string | undefined): GuildEntry | undefined {
    return id ? this.state.byId[id] : undefined;
  }

  channel(guildId: string | undefined, channelId: string | undefined): Channel | undefined {
    return this.get(guildId)?.channels.find((c) => c.id === channelId);
  }

  /** My permissions in a guild (channelId omitted) or channel, per Discord's algorithm. */
  permissions(me: string | undefined, guildId: string, channelId?: string): bigint {
    const g = this.get(guildId);
    if (!g || !me) return 0n;
    const ctx = {
      guildId,
      ownerId: g.owner_id,
      userId: me,
      roles: g.roles.map((r) => ({ id: r.id, permissions: BigInt(r.permissions) })),
      memberRoleIds: g.members[me]?.roles ?? [],
    };
    if (!channelId) return computeBasePermissions(ctx);
    const ch = g.channels.find((c) => c.id === channelId);
    if (!ch) return 0n;
    const ows: PermissionOverwrite[] = ch.permission_overwrites.map((o) => ({
      id: o.id,
      type: o.type as 0 | 1,
      allow: BigInt(o.allow),
      deny: BigInt(o.deny),
    }));
    return computeChannelPermissions(ctx, ows);
  }

  can(me: string | undefined, guildId: string, perm: keyof typeof Permissions, channelId?: string): boolean {
    return (this.permissions(me, guildId, channelId) & Permissions[perm]) !== 0n;
  }

  /** Channels I can see, in sidebar order: uncategorised first, then each category's children. */
  visibleChannels(me: string | undefined, guildId: string): Channel[] {
    const g = this.get(guildId);
    if (!g) return [];
    return g.channels.filter((c) => c.type === 4 || this.can(me, guildId, 'VIEW_CHANNEL', c.id));
  }

  /** First text channel I can read, for landing in a guild. */
  firstTextChannel(me: string | undefined, guildId: string): Channel | undefined {
    const vis = this.visibleChannels(me, guildId).filter((c) => c.type === 0);
    const top = vis.filter((c) => !c.parent_id);
    return top[0] ?? vis[0];
  }

  memberRoles(guildId: string, userId: string): Role[] {
    const g = this.get(guildId);
    const ids = g?.members[userId]?.roles ?? [];
    return (g?.roles ?? []).filter((r) => ids.includes(r.id)).sort((a, b) => b.position - a.position);
  }

  /** Display colour: the highest coloured role. */
  color(guildId: string, userId: string): string | undefined {
    const r = this.memberRoles(guildId, userId).find((x) => x.color);
    return r ? `#${r.color.toString(16).padStart(6, '0')}` : undefined;
  }

  member(guildId: string | undefined, userId: string): Member | undefined {
    return this.get(guildId)?.members[userId];
  }
}
