import type { Message, User } from '@retrocast/protocol';
import { signedAttachmentUrl } from '../attachments/urls.js';
import type { attachments, members, messages } from '../db/schema.js';
import { toWireMember } from '../guilds/wire.js';

export type MessageRow = typeof messages.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;
/** What an attachment's wire object is made of. */
export type WireAttachmentRow = Pick<AttachmentRow, 'id' | 'channelId' | 'filename' | 'size' | 'contentType' | 'width' | 'height'>;

/** Message type numbers (Discord): 0 default, 19 reply. */
export const MessageType = { DEFAULT: 0, REPLY: 19 } as const;

/** Everything a batch of message rows needs besides themselves, loaded in a few queries (store.ts `hydrate`). */
export interface MessageRefs {
  users: Map<string, User>;
  attachments: Map<string, WireAttachmentRow[]>;
  /** Replied-to messages by id; a missing entry means it was deleted. */
  referenced: Map<string, MessageRow>;
}

/** Unknown users (deleted accounts) still need an author object. */
function userOr(refs: MessageRefs, id: string): User {
  return (
    refs.users.get(id) ?? {
      id,
      username: 'deleted_user',
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: false,
      system: false,
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      collectibles: null,
      primary_guild: null,
    }
  );
}

/** A webhook's message shows the name (and avatar) it was posted under, as a bot (Discord: discriminator "0000"). */
function webhookAuthor(m: MessageRow, refs: MessageRefs): User {
  const base = userOr(refs, m.authorId);
  return {
    ...base,
    id: m.webhookId as string,
    username: m.webhookAuthor?.username ?? base.username,
    global_name: null,
    discriminator: '0000',
    bot: true,
  };
}

export function toWireAttachment(a: WireAttachmentRow) {
  const url = signedAttachmentUrl(a);
  return {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url,
    proxy_url: url,
    ...(a.contentType ? { content_type: a.contentType } : {}),
    width: a.width,
    height: a.height,
  };
}

function baseMessage(m: MessageRow, refs: MessageRefs) {
  return {
    id: m.id,
    channel_id: m.channelId,
    ...(m.guildId ? { guild_id: m.guildId } : {}),
    author: m.webhookId ? webhookAuthor(m, refs) : userOr(refs, m.authorId),
    ...(m.webhookId ? { webhook_id: m.webhookId } : {}),
    content: m.content,
    timestamp: m.createdAt.toISOString(),
    edited_timestamp: m.editedAt?.toISOString() ?? null,
    tts: false,
    mention_everyone: m.mentionEveryone,
    mentions: m.mentions.map((id) => userOr(refs, id)),
    mention_roles: m.mentionRoles,
    attachments: (refs.attachments.get(m.id) ?? []).map(toWireAttachment),
    embeds: m.embeds,
    ...(m.nonce !== null ? { nonce: m.nonce } : {}),
    pinned: m.pinned,
    type: m.type,
    flags: m.flags,
    components: [],
    ...(m.reference ? { message_reference: m.reference } : {}),
    ...(m.call ? { call: { participants: m.call.participants, ended_timestamp: m.call.ended_timestamp } } : {}),
  };
}

/** The only place a message row becomes Discord's message object (REST and gateway alike). */
export function toWireMessage(m: MessageRow, refs: MessageRefs): Message {
  const wire: Message = baseMessage(m, refs);
  if (m.type === MessageType.REPLY && m.reference) {
    const ref = refs.referenced.get(m.reference.message_id);
    wire.referenced_message = ref ? baseMessage(ref, refs) : null;
  }
  return wire;
}

/** MESSAGE_CREATE's `member`: the author's member object without `user` (the author sits beside it). */
export function toWireMessageMember(m: typeof members.$inferSelect, author: User, roleIds: string[]) {
  const { user: _author, ...member } = toWireMember(m, author, roleIds);
  return member;
}
