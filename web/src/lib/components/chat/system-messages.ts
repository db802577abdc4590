/** DM / group DM system messages (Discord types 1–5) and blocked-author runs, for the message list. */
import type { Message, User } from '$lib/api/types';

export const SYSTEM_TYPES = new Set([1, 2, 3, 4, 5]);

export const isSystemMessage = (m: Message) => SYSTEM_TYPES.has(m.type);

type CallInfo = { participants: string[]; ended_timestamp: string | null };

/** One line of text for a system message; `name` turns a user into a display name. */
export function systemText(m: Message & { call?: CallInfo }, name: (u: User) => string, me?: string): string {
  const actor = name(m.author);
  const target = m.mentions?.[0];
  switch (m.type) {
    case 1:
      return `${actor} added ${target ? name(target) : 'someone'} to the group.`;
    case 2:
      return target && target.id !== m.author.id ? `${actor} removed ${name(target)} from the group.` : `${actor} left the group.`;
    case 3: {
      const call = m.call;
      if (!call?.ended_timestamp) return `${actor} started a call.`;
      const missed = me !== undefined && me !== m.author.id && !call.participants.includes(me);
      const secs = Math.max(0, Math.round((Date.parse(call.ended_timestamp) - Date.parse(m.timestamp)) / 1000));
      return missed ? `You missed a call from ${actor}.` : `${actor} started a call that lasted ${duration(secs)}.`;
    }
    case 4:
      return `${actor} changed the channel name: ${m.content}`;
    case 5:
      return `${actor} changed the channel icon.`;
    default:
      return m.content;
  }
}

export function duration(secs: number): string {
  if (secs < 60) return `${secs} second${secs === 1 ? '' : 's'}`;
  const min = Math.round(secs / 60);
  if (min < 60) return `${min} minute${min === 1 ? '' : 's'}`;
  const h = Math.floor(min / 60);
  return `${h} hour${h === 1 ? '' : 's'}${min % 60 ? ` ${min % 60} min` : ''}`;
}

/**
 * For each message: the run of consecutive messages by blocked users it belongs to (the run's
 * first id and length), or undefined. The list shows one "N blocked messages — Show" bar per run.
 */
export function blockedRuns(items: Message[], blocked: (userId: string) => boolean): Array<{ start: string; count: number } | undefined> {
  const out: Array<{ start: string; count: number } | undefined> = [];
  let run: { start: string; count: number } | undefined;
  for (const m of items) {
    if (blocked(m.author.id) && !isSystemMessage(m)) {
      if (!run) run = { start: m.id, count: 0 };
      run.count++;
      out.push(run);
    } else {
      run = undefined;
      out.push(undefined);
    }
  }
  return out;
}
