/**
 * Discord v10 object shapes the client reads. User shapes come from `@retrocast/protocol`;
 * guild-side shapes mirror `server/src/guilds/wire.ts` and Discord's documentation.
 */
import type { CurrentUser, User } from '@retrocast/protocol';

export type { CurrentUser, User };

export const ChannelType = { GUILD_TEXT: 0, DM: 1, GUILD_VOICE: 2, GROUP_DM: 3, GUILD_CATEGORY: 4 } as const;

export interface Overwrite {
  id: string;
  /** 0 role, 1 member */
  type: number;
  allow: string;
  deny: string;
}

export interface Channel {
  id: string;
  type: number;
  guild_id?: string;
  name: string | null;
  position: number;
  parent_id: string | null;
  permission_overwrites: Overwrite[];
  topic?: string | null;
  nsfw?: boolean;
  last_message_id?: string | null;
  rate_limit_per_user?: number;
  last_pin_timestamp?: string | null;
}

export interface Role {
  id: string;
  name: string;
  color: number;
  hoist: boolean;
  position: number;
  permissions: string;
  managed: boolean;
  mentionable: boolean;
}

export interface Member {
  user: User;
  nick: string | null;
  roles: string[];
  joined_at: string;
  deaf?: boolean;
  mute?: boolean;
}

export type Status = 'online' | 'idle' | 'dnd' | 'invisible' | 'offline';

/** What a user is doing: type 0 Playing, 1 Streaming, 2 Listening to, 3 Watching, 4 custom status, 5 Competing in. */
export interface Activity {
  name: string;
  type: number;
  state?: string;
  details?: string;
  url?: string;
}

export interface Presence {
  user: { id: string } & Partial<User>;
  guild_id?: string;
  status: Status;
  activities?: Activity[];
}

export interface Guild {
  id: string;
  name: string;
  icon: string | null;
  owner_id: string;
  description?: string | null;
  system_channel_id?: string | null;
  roles: Role[];
  channels?: Channel[];
  members?: Member[];
  presences?: Presence[];
  member_count?: number;
  /** Above the session's large_threshold (50): GUILD_CREATE listed only present and voice members. */
  large?: boolean;
  unavailable?: boolean;
}

export interface Attachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  content_type?: string;
}

export interface Reaction {
  count: number;
  me: boolean;
  emoji: { id: string | null; name: string };
}

export interface Message {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: User;
  webhook_id?: string;
  member?: Partial<Member>;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  mention_everyone: boolean;
  mentions: User[];
  mention_roles: string[];
  attachments: Attachment[];
  embeds: unknown[];
  reactions?: Reaction[];
  pinned: boolean;
  type: number;
  nonce?: string | number | null;
  message_reference?: { message_id?: string; channel_id?: string; guild_id?: string };
  referenced_message?: Message | null;
}

export interface Invite {
  code: string;
  guild?: Pick<Guild, 'id' | 'name' | 'icon'> & { description?: string | null };
  channel?: Pick<Channel, 'id' | 'name' | 'type'> | null;
  inviter?: User;
  uses?: number;
  max_uses?: number;
  max_age?: number;
  temporary?: boolean;
  created_at?: string;
  expires_at?: string | null;
  approximate_member_count?: number;
  approximate_presence_count?: number;
}

export interface Ban {
  user: User;
  reason: string | null;
}

export interface AuditLogEntry {
  id: string;
  user_id: string | null;
  target_id: string | null;
  action_type: number;
  changes?: { key: string; old_value?: unknown; new_value?: unknown }[];
  reason?: string | null;
}

export interface AuditLog {
  audit_log_entries: AuditLogEntry[];
  users: User[];
}

export interface ReadState {
  id: string;
  last_message_id: string | null;
  mention_count: number;
}

export interface SearchResult {
  total_results: number;
  messages: Message[][];
}

/** Discord's error body. */
export interface ApiErrorBody {
  code: number;
  message: string;
  errors?: unknown;
}
