import { Errors, type ReactionEmoji, isSnowflake } from '@retrocast/protocol';
import type { Queryable } from '../db/client.js';
import { loadEmojiById } from '../emojis/store.js';
import { ApiError } from '../http/errors.js';

export interface ResolvedEmoji {
  /** Row key: the custom emoji id, or the Unicode emoji itself. */
  key: string;
  emoji: ReactionEmoji;
}

const CUSTOM = /^(?:a:)?([A-Za-z0-9_]{2,32}):(\d{1,19})$/;
/** Emoji code points, joiners, variation selectors, keycaps, flags and skin tones, and nothing else. */
const UNICODE = /^[\p{Extended_Pictographic}\p{Emoji_Component}\u200d\ufe0f\u20e3]{1,32}$/u;
const PICTURE = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]/u;

/**
 * The `{emoji}` of a reaction route: a Unicode emoji, or `name:id` of a custom emoji that exists
 * (any guild's, as Discord allows with external emoji). Anything else is Unknown Emoji (10014).
 */
export async function checkEmoji(q: Queryable, raw: string): Promise<ResolvedEmoji> {
  const custom = CUSTOM.exec(raw);
  if (custom) {
    if (!isSnowflake(custom[2])) throw new ApiError(Errors.UNKNOWN_EMOJI);
    const row = await loadEmojiById(q, custom[2]);
    if (!row) throw new ApiError(Errors.UNKNOWN_EMOJI);
    return { key: row.id, emoji: { id: row.id, name: row.name, ...(row.animated ? { animated: true } : {}) } };
  }
  if (!UNICODE.test(raw) || !PICTURE.test(raw)) throw new ApiError(Errors.UNKNOWN_EMOJI);
  return { key: raw, emoji: { id: null, name: raw } };
}
