import { type Static, Type } from 'typebox';
import { PermissionBits, Snowflake } from './common.js';

const fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  permissions: PermissionBits,
  color: Type.Integer({ minimum: 0, maximum: 0xffffff }),
  hoist: Type.Boolean(),
  mentionable: Type.Boolean(),
};

export const CreateRoleBody = Type.Object({
  name: Type.Optional(fields.name),
  permissions: Type.Optional(fields.permissions),
  color: Type.Optional(fields.color),
  hoist: Type.Optional(fields.hoist),
  mentionable: Type.Optional(fields.mentionable),
});
export type CreateRoleBody = Static<typeof CreateRoleBody>;

export const PatchRoleBody = Type.Object({
  name: Type.Optional(Type.Union([fields.name, Type.Null()])),
  permissions: Type.Optional(Type.Union([fields.permissions, Type.Null()])),
  color: Type.Optional(Type.Union([fields.color, Type.Null()])),
  hoist: Type.Optional(Type.Union([fields.hoist, Type.Null()])),
  mentionable: Type.Optional(Type.Union([fields.mentionable, Type.Null()])),
});
export type PatchRoleBody = Static<typeof PatchRoleBody>;

/** PATCH /guilds/{id}/roles: move roles. */
export const RolePositionsBody = Type.Array(
  Type.Object({ id: Snowflake, position: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1000 }), Type.Null()])) }),
  { minItems: 1, maxItems: 250 },
);
export type RolePositionsBody = Static<typeof RolePositionsBody>;

/** Discord's role object. */
export const Role = Type.Object({
  id: Snowflake,
  name: Type.String(),
  color: Type.Integer(),
  colors: Type.Object({ primary_color: Type.Integer(), secondary_color: Type.Null(), tertiary_color: Type.Null() }),
  hoist: Type.Boolean(),
  icon: Type.Null(),
  unicode_emoji: Type.Null(),
  description: Type.Optional(Type.Null()),
  position: Type.Integer(),
  permissions: Type.String(),
  managed: Type.Boolean(),
  mentionable: Type.Boolean(),
  flags: Type.Integer(),
  /** A bot's managed role names its bot. */
  tags: Type.Optional(Type.Object({ bot_id: Type.Optional(Snowflake) })),
});
export type Role = Static<typeof Role>;
