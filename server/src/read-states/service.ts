import { Permissions } from '@retrocast/protocol';
import type { AppContext, Caller } from '../context.js';
import { publishCommitted } from '../db/tx.js';
import { accessMessage } from '../messages/service.js';
import { countMentionsAfter, upsertReadState } from './store.js';

/**
 * Marks the channel read up to `messageId`. The unread mention count becomes the number of later
 * messages that ping the caller (so acking an older message keeps newer pings unread); a manual
 * "mark unread" may state the count itself. MESSAGE_ACK goes to the caller's other sessions.
 */
export async function doAck(
  ctx: AppContext,
  who: Caller,
  channelId: string,
  messageId: string,
  body: { manual?: boolean; mention_count?: number },
) {
  const { access } = await accessMessage(ctx.db, channelId, messageId, who.id, Permissions.VIEW_CHANNEL);
  const roleIds = access.guild?.ctx.memberRoleIds ?? [];
  const mentionCount =
    body.manual && body.mention_count !== undefined
      ? body.mention_count
      : await countMentionsAfter(ctx.db, channelId, who.id, roleIds, messageId);
  // One autocommitted statement: no BEGIN/COMMIT round trips.
  await upsertReadState(ctx.db, who.id, channelId, messageId, mentionCount);
  await publishCommitted(ctx, [
    { t: 'MESSAGE_ACK', d: { channel_id: channelId, message_id: messageId, mention_count: mentionCount }, user_ids: [who.id] },
  ]);
  return { token: null };
}
