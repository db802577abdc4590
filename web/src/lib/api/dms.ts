/** REST calls for friends, DMs and group DMs (Discord v10 routes). */
import type { PrivateChannel } from '../state/private-channels';
import { request } from './client';

export const dmsApi = {
  addFriendByName: (username: string) => request<void>('POST', '/users/@me/relationships', { body: { username } }),
  /** type 1: send or accept a friend request; 2: block. */
  putRelationship: (userId: string, type: 1 | 2 = 1) => request<void>('PUT', `/users/@me/relationships/${userId}`, { body: { type } }),
  /** Unfriend, decline, cancel or unblock. */
  deleteRelationship: (userId: string) => request<void>('DELETE', `/users/@me/relationships/${userId}`),
  openDm: (userId: string) => request<PrivateChannel>('POST', '/users/@me/channels', { body: { recipient_id: userId } }),
  createGroup: (userIds: string[], name?: string) =>
    request<PrivateChannel>('POST', '/users/@me/channels', { body: { recipients: userIds, ...(name ? { name } : {}) } }),
  patchGroup: (id: string, body: { name?: string; icon?: string | null }) => request<PrivateChannel>('PATCH', `/channels/${id}`, { body }),
  addRecipient: (channelId: string, userId: string) => request<void>('PUT', `/channels/${channelId}/recipients/${userId}`),
  removeRecipient: (channelId: string, userId: string) => request<void>('DELETE', `/channels/${channelId}/recipients/${userId}`),
  /** Closes a DM (it comes back with the next message) or leaves a group DM. */
  closeOrLeave: (channelId: string) => request<PrivateChannel>('DELETE', `/channels/${channelId}`),
  stopRinging: (channelId: string, recipients?: string[]) =>
    request<void>('POST', `/channels/${channelId}/call/stop-ringing`, { body: recipients ? { recipients } : {} }),
};
