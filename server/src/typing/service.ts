import { Permissions } from '@retrocast/protocol';
import type { AppContext, Caller } from '../context.js';
import { loadWireMember } from '../members/store.js';
import { accessChannel } from '../permissions/access.js';

/**
 * "… is typing" for the caller in a channel they can send to. TYPING_START goes to the channel's
 * viewers only (channel-scoped routing); clients expire it after 10 s. Nothing is stored, so this
 * publishes directly rather than through `transact`.
 */
export async function doStartTyping(ctx: AppContext, who: Caller, channelId: string): Promise<void> {
  const { channel } = await accessChannel(ctx.db, channelId, who.id, Permissions.SEND_MESSAGES);
  const guildId = channel.guildId ?? undefined;
  const member = guildId ? await loadWireMember(ctx.db, guildId, who.id) : null;
  const d = {
    channel_id: channelId,
    ...(guildId ? { guild_id: guildId } : {}),
    user_id: who.id,
    timestamp: Math.floor(Date.now() / 1000),
    ...(member ? { member } : {}),
  };
  await ctx.bus.publish({ t: 'TYPING_START', d, channel_id: channelId, ...(guildId ? { guild_id: guildId } : {}) });
}
