/** Who is typing where: channel → user → expiry (ms). Expired entries are filtered by readers. */
import type { Dispatch } from '../gateway/socket';

export type TypingState = Record<string, Record<string, number>>;
export const TYPING_MS = 10_000;

export function reduceTyping(s: TypingState, { t, d }: Dispatch, now: number): TypingState {
  switch (t) {
    case 'READY':
      return {};
    case 'TYPING_START':
      return { ...s, [d.channel_id]: { ...s[d.channel_id], [d.user_id]: now + TYPING_MS } };
    case 'MESSAGE_CREATE': {
      const ch = s[d.channel_id];
      if (!ch || !(d.author.id in ch)) return s;
      const { [d.author.id]: _gone, ...rest } = ch;
      return { ...s, [d.channel_id]: rest };
    }
    default:
      return s;
  }
}

/** Users typing in a channel at `now`, excluding `me`. */
export function typingIn(s: TypingState, channelId: string, now: number, me?: string): string[] {
  return Object.entries(s[channelId] ?? {})
    .filter(([id, until]) => until > now && id !== me)
    .map(([id]) => id);
}
