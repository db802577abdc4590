/** View-only state: which drawer, modal or panel is open. Never holds server data. */
import type { User } from '../api/types';
export type Modal =
  | { kind: 'create-guild' }
  | { kind: 'join' }
  | { kind: 'invite'; guildId: string; channelId: string }
  | { kind: 'create-channel'; guildId: string; parentId?: string | null; type?: number }
  | { kind: 'guild-settings'; guildId: string; tab?: string }
  | { kind: 'channel-settings'; guildId: string; channelId: string }
  | { kind: 'instance-admin' }
  | { kind: 'notification-settings'; guildId: string; channelId?: string | null }
  | { kind: 'user-notifications' }
  | { kind: 'bots' }
  | { kind: 'user-settings'; section?: UserSettingsSection }
  | { kind: 'quick-switcher' }
  | null;
export type UserSettingsSection = 'account' | 'voice' | 'appearance' | 'keybinds' | 'notifications';

class Ui {
  /** Phone layout: the rail+sidebar drawer / the member drawer. */
  navOpen = $state(false);
  membersOpen = $state(false);
  /** Desktop: member list column shown. */
  showMembers = $state(true);
  /** Phone layout (≤900px): drawers instead of columns. */
  phone = $state(false);
  modal: Modal = $state.raw(null);
  panel: 'pins' | 'search' | null = $state(null);
  collapsed: Record<string, boolean> = $state({});
  /** Message being edited inline, and the message the composer replies to. */
  editing: string | null = $state(null);
  replyTo: { id: string; author: string } | null = $state.raw(null);
  /** A message to scroll to and flash once it is on screen (replies, search, pins). */
  jump: { channelId: string; messageId: string } | null = $state.raw(null);
  /** User popover anchor. */
  popover: { userId: string; guildId?: string; x: number; y: number; user?: User } | null = $state.raw(null);

  open(m: Modal) {
    this.modal = m;
    this.navOpen = false;
  }

  /** Esc: the innermost thing open closes first. */
  closeTop(): boolean {
    if (this.popover) this.popover = null;
    else if (this.modal) this.modal = null;
    else if (this.panel) this.panel = null;
    else if (this.navOpen) this.navOpen = false;
    else if (this.membersOpen) this.membersOpen = false;
    else return false;
    return true;
  }
}

export const ui = new Ui();

if (typeof matchMedia !== 'undefined') {
  const mq = matchMedia('(max-width: 900px)');
  ui.phone = mq.matches;
  mq.addEventListener('change', (e) => (ui.phone = e.matches));
}
