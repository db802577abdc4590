import { DEFAULT_EVERYONE_PERMISSIONS, Errors } from '@retrocast/protocol';
import { count, eq } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import type { Tx } from '../db/client.js';
import { channels, guilds, members, roles, users } from '../db/schema.js';
import { transact } from '../db/tx.js';
import { ApiError } from '../http/errors.js';
import { toWireUser } from '../users/wire.js';
import { toWireChannel, toWireGuild, toWireMember } from './wire.js';

const MAX_GUILDS_PER_USER = 100;

/**
 * A new guild as Discord makes one: the caller owns it; @everyone (id = guild id) with the default
 * permissions; categories "Text Channels" and "Voice Channels" holding #general and General.
 * Emits GUILD_CREATE to the owner. Returns the guild object with its channels.
 */
export async function doCreateGuild(ctx: AppContext, who: Caller, body: { name: string }) {
  const name = body.name.trim();
  if (name.length < 2 || name.length > 100) {
    const { invalidField } = await import('../http/errors.js');
    throw invalidField('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 100 in length.');
  }
  const [{ n }] = await ctx.db.select({ n: count() }).from(members).where(eq(members.userId, who.id));
  if (Number(n) >= MAX_GUILDS_PER_USER) throw new ApiError(Errors.MAX_GUILDS);
  return transact(ctx, async (tx, emit) => {
    const guildId = ctx.ids.next();
    const textCat = ctx.ids.next();
    const voiceCat = ctx.ids.next();
    const general = ctx.ids.next();
    const voice = ctx.ids.next();
    const [guild] = await tx.insert(guilds).values({ id: guildId, name, ownerId: who.id, systemChannelId: general }).returning();
    const roleRows = await tx.insert(roles).values({ id: guildId, guildId, name: '@everyone', position: 0, permissions: DEFAULT_EVERYONE_PERMISSIONS.toString() }).returning();
    const channelRows = await tx
      .insert(channels)
      .values([
        { id: textCat, guildId, type: 4, name: 'Text Channels', position: 0 },
        { id: voiceCat, guildId, type: 4, name: 'Voice Channels', position: 1 },
        { id: general, guildId, type: 0, name: 'general', position: 0, parentId: textCat },
        { id: voice, guildId, type: 2, name: 'General', position: 0, parentId: voiceCat, bitrate: 64000, userLimit: 0 },
      ])
      .returning();
    const [member] = await tx.insert(members).values({ guildId, userId: who.id }).returning();
    const owner = await loadUser(tx, who.id);
    const wire = {
      ...toWireGuild(guild, roleRows),
      channels: channelRows.map((c) => toWireChannel(c)),
      members: [toWireMember(member, owner, [])],
      member_count: 1,
    };
    emit({ t: 'GUILD_CREATE', d: wire, user_ids: [who.id], meta: { guild_id: guildId, join: who.id } });
    return wire;
  });
}

async function loadUser(tx: Tx, userId: string) {
  const [u] = await tx.select().from(users).where(eq(users.id, userId));
  return toWireUser(u);
}
