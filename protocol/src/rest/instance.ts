import { type Static, Type } from 'typebox';
import { User } from './users.js';

/** Retrocast-only: who may register here (REGISTRATION), public so the register page can adapt. */
export const RegistrationMode = Type.Union([Type.Literal('open'), Type.Literal('invite'), Type.Literal('closed')]);
export type RegistrationMode = Static<typeof RegistrationMode>;

export const InstanceInfo = Type.Object({
  registration: RegistrationMode,
  /** No account exists yet: the next registration is free and becomes the instance admin. */
  first_account: Type.Boolean(),
});
export type InstanceInfo = Static<typeof InstanceInfo>;

/** An account as the instance admin sees it. */
export const InstanceUser = Type.Object({
  user: User,
  instance_admin: Type.Boolean(),
  disabled: Type.Boolean(),
  created_at: Type.String(),
});
export type InstanceUser = Static<typeof InstanceUser>;

export const PatchInstanceUserBody = Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false });
export type PatchInstanceUserBody = Static<typeof PatchInstanceUserBody>;

export const CreateInstanceInviteBody = Type.Object(
  {
    /** 0 = unlimited. */
    max_uses: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    /** Seconds until it expires; 0 = never. Default 7 days. */
    max_age: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })),
  },
  { additionalProperties: false },
);
export type CreateInstanceInviteBody = Static<typeof CreateInstanceInviteBody>;

export const InstanceInvite = Type.Object({
  code: Type.String(),
  max_uses: Type.Integer(),
  uses: Type.Integer(),
  created_at: Type.String(),
  expires_at: Type.Union([Type.String(), Type.Null()]),
});
export type InstanceInvite = Static<typeof InstanceInvite>;
