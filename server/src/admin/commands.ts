import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { hashPassword } from '../auth/passwords.js';
import { checkUsername, doNoteSessionsRevoked, doRevokeOtherSessions, isUsernameTaken } from '../auth/service.js';
import type { AppContext } from '../context.js';
import { guilds, members, users } from '../db/schema.js';
import { transact } from '../db/tx.js';
import { doUpdateGuild } from '../guilds/service.js';
import { ApiError } from '../http/errors.js';
import { doCreateInstanceInvite, doSetUserDisabled } from '../instance/service.js';
import { doRemoveMember } from '../members/service.js';
import { toWireUser } from '../users/wire.js';

/** A refusal to show the operator (exit code 1), as opposed to a crash. */
export class AdminError extends Error {}

export const USAGE = `usage: npm run admin -- <command>
  user list
  user create <username> [--admin] [--password <pw>]   prints a generated password unless given
  user reset-password <user>                         prints a new one-time password, logs them out
  user disable <user> | user enable <user>
  user delete <user>                                 messages stay, shown as "Deleted User"
  guild list
  guild transfer <guild-id> <user>                   the new owner must be a member
  instance admin grant <user> | instance admin revoke <user>
  instance invite [--uses N] [--days D]              a code to register with (REGISTRATION=invite)
  backup <file>                                      same as npm run backup -- <file>
<user> is a username or a user id.`;

type Command = (ctx: AppContext, args: string[], flags: Record<string, string | boolean | undefined>) => Promise<string>;

/** A password someone can type from a message: 16 characters of base64url (96 bits). */
const newPassword = () => randomBytes(12).toString('base64url');

async function findUser(ctx: AppContext, ref: string | undefined) {
  if (!ref) throw new AdminError('missing <user>');
  const byId = /^\d{1,20}$/.test(ref) ? eq(users.id, ref) : undefined;
  const [row] = await ctx.db
    .select()
    .from(users)
    .where(byId ?? eq(sql`lower(${users.username})`, ref.trim().toLowerCase()))
    .limit(1);
  if (!row) throw new AdminError(`no such user: ${ref}`);
  return row;
}

const table = (rows: string[][]) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};

const commands: Record<string, Command> = {
  'user list': async (ctx) => {
    const rows = await ctx.db.select().from(users).orderBy(asc(users.id));
    const flagsOf = (u: (typeof rows)[number]) =>
      [u.instanceAdmin && 'admin', u.bot && 'bot', u.disabledAt && 'disabled'].filter(Boolean).join(',') || '-';
    return table([
      ['id', 'username', 'display name', 'flags', 'created'],
      ...rows.map((u) => [u.id, u.username, u.displayName ?? '-', flagsOf(u), u.createdAt.toISOString()]),
    ]);
  },

  'user create': async (ctx, [name], flags) => {
    if (!name) throw new AdminError('missing <username>');
    const username = checkUsername(name);
    if (await isUsernameTaken(ctx.db, username)) throw new AdminError(`username taken: ${username}`);
    const password = typeof flags.password === 'string' ? flags.password : newPassword();
    if (password.length < 8) throw new AdminError('passwords are at least 8 characters');
    const passwordHash = await hashPassword(password, ctx.config.argon2MemoryKib);
    const [row] = await ctx.db
      .insert(users)
      .values({ id: ctx.ids.next(), username, passwordHash, instanceAdmin: flags.admin === true })
      .returning();
    return `created ${row.username} (${row.id})${row.instanceAdmin ? ', instance admin' : ''}${flags.password ? '' : `\npassword: ${password}`}`;
  },

  'user reset-password': async (ctx, [ref]) => {
    const user = await findUser(ctx, ref);
    if (user.bot) throw new AdminError('bots have tokens, not passwords');
    const password = newPassword();
    const passwordHash = await hashPassword(password, ctx.config.argon2MemoryKib);
    await ctx.db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
      await doRevokeOtherSessions(tx, user.id);
    });
    await doNoteSessionsRevoked(ctx, user.id);
    return `password of ${user.username} reset; every login was signed out\none-time password: ${password}\n(give it to them; they change it in their settings)`;
  },

  'user disable': async (ctx, [ref]) => {
    const user = await findUser(ctx, ref);
    await doSetUserDisabled(ctx.db, user.id, true);
    await doNoteSessionsRevoked(ctx, user.id);
    return `disabled ${user.username}: no login; open logins end now`;
  },

  'user enable': async (ctx, [ref]) => {
    const user = await findUser(ctx, ref);
    await doSetUserDisabled(ctx.db, user.id, false);
    return `enabled ${user.username}`;
  },

  'user delete': async (ctx, [ref]) => {
    const user = await findUser(ctx, ref);
    const owned = await ctx.db.select({ id: guilds.id, name: guilds.name }).from(guilds).where(eq(guilds.ownerId, user.id));
    if (owned.length)
      throw new AdminError(`${user.username} owns ${owned.map((g) => `${g.name} (${g.id})`).join(', ')}: transfer first (guild transfer)`);
    await transact(ctx, async (tx, emit) => {
      const joined = await tx.select({ guildId: members.guildId }).from(members).where(eq(members.userId, user.id));
      for (const m of joined) await doRemoveMember(tx, emit, m.guildId, user.id);
      // Discord keeps a deleted account's messages under a placeholder user; so do we.
      const [row] = await tx
        .update(users)
        .set({
          username: `deleted_user_${randomBytes(6).toString('hex')}`,
          displayName: 'Deleted User',
          avatar: null,
          passwordHash: null,
          botTokenHash: null,
          instanceAdmin: false,
          disabledAt: new Date(),
        })
        .where(eq(users.id, user.id))
        .returning();
      await doRevokeOtherSessions(tx, user.id);
      emit({ t: 'USER_UPDATE', d: toWireUser(row), user_ids: [user.id], meta: { public_user: toWireUser(row) } });
    });
    await doNoteSessionsRevoked(ctx, user.id);
    return `deleted ${user.username} (${user.id}); their messages now show "Deleted User"`;
  },

  'guild list': async (ctx) => {
    const rows = await ctx.db
      .select({ id: guilds.id, name: guilds.name, owner: users.username, members: count(members.userId) })
      .from(guilds)
      .innerJoin(users, eq(users.id, guilds.ownerId))
      .leftJoin(members, eq(members.guildId, guilds.id))
      .groupBy(guilds.id, users.username)
      .orderBy(asc(guilds.id));
    return table([['id', 'name', 'owner', 'members'], ...rows.map((g) => [g.id, g.name, g.owner, String(g.members)])]);
  },

  'guild transfer': async (ctx, [guildId, ref]) => {
    if (!guildId || !/^\d{1,20}$/.test(guildId)) throw new AdminError('missing <guild-id>');
    const user = await findUser(ctx, ref);
    const [g] = await ctx.db.select().from(guilds).where(eq(guilds.id, guildId));
    if (!g) throw new AdminError(`no such guild: ${guildId}`);
    // Acts as the current owner, so the usual rules (new owner must be a member), event and audit entry apply.
    await doUpdateGuild(ctx, { id: g.ownerId, bot: false }, guildId, { owner_id: user.id }, 'admin CLI: ownership transfer');
    return `${g.name} now belongs to ${user.username}`;
  },

  'instance admin': async (ctx, [action, ref]) => {
    if (action !== 'grant' && action !== 'revoke') throw new AdminError('instance admin grant|revoke <user>');
    const user = await findUser(ctx, ref);
    if (user.bot) throw new AdminError('bots cannot be instance admins');
    await ctx.db
      .update(users)
      .set({ instanceAdmin: action === 'grant' })
      .where(and(eq(users.id, user.id)));
    return `${user.username} is ${action === 'grant' ? 'now' : 'no longer'} an instance admin`;
  },

  backup: async (ctx, [file]) => {
    if (!file || !isAbsolute(file)) throw new AdminError('backup <file>: an absolute path (npm run backup resolves it)');
    // Loaded here, not at start: the server imports these commands (admin socket) on every start.
    const { createBackup } = await import('../backup/backup.js');
    const m = await createBackup(ctx, file);
    const rows = m.tables.reduce((n, t) => n + t.rows, 0);
    return `backup written to ${file}: ${rows} rows in ${m.tables.length} tables, ${m.files.count} files (${m.files.bytes} bytes), ${m.secrets.length} secrets, schema ${m.migrations}`;
  },

  'instance invite': async (ctx, _args, flags) => {
    const uses = flags.uses === undefined ? 1 : Number(flags.uses);
    const days = flags.days === undefined ? 7 : Number(flags.days);
    if (!Number.isInteger(uses) || uses < 0 || uses > 100) throw new AdminError('--uses is 0 (unlimited) to 100');
    if (!Number.isFinite(days) || days < 0 || days > 30) throw new AdminError('--days is 0 (never expires) to 30');
    const inv = await doCreateInstanceInvite(ctx.db, null, { max_uses: uses, max_age: Math.round(days * 86400) });
    return `invite code: ${inv.code} (${uses || 'unlimited'} use${uses === 1 ? '' : 's'}, ${inv.expires_at ? `until ${inv.expires_at}` : 'never expires'})\nregister at <your server>/register?invite=${inv.code}`;
  },
};

/** Runs one admin command (`argv` without the program name) and returns what to print. */
export async function runAdminCommand(ctx: AppContext, argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { admin: { type: 'boolean' }, password: { type: 'string' }, uses: { type: 'string' }, days: { type: 'string' } },
  });
  const two = `${positionals[0]} ${positionals[1]}`;
  const key = two in commands ? two : positionals[0] in commands ? positionals[0] : undefined;
  if (!key) throw new AdminError(USAGE);
  try {
    return await commands[key](ctx, positionals.slice(key.split(' ').length), values);
  } catch (err) {
    if (err instanceof ApiError) throw new AdminError(`refused: ${err.message}${err.errors ? ` ${JSON.stringify(err.errors)}` : ''}`);
    throw err;
  }
}
