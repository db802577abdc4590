import { isSnowflake } from '@retrocast/protocol';
import { loadWireMembers } from '../members/store.js';
import { loadWirePresences } from '../presence/service.js';
import type { Session } from './session.js';
import type { GatewayState } from './types.js';

const CHUNK = 1000;

/**
 * REQUEST_GUILD_MEMBERS (op 8): GUILD_MEMBERS_CHUNK dispatches to the asking session only, for
 * guilds it is a member of. `query` matches username prefixes ("" = everyone, up to `limit`);
 * `user_ids` picks members by id and reports the rest in `not_found`. Returns false for a
 * malformed request.
 */
export async function requestGuildMembers(gw: GatewayState, s: Session, d: unknown): Promise<boolean> {
  if (typeof d !== 'object' || d === null) return false;
  const req = d as { guild_id?: unknown; query?: unknown; limit?: unknown; user_ids?: unknown; presences?: unknown; nonce?: unknown };
  const guildIds = Array.isArray(req.guild_id) ? req.guild_id : [req.guild_id];
  if (!guildIds.length || !guildIds.every((g) => typeof g === 'string' && isSnowflake(g))) return false;
  const userIds = req.user_ids === undefined ? undefined : Array.isArray(req.user_ids) ? req.user_ids : [req.user_ids];
  if (userIds && !userIds.every((u) => typeof u === 'string' && isSnowflake(u))) return false;
  if (req.query !== undefined && typeof req.query !== 'string') return false;
  const limit = req.limit === undefined ? 0 : Number(req.limit);
  if (!Number.isInteger(limit) || limit < 0) return false;
  const nonce = typeof req.nonce === 'string' ? req.nonce.slice(0, 32) : undefined;
  for (const gid of guildIds as string[]) {
    if (!gw.cache.get(gid)?.members.has(s.userId)) continue;
    let list = await loadWireMembers(gw.ctx.db, gid, { userIds: userIds as string[] | undefined });
    if (!userIds) {
      const q = (req.query ?? '').toLowerCase();
      list = list.filter((m) => m.user.username.toLowerCase().startsWith(q) || (m.nick ?? '').toLowerCase().startsWith(q));
      if (limit > 0) list = list.slice(0, limit);
    }
    const found = new Set(list.map((m) => m.user.id));
    const notFound = userIds ? (userIds as string[]).filter((u) => !found.has(u)) : undefined;
    const presences = req.presences === true ? await loadWirePresences(gw.presence, [...found]) : undefined;
    const count = Math.max(1, Math.ceil(list.length / CHUNK));
    for (let i = 0; i < count; i++) {
      const members = list.slice(i * CHUNK, (i + 1) * CHUNK);
      const chunk = {
        guild_id: gid,
        members,
        chunk_index: i,
        chunk_count: count,
        ...(notFound && i === 0 ? { not_found: notFound } : {}),
        ...(presences ? { presences: presences.filter((p) => members.some((m) => m.user.id === p.user.id)) } : {}),
        ...(nonce ? { nonce } : {}),
      };
      gw.sendTo(s, 'GUILD_MEMBERS_CHUNK', JSON.stringify(chunk));
    }
  }
  return true;
}
