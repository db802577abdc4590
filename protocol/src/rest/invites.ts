import { type Static, Type } from 'typebox';

export const CreateInviteBody = Type.Object({
  /** Seconds until expiry; 0 = never. Discord's default is 24 hours. */
  max_age: Type.Optional(Type.Integer({ minimum: 0, maximum: 604800, default: 86400 })),
  /** 0 = unlimited. */
  max_uses: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 0 })),
  temporary: Type.Optional(Type.Boolean()),
  /** false: reuse an equivalent invite by the same inviter when one exists. */
  unique: Type.Optional(Type.Boolean()),
});
export type CreateInviteBody = Static<typeof CreateInviteBody>;

export const InviteCodeParam = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

export const GetInviteQuery = Type.Object({
  with_counts: Type.Optional(Type.Boolean()),
  with_expiration: Type.Optional(Type.Boolean()),
});
