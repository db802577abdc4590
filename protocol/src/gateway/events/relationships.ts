import { Type } from 'typebox';
import { Snowflake } from '../../rest/common.js';
import { Relationship } from '../../rest/relationships.js';
import { User } from '../objects.js';
import { dispatchSchema as dispatch } from './dispatch.js';

/** A relationship appeared or changed type (upsert by `id`). */
export const RelationshipAddEvent = dispatch('RELATIONSHIP_ADD', Relationship);
export const RelationshipRemoveEvent = dispatch(
  'RELATIONSHIP_REMOVE',
  Type.Object({ id: Snowflake, type: Type.Integer(), nickname: Type.Null() }, { additionalProperties: false }),
);

/** Group DM membership, to the other recipients (the added user gets CHANNEL_CREATE, the removed one CHANNEL_DELETE). */
export const ChannelRecipientAddEvent = dispatch(
  'CHANNEL_RECIPIENT_ADD',
  Type.Object({ channel_id: Snowflake, user: User }, { additionalProperties: false }),
);
export const ChannelRecipientRemoveEvent = dispatch(
  'CHANNEL_RECIPIENT_REMOVE',
  Type.Object({ channel_id: Snowflake, user: User }, { additionalProperties: false }),
);
