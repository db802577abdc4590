import {
  computeBasePermissions,
  computeChannelPermissions,
  type PermissionContext,
  type PermissionOverwrite,
  Permissions,
} from '@retrocast/protocol';
import { eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { channels, guilds, memberRoles, members, permissionOverwrites, roles } from '../db/schema.js';
import type { ChannelRow, GuildRow, OverwriteRow, RoleRow } from '../guilds/wire.js';

export interface CachedChannel {
  row: ChannelRow;
  overwriteRows: OverwriteRow[];
  overwrites: PermissionOverwrite[];
}

export const toPermissionOverwrites = (
  rows: Array<{ id?: string; targetId?: string; type: number; allow: string; deny: string }>,
): PermissionOverwrite[] =>
  rows.map((o) => ({ id: (o.targetId ?? o.id) as string, type: o.type as 0 | 1, allow: BigInt(o.allow), deny: BigInt(o.deny) }));

/**
 * Everything needed to decide who may do what in one guild, in memory: the guild row, roles,
 * channels with their overwrites, and each member's role ids. The gateway's fan-out
 * (gateway/guild-cache.ts) and REST's permission checks (guild-state/cache.ts) both read this model
 * instead of the database; each reloads it after events that change permissions.
 * Per-user results are memoised until the next reload.
 */
export class GuildState {
  private visible = new Map<string, Set<string>>();
  private base = new Map<string, bigint>();
  /** user id → channel id → permissions there: a fan-out to 1,000 sessions computes each once, not per event. */
  private inChannel = new Map<string, Map<string, bigint>>();
  /** Bumped whenever a member joins, leaves or changes roles in place (other changes replace the whole state). */
  version = 0;

  constructor(
    readonly guild: GuildRow,
    readonly roleRows: RoleRow[],
    readonly channels: Map<string, CachedChannel>,
    /** user id → role ids (without @everyone). */
    readonly members: Map<string, string[]>,
  ) {}

  get id() {
    return this.guild.id;
  }

  private rolePermissions?: PermissionContext['roles'];

  /** The member's permission inputs (the same shape permissions/access.ts builds from the database). */
  permissionContext(userId: string): PermissionContext {
    this.rolePermissions ??= this.roleRows.map((r) => ({ id: r.id, permissions: BigInt(r.permissions) }));
    return {
      guildId: this.guild.id,
      ownerId: this.guild.ownerId,
      userId,
      roles: this.rolePermissions,
      memberRoleIds: this.members.get(userId) ?? [],
    };
  }

  basePermissions(userId: string): bigint {
    if (!this.members.has(userId)) return 0n;
    let p = this.base.get(userId);
    if (p === undefined) {
      p = computeBasePermissions(this.permissionContext(userId));
      this.base.set(userId, p);
    }
    return p;
  }

  /** Permissions in a channel given its overwrites (from the cache, or from an event's payload). */
  channelPermissions(userId: string, overwrites: PermissionOverwrite[]): bigint {
    if (!this.members.has(userId)) return 0n;
    return computeChannelPermissions(this.permissionContext(userId), overwrites);
  }

  /** Permissions in a cached channel (0 when it is not cached), memoised until the member or the state changes. */
  permissionsIn(userId: string, channelId: string): bigint {
    let byChannel = this.inChannel.get(userId);
    let p = byChannel?.get(channelId);
    if (p !== undefined) return p;
    const c = this.channels.get(channelId);
    p = c ? this.channelPermissions(userId, c.overwrites) : 0n;
    if (!byChannel) {
      byChannel = new Map();
      this.inChannel.set(userId, byChannel);
    }
    byChannel.set(channelId, p);
    return p;
  }

  /** Ids of the channels this member can VIEW_CHANNEL. */
  visibleChannels(userId: string): Set<string> {
    let set = this.visible.get(userId);
    if (!set) {
      set = new Set();
      if (this.members.has(userId)) {
        for (const id of this.channels.keys()) if (this.permissionsIn(userId, id) & Permissions.VIEW_CHANNEL) set.add(id);
      }
      this.visible.set(userId, set);
    }
    return set;
  }

  /** A member joined or their roles changed (from the event payload; no reload needed). */
  setMember(userId: string, roleIds: string[]) {
    this.members.set(userId, [...roleIds]);
    this.forget(userId);
  }

  removeMember(userId: string) {
    this.members.delete(userId);
    this.forget(userId);
  }

  private forget(userId: string) {
    this.version++;
    this.visible.delete(userId);
    this.base.delete(userId);
    this.inChannel.delete(userId);
  }

  canView(userId: string, channelId: string): boolean {
    return this.visibleChannels(userId).has(channelId);
  }
}

/** Reads one guild's permission data from the database; null when the guild is gone. */
export async function loadGuildState(q: Queryable, guildId: string): Promise<GuildState | null> {
  const [guild] = await q.select().from(guilds).where(eq(guilds.id, guildId)).limit(1);
  if (!guild) return null;
  const [roleRows, channelRows, memberRows, memberRoleRows] = await Promise.all([
    q.select().from(roles).where(eq(roles.guildId, guildId)),
    q.select().from(channels).where(eq(channels.guildId, guildId)),
    q.select({ userId: members.userId }).from(members).where(eq(members.guildId, guildId)),
    q.select({ userId: memberRoles.userId, roleId: memberRoles.roleId }).from(memberRoles).where(eq(memberRoles.guildId, guildId)),
  ]);
  const overwriteRows = channelRows.length
    ? await q
        .select()
        .from(permissionOverwrites)
        .where(
          inArray(
            permissionOverwrites.channelId,
            channelRows.map((c) => c.id),
          ),
        )
    : [];
  const byChannel = new Map<string, OverwriteRow[]>();
  for (const o of overwriteRows) byChannel.set(o.channelId, [...(byChannel.get(o.channelId) ?? []), o]);
  const chans = new Map<string, CachedChannel>();
  for (const row of channelRows) {
    const ows = byChannel.get(row.id) ?? [];
    chans.set(row.id, { row, overwriteRows: ows, overwrites: toPermissionOverwrites(ows) });
  }
  const memberMap = new Map<string, string[]>(memberRows.map((m) => [m.userId, []]));
  for (const r of memberRoleRows) memberMap.get(r.userId)?.push(r.roleId);
  return new GuildState(guild, roleRows, chans, memberMap);
}
