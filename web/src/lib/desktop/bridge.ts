/**
 * The desktop app's bridge (desktop/src-tauri/core/src/bridge.rs is the other side). In the
 * Retrocast desktop app the shell defines `window.__RETROCAST_DESKTOP__` on this server's origin
 * before the page runs; in a browser it is absent and nothing here does anything.
 */
import type { ReadStatesState } from '../state/read-states';

/** Page → shell. */
export type PageMessage =
  | { type: 'hello'; version: number }
  | { type: 'unread'; mentions: number }
  | { type: 'notify'; title: string; body: string; path: string | null }
  | { type: 'voice_state'; in_call: boolean; self_mute: boolean; self_deaf: boolean; ptt_held: boolean };

/** Shell → page. */
export type ShellMessage =
  | { type: 'info'; version: number; push_to_talk: string | null; toggle_mute: string | null; toggle_deafen: string | null }
  | { type: 'ptt'; down: boolean }
  | { type: 'toggle_mute' }
  | { type: 'toggle_deafen' }
  | { type: 'navigate'; path: string };

export interface DesktopBridge {
  version: number;
  send(msg: PageMessage): Promise<unknown>;
  listen(fn: (msg: ShellMessage) => void): () => void;
}

export const BRIDGE_VERSION = 1;

export function desktopBridge(): DesktopBridge | null {
  const b = (globalThis as { __RETROCAST_DESKTOP__?: DesktopBridge }).__RETROCAST_DESKTOP__;
  return b && typeof b.send === 'function' && typeof b.listen === 'function' ? b : null;
}

/** What the shell's messages act on (the voice client, the router). */
export interface ShellTarget {
  voice: { setPtt(down: boolean): void; toggleMute(): void; toggleDeaf(): void; globalPttKey: string | null };
  navigate(path: string): void;
}

export function applyShellMessage(msg: ShellMessage, to: ShellTarget): void {
  switch (msg.type) {
    case 'info':
      to.voice.globalPttKey = msg.push_to_talk;
      break;
    case 'ptt':
      to.voice.setPtt(msg.down);
      break;
    case 'toggle_mute':
      to.voice.toggleMute();
      break;
    case 'toggle_deafen':
      to.voice.toggleDeaf();
      break;
    case 'navigate':
      // Only paths of this client; the shell checks too.
      if (msg.path.startsWith('/') && !msg.path.startsWith('//')) to.navigate(msg.path);
      break;
  }
}

/** Unread mentions across every channel: the tray badge. */
export function totalMentions(s: ReadStatesState): number {
  let n = 0;
  for (const rs of Object.values(s.byChannel)) n += rs.mention_count ?? 0;
  return n;
}
