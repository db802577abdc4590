/**
 * Jumping to a message (a reply's original, a search result, a pin): open its channel, load the
 * page around it when it is not loaded (`around=`), then the message list scrolls it into view and
 * flashes it (it watches `ui.jump`).
 */
import { goto } from '$app/navigation';
import { page } from '$app/state';
import { api } from '$lib/api';
import { PAGE } from './messages';
import { session } from './session.svelte';
import { ui } from './ui.svelte';

export async function jumpTo(channelId: string, messageId: string, guildId?: string) {
  const loaded = session.messages.channels[channelId]?.items.some((m) => m.id === messageId);
  if (!loaded) {
    const messages = await api.messages(channelId, { around: messageId, limit: PAGE });
    session.apply({ t: 'LOCAL_HISTORY', d: { channel_id: channelId, messages, around: messageId, limit: PAGE } });
  }
  ui.jump = { channelId, messageId };
  if (page.params.channelId !== channelId) {
    const g = guildId ?? session.guilds.list.find((g) => g.channels.some((c) => c.id === channelId))?.id ?? '@me';
    await goto(`/channels/${g}/${channelId}`);
  }
}
