import type { CurrentUser, User } from '@retrocast/protocol';
import type { users } from '../db/schema.js';

type UserRow = typeof users.$inferSelect;

/** The only place a user row becomes Discord's user object. */
export function toWireUser(row: Pick<UserRow, 'id' | 'username' | 'displayName' | 'avatar' | 'bot' | 'flags'>): User {
  return {
    id: row.id,
    username: row.username,
    discriminator: '0',
    global_name: row.displayName ?? null,
    avatar: row.avatar ?? null,
    bot: row.bot,
    system: false,
    public_flags: row.flags,
    flags: row.flags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
}

export function toWireCurrentUser(row: UserRow): CurrentUser {
  return { ...toWireUser(row), mfa_enabled: false, verified: true, locale: 'en-US' };
}

/** Columns needed by toWireUser, for selects that join users. */
export const userColumns = (u: typeof users) => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  avatar: u.avatar,
  bot: u.bot,
  flags: u.flags,
});
