import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';

/** Lowercase letters, digits, `_` and `.`; 2–32 chars (input is lowercased first). */
export const USERNAME_RE = /^[a-z0-9_.]{2,32}$/;

export const User = Type.Object({
  id: Snowflake,
  username: Type.String(),
  discriminator: Type.String(),
  global_name: Type.Union([Type.String(), Type.Null()]),
  avatar: Type.Union([Type.String(), Type.Null()]),
  bot: Type.Boolean(),
  system: Type.Boolean(),
  public_flags: Type.Integer(),
  // Discord's schema has these on every user; the server always sends them (users/wire.ts).
  flags: Type.Optional(Type.Integer()),
  banner: Type.Optional(Type.Null()),
  accent_color: Type.Optional(Type.Null()),
  avatar_decoration_data: Type.Optional(Type.Null()),
  collectibles: Type.Optional(Type.Null()),
  /** Discord's server tag; Retrocast has none. */
  primary_guild: Type.Optional(Type.Null()),
});
export type User = Static<typeof User>;

/** The current user: the public shape plus private fields. */
export const CurrentUser = Type.Object({
  ...User.properties,
  mfa_enabled: Type.Boolean(),
  verified: Type.Boolean(),
  locale: Type.String(),
});
export type CurrentUser = Static<typeof CurrentUser>;

export const RegisterBody = Type.Object({
  username: Type.String({ minLength: 2, maxLength: 32 }),
  password: Type.String({ minLength: 8, maxLength: 128 }),
  display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  /** A server invite code or an instance invite code; needed when REGISTRATION=invite. */
  invite: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 128 }),
});
export type LoginBody = Static<typeof LoginBody>;

/** `refresh_token` may be left out by the web client: its token is in the HttpOnly refresh cookie. */
export const RefreshBody = Type.Object({ refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
export type RefreshBody = Static<typeof RefreshBody>;

export const AuthResponse = Type.Object({
  user: CurrentUser,
  access_token: Type.String(),
  /** Absent for the web client on our own origin: it got the HttpOnly refresh cookie instead. */
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
});
export type AuthResponse = Static<typeof AuthResponse>;

export const PatchMeBody = Type.Object({
  display_name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 32 }), Type.Null()])),
  global_name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 32 }), Type.Null()])),
  /** Current password; required with new_password. */
  password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  new_password: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
  avatar: Type.Optional(Type.Union([Type.String({ maxLength: 12_000_000 }), Type.Null()])),
});
export type PatchMeBody = Static<typeof PatchMeBody>;

export const CreateBotBody = Type.Object({ username: Type.String({ minLength: 2, maxLength: 32 }) });
export const CreateBotResponse = Type.Object({ user: User, token: Type.String() });
export type CreateBotResponse = Static<typeof CreateBotResponse>;
