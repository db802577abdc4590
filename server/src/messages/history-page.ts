import type { Message, Reaction, User } from '@retrocast/protocol';
import { type RawStatement, type RawValue, rawQuery } from '../db/raw.js';
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
 * The page's rows as CTE `page`. Parameters: $1 channel, $2 viewer, $3 cursor (absent for the
 * latest page). The limit is written into the text: a prepared statement is planned for unknown
 * parameters after a few runs only if that plan looks no worse than the ones made for the values,
 * and with an unknown LIMIT the planner expects a tenth of the table, so it planned every run.
 * `around`: the message itself and up to half the page on each side (the newer side gets the odd one).
 */
const PAGES = {
  latest: (n: number) => `page as (select * from messages where channel_id = $1::bigint order by id desc limit ${n})`,
  before: (n: number) => `page as (select * from messages where channel_id = $1::bigint and id < $3::bigint order by id desc limit ${n})`,
  after: (n: number) => `page as (select * from messages where channel_id = $1::bigint and id > $3::bigint order by id asc limit ${n})`,
  around: (
    n: number,
  ) => `newer as (select * from messages where channel_id = $1::bigint and id >= $3::bigint order by id asc limit ${Math.ceil(n / 2)}),
  page as (select * from newer union all (select * from (select * from messages where channel_id = $1::bigint and id < $3::bigint
    order by id desc limit ${n}) older order by id desc limit ${n} - (select count(*) from newer)))`,
} as const;

type Kind = keyof typeof PAGES;

/**
 * A message row's columns under the names Drizzle gives them, ids as text (JSON numbers would lose
 * digits), timestamps as PostgreSQL prints them (Drizzle parses that same text).
 */
const MESSAGE_COLUMNS = `m.id::text as id, m.channel_id::text as "channelId", m.guild_id::text as "guildId",
  m.author_id::text as "authorId", m.content, m.type, m.nonce, m.edited_at::text as "editedAt", m.pinned,
  m.pinned_at::text as "pinnedAt", m.mention_everyone as "mentionEveryone", m.mentions, m.mention_roles as "mentionRoles",
  m.reference, m.embeds, m.flags, m.call, m.webhook_id::text as "webhookId", m.webhook_author as "webhookAuthor",
  m.created_at::text as "createdAt"`;

/**
 * One statement for the whole page: its messages, the replied-to messages, every author and
 * mentioned user of both, their attachments (in id order) and the page's reactions as the viewer
 * sees them (per message, per emoji in the order first used, as reactions/store.ts loadReactions).
 * Each part comes back as one JSON value (rows turned into objects by `json_agg` of the row, about
 * half the cost of `json_build_object` per row), so the drivers parse five fields instead of a row
 * per message, and on PostgreSQL the JSON is built in the database's process.
 */
function statement(kind: Kind, limit: number): RawStatement {
  const text = `with ${PAGES[kind](limit)},
  refd as (select * from messages where id = any(array(
    select (reference->>'message_id')::bigint from page where reference is not null))),
  allm as (select id, author_id, mentions from page union all select id, author_id, mentions from refd)
select
  (select coalesce(json_agg(t order by t.id::bigint desc), '[]') from (select ${MESSAGE_COLUMNS} from page m) t) as messages,
  (select json_agg(t) from (select ${MESSAGE_COLUMNS} from refd m) t) as referenced,
  (select json_agg(t) from (select u.id::text as id, u.username, u.display_name as "displayName", u.avatar, u.bot, u.flags
    from users u where u.id = any(array(
      select author_id from allm union select jsonb_array_elements_text(mentions)::bigint from allm))) t) as users,
  (select json_agg(t order by t.id::bigint) from (select a.id::text as id, a.message_id::text as "messageId",
      a.channel_id::text as "channelId", a.filename, a.size, a.content_type as "contentType", a.width, a.height
    from attachments a where a.message_id = any(array(select id from allm))) t) as attachments,
  (select json_agg(json_build_object('messageId', g.message_id::text, 'emojiId', g.emoji_id::text, 'name', g.emoji_name,
      'animated', g.animated, 'count', g.count, 'me', g.me) order by g.first, g.emoji_key)
    from (select r.message_id, r.emoji_key, r.emoji_id, r.emoji_name, bool_or(e.animated) as animated,
            count(*)::int as count, bool_or(r.user_id = $2::bigint) as me, min(r.created_at) as first
          from reactions r left join emojis e on e.id = r.emoji_id
          where r.message_id = any(array(select id from page))
          group by r.message_id, r.emoji_key, r.emoji_id, r.emoji_name) g) as reactions`;
  return { name: `history_page_${kind}_${limit}`, text };
}

/** Built on first use: four kinds × limits 1–100 at most, a few in practice. */
const statements = new Map<string, RawStatement>();

function statementFor(kind: Kind, limit: number): RawStatement {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new Error(`history page limit ${limit} out of 1–100`);
  const key = `${kind} ${limit}`;
  let s = statements.get(key);
  if (!s) {
    s = statement(kind, limit);
    statements.set(key, s);
  }
  return s;
}

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
  const values: RawValue[] = [channelId, viewerId];
  if (kind !== 'latest') values.push(cursor as string);
  const [row] = await rawQuery(db, statementFor(kind, page.limit), values);
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
