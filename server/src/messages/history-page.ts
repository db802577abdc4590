import type { Message, Reaction, User } from '@retrocast/protocol';
import { type RawStatement, rawQuery } from '../db/raw.js';
import type { Db } from '../db/types.js';
import { toWireReaction } from '../reactions/store.js';
import { toWireUser } from '../users/wire.js';
import { type MessageRow, toWireMessage, type WireAttachmentRow } from './wire.js';

/** Which page of a channel's history: newest first, by snowflake cursor (ids are time-ordered). */
export interface HistoryPage {
  limit: number;
  before?: string;
  after?: string;
  around?: string;
}

/**
 * The page's rows as CTE `page`. Parameters: $1 channel, $2 limit, $3 viewer, $4 cursor (absent for
 * the latest page). `around`: the message itself and up to half the page on each side (the newer
 * side gets the odd one).
 */
const PAGES = {
  latest: 'page as (select * from messages where channel_id = $1::bigint order by id desc limit $2::int)',
  before: 'page as (select * from messages where channel_id = $1::bigint and id < $4::bigint order by id desc limit $2::int)',
  after: 'page as (select * from messages where channel_id = $1::bigint and id > $4::bigint order by id asc limit $2::int)',
  around: `newer as (select * from messages where channel_id = $1::bigint and id >= $4::bigint order by id asc limit ($2::int + 1) / 2),
  page as (select * from newer union all (select * from messages where channel_id = $1::bigint and id < $4::bigint
    order by id desc limit $2::int - (select count(*) from newer)))`,
} as const;

type Kind = keyof typeof PAGES;

/** A message row as JSON, keys as Drizzle names them; timestamps as PostgreSQL prints them (Drizzle parses the same text). */
const MESSAGE_JSON = `json_build_object('id', m.id::text, 'channelId', m.channel_id::text, 'guildId', m.guild_id::text,
  'authorId', m.author_id::text, 'content', m.content, 'type', m.type, 'nonce', m.nonce, 'editedAt', m.edited_at::text,
  'pinned', m.pinned, 'pinnedAt', m.pinned_at::text, 'mentionEveryone', m.mention_everyone, 'mentions', m.mentions,
  'mentionRoles', m.mention_roles, 'reference', m.reference, 'embeds', m.embeds, 'flags', m.flags, 'call', m.call,
  'webhookId', m.webhook_id::text, 'webhookAuthor', m.webhook_author, 'createdAt', m.created_at::text)`;

/**
 * One statement for the whole page: its messages, the replied-to messages, every author and
 * mentioned user of both, their attachments (in id order) and the page's reactions as the viewer
 * sees them (per message, per emoji in the order first used, as reactions/store.ts loadReactions).
 * Each part comes back as one JSON value, so the drivers parse four fields instead of a row per
 * message, and PostgreSQL builds the JSON in its own process.
 */
function statement(kind: Kind): RawStatement {
  const text = `with ${PAGES[kind]},
  refd as (select * from messages where id = any(array(
    select (reference->>'message_id')::bigint from page where reference is not null))),
  allm as (select id, author_id, mentions from page union all select id, author_id, mentions from refd)
select
  (select coalesce(json_agg(${MESSAGE_JSON} order by m.id desc), '[]') from page m) as messages,
  (select json_agg(${MESSAGE_JSON}) from refd m) as referenced,
  (select json_agg(json_build_object('id', u.id::text, 'username', u.username, 'displayName', u.display_name,
      'avatar', u.avatar, 'bot', u.bot, 'flags', u.flags))
    from users u where u.id = any(array(
      select author_id from allm union select jsonb_array_elements_text(mentions)::bigint from allm))) as users,
  (select json_agg(json_build_object('id', a.id::text, 'messageId', a.message_id::text, 'channelId', a.channel_id::text,
      'filename', a.filename, 'size', a.size, 'contentType', a.content_type, 'width', a.width, 'height', a.height) order by a.id)
    from attachments a where a.message_id = any(array(select id from allm))) as attachments,
  (select json_agg(json_build_object('messageId', g.message_id::text, 'emojiId', g.emoji_id::text, 'name', g.emoji_name,
      'animated', g.animated, 'count', g.count, 'me', g.me) order by g.first, g.emoji_key)
    from (select r.message_id, r.emoji_key, r.emoji_id, r.emoji_name, bool_or(e.animated) as animated,
            count(*)::int as count, bool_or(r.user_id = $3::bigint) as me, min(r.created_at) as first
          from reactions r left join emojis e on e.id = r.emoji_id
          where r.message_id = any(array(select id from page))
          group by r.message_id, r.emoji_key, r.emoji_id, r.emoji_name) g) as reactions`;
  return { name: `history_page_${kind}`, text };
}

const STATEMENTS: Record<Kind, RawStatement> = {
  latest: statement('latest'),
  before: statement('before'),
  after: statement('after'),
  around: statement('around'),
};

type MessageJson = Omit<MessageRow, 'createdAt' | 'editedAt' | 'pinnedAt'> & {
  createdAt: string;
  editedAt: string | null;
  pinnedAt: string | null;
};
type UserJson = Parameters<typeof toWireUser>[0];
type AttachmentJson = WireAttachmentRow & { messageId: string };
type ReactionJson = { messageId: string; emojiId: string | null; name: string; animated: boolean | null; count: number; me: boolean };

/** As Drizzle maps a timestamptz: `new Date` of PostgreSQL's text. */
function toRow(m: MessageJson): MessageRow {
  return {
    ...m,
    createdAt: new Date(m.createdAt),
    editedAt: m.editedAt === null ? null : new Date(m.editedAt),
    pinnedAt: m.pinnedAt === null ? null : new Date(m.pinnedAt),
  };
}

/**
 * A page of history as `viewerId` sees it, newest first: the same wire messages as
 * `toWireMessages` + `withReactions` of the page's rows, in one round trip.
 */
export async function loadHistoryPage(db: Db, channelId: string, page: HistoryPage, viewerId: string): Promise<Message[]> {
  const kind: Kind = page.around ? 'around' : page.after ? 'after' : page.before ? 'before' : 'latest';
  const cursor = page.around ?? page.after ?? page.before;
  const values: unknown[] = [channelId, page.limit, viewerId];
  if (kind !== 'latest') values.push(cursor);
  const [row] = await rawQuery(db, STATEMENTS[kind], values);
  const messages = (row.messages as MessageJson[]).map(toRow);
  const users = new Map<string, User>();
  for (const u of (row.users as UserJson[] | null) ?? []) users.set(u.id, toWireUser(u));
  const attachments = new Map<string, AttachmentJson[]>();
  for (const a of (row.attachments as AttachmentJson[] | null) ?? []) {
    const list = attachments.get(a.messageId);
    if (list) list.push(a);
    else attachments.set(a.messageId, [a]);
  }
  const referenced = new Map<string, MessageRow>();
  for (const m of (row.referenced as MessageJson[] | null) ?? []) referenced.set(m.id, toRow(m));
  const reactions = new Map<string, Reaction[]>();
  for (const r of (row.reactions as ReactionJson[] | null) ?? []) {
    const list = reactions.get(r.messageId);
    const wire = toWireReaction(r);
    if (list) list.push(wire);
    else reactions.set(r.messageId, [wire]);
  }
  const refs = { users, attachments, referenced };
  return messages.map((m) => {
    const wire = toWireMessage(m, refs);
    const r = reactions.get(m.id);
    if (r) wire.reactions = r;
    return wire;
  });
}
