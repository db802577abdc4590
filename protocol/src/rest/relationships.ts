import { type Static, Type } from 'typebox';
import { Snowflake } from './common.js';
import { User } from './users.js';

/** Discord's relationship types: 1 friend, 2 blocked, 3 incoming request, 4 outgoing request. */
export const RelationshipType = { FRIEND: 1, BLOCKED: 2, INCOMING: 3, OUTGOING: 4 } as const;

/** One entry of `GET /users/@me/relationships` (and READY's `relationships`, RELATIONSHIP_ADD). */
export const Relationship = Type.Object(
  {
    id: Snowflake,
    type: Type.Integer({ minimum: 1, maximum: 4 }),
    user: User,
    nickname: Type.Null(),
    since: Type.String(),
  },
  { additionalProperties: false },
);
export type Relationship = Static<typeof Relationship>;

/** POST /users/@me/relationships: a friend request by username (`discriminator` is accepted and ignored). */
export const FriendRequestBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  discriminator: Type.Optional(Type.Union([Type.String({ maxLength: 4 }), Type.Integer(), Type.Null()])),
});
export type FriendRequestBody = Static<typeof FriendRequestBody>;

/** PUT /users/@me/relationships/{id}: 1 (default) sends or accepts a request, 2 blocks. */
export const PutRelationshipBody = Type.Object({
  type: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
});
export type PutRelationshipBody = Static<typeof PutRelationshipBody>;

/** POST /users/@me/channels: a 1:1 DM (`recipient_id`) or a group DM (`recipients`, up to 9 others). */
export const OpenDmBody = Type.Object({
  recipient_id: Type.Optional(Snowflake),
  recipients: Type.Optional(Type.Array(Snowflake, { maxItems: 50 })),
  name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
});
export type OpenDmBody = Static<typeof OpenDmBody>;

/** PATCH /channels/{id} on a group DM. */
export const PatchGroupDmBody = Type.Object({
  name: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  icon: Type.Optional(Type.Union([Type.String({ maxLength: 12_000_000 }), Type.Null()])),
});
export type PatchGroupDmBody = Static<typeof PatchGroupDmBody>;

/** Most recipients a group DM may have, the owner included. */
export const MAX_GROUP_DM_RECIPIENTS = 10;
