/** Typed REST endpoints, one function per route the client calls. */
import type { AuthResponse, CurrentUser, InstanceInfo, InstanceInvite, InstanceUser } from '@retrocast/protocol';
import { request } from './client';
import type { AuditLog, Ban, Channel, Guild, Invite, Member, Message, Overwrite, Role, SearchResult } from './types';

export * from './client';
export * from './types';

const enc = encodeURIComponent;

export const api = {
  register: (body: { username: string; password: string; display_name?: string; invite?: string }) =>
    request<AuthResponse>('POST', '/auth/register', { body, auth: false }),
  instance: () => request<InstanceInfo>('GET', '/instance', { auth: false }),
  instanceUsers: () => request<InstanceUser[]>('GET', '/instance/users'),
  setUserDisabled: (id: string, disabled: boolean) => request<InstanceUser>('PATCH', `/instance/users/${id}`, { body: { disabled } }),
  createInstanceInvite: (body: { max_uses?: number; max_age?: number } = {}) =>
    request<InstanceInvite>('POST', '/instance/invites', { body }),
  login: (body: { username: string; password: string }) => request<AuthResponse>('POST', '/auth/login', { body, auth: false }),
  logout: () => request<void>('POST', '/auth/logout', { body: {} }),
  me: () => request<CurrentUser>('GET', '/users/@me'),
  patchMe: (body: Record<string, unknown>) => request<CurrentUser>('PATCH', '/users/@me', { body }),

  createGuild: (name: string) => request<Guild>('POST', '/guilds', { body: { name } }),
  patchGuild: (id: string, body: Partial<Guild>) => request<Guild>('PATCH', `/guilds/${id}`, { body }),
  deleteGuild: (id: string) => request<void>('DELETE', `/guilds/${id}`),
  leaveGuild: (id: string) => request<void>('DELETE', `/users/@me/guilds/${id}`),
  /** Notification settings of a guild, or `@me` for DMs. */
  patchNotificationSettings: (guildId: string, body: Record<string, unknown>) =>
    request<import('../state/notification-settings').GuildSettings>('PATCH', `/users/@me/guilds/${guildId}/settings`, { body }),
  vapidPublicKey: () => request<{ public_key: string }>('GET', '/push/vapid-public-key', { auth: false }),
  addPushSubscription: (body: unknown) => request<void>('POST', '/users/@me/push-subscriptions', { body }),
  deletePushSubscription: (endpoint: string) => request<void>('DELETE', '/users/@me/push-subscriptions', { body: { endpoint } }),

  createChannel: (guildId: string, body: { name: string; type?: number; parent_id?: string | null; topic?: string }) =>
    request<Channel>('POST', `/guilds/${guildId}/channels`, { body }),
  patchChannel: (id: string, body: Partial<Channel>) => request<Channel>('PATCH', `/channels/${id}`, { body }),
  deleteChannel: (id: string) => request<Channel>('DELETE', `/channels/${id}`),
  putOverwrite: (channelId: string, o: Overwrite) =>
    request<void>('PUT', `/channels/${channelId}/permissions/${o.id}`, { body: { type: o.type, allow: o.allow, deny: o.deny } }),
  deleteOverwrite: (channelId: string, id: string) => request<void>('DELETE', `/channels/${channelId}/permissions/${id}`),

  createRole: (guildId: string, body: Partial<Role> = {}) => request<Role>('POST', `/guilds/${guildId}/roles`, { body }),
  patchRole: (guildId: string, id: string, body: Partial<Role>) => request<Role>('PATCH', `/guilds/${guildId}/roles/${id}`, { body }),
  moveRoles: (guildId: string, body: { id: string; position: number }[]) => request<Role[]>('PATCH', `/guilds/${guildId}/roles`, { body }),
  deleteRole: (guildId: string, id: string) => request<void>('DELETE', `/guilds/${guildId}/roles/${id}`),

  members: (guildId: string) => request<Member[]>('GET', `/guilds/${guildId}/members`, { query: { limit: 1000 } }),
  patchMember: (guildId: string, userId: string, body: { nick?: string | null; roles?: string[] }) =>
    request<Member>('PATCH', `/guilds/${guildId}/members/${userId}`, { body }),
  kick: (guildId: string, userId: string) => request<void>('DELETE', `/guilds/${guildId}/members/${userId}`),
  bans: (guildId: string) => request<Ban[]>('GET', `/guilds/${guildId}/bans`),
  ban: (guildId: string, userId: string) => request<void>('PUT', `/guilds/${guildId}/bans/${userId}`, { body: {} }),
  unban: (guildId: string, userId: string) => request<void>('DELETE', `/guilds/${guildId}/bans/${userId}`),
  auditLog: (guildId: string) => request<AuditLog>('GET', `/guilds/${guildId}/audit-logs`, { query: { limit: 100 } }),

  guildInvites: (guildId: string) => request<Invite[]>('GET', `/guilds/${guildId}/invites`),
  createInvite: (channelId: string, body: { max_age?: number; max_uses?: number } = {}) =>
    request<Invite>('POST', `/channels/${channelId}/invites`, { body }),
  invite: (code: string) => request<Invite>('GET', `/invites/${enc(code)}`, { query: { with_counts: true } }),
  acceptInvite: (code: string) => request<Invite & { guild_id?: string }>('POST', `/invites/${enc(code)}`, { body: {} }),
  deleteInvite: (code: string) => request<Invite>('DELETE', `/invites/${enc(code)}`),

  messages: (channelId: string, q: { before?: string; after?: string; around?: string; limit?: number }) =>
    request<Message[]>('GET', `/channels/${channelId}/messages`, { query: q }),
  sendMessage: (channelId: string, body: { content: string; nonce?: string; message_reference?: { message_id: string } }) =>
    request<Message>('POST', `/channels/${channelId}/messages`, { body }),
  editMessage: (channelId: string, id: string, content: string) =>
    request<Message>('PATCH', `/channels/${channelId}/messages/${id}`, { body: { content } }),
  deleteMessage: (channelId: string, id: string) => request<void>('DELETE', `/channels/${channelId}/messages/${id}`),
  ack: (channelId: string, id: string) => request<unknown>('POST', `/channels/${channelId}/messages/${id}/ack`, { body: {} }),
  typing: (channelId: string) => request<void>('POST', `/channels/${channelId}/typing`),
  pins: (channelId: string) => request<Message[]>('GET', `/channels/${channelId}/pins`),
  pin: (channelId: string, id: string) => request<void>('PUT', `/channels/${channelId}/pins/${id}`),
  unpin: (channelId: string, id: string) => request<void>('DELETE', `/channels/${channelId}/pins/${id}`),
  search: (guildId: string, q: { content?: string; author_id?: string; channel_id?: string; has?: string; offset?: number }) =>
    request<SearchResult>('GET', `/guilds/${guildId}/messages/search`, { query: q }),
};
