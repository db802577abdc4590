import type { Emoji, User } from '@retrocast/protocol';
import type { emojis } from '../db/schema.js';

export type EmojiRow = typeof emojis.$inferSelect;

/** The only place an emoji row becomes Discord's emoji object. */
export function toWireEmoji(e: EmojiRow, creator?: User): Emoji {
  return {
    id: e.id,
    name: e.name,
    roles: [],
    ...(creator ? { user: creator } : {}),
    require_colons: true,
    managed: false,
    animated: e.animated,
    available: true,
  };
}
