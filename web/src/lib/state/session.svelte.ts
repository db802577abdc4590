/**
 * The logged-in client: owns the gateway, routes every dispatch through the per-domain reducers,
 * and offers the few actions views call (send, load history, ack). Views read the stores; only
 * `apply` writes them.
 */
import type { AuthResponse } from '@retrocast/protocol';
import { goto } from '$app/navigation';
import { api, HttpError, loadTokens, refreshTokens, saveTokens, setLoggedOutHandler } from '../api';
import type { CurrentUser, Message, Status } from '../api/types';
import { reduceReactions } from '../files/reactions';
import { type Dispatch, Gateway, type GatewayStatus, Op } from '../gateway/socket';
import { notifier } from '../notifications/notifier.svelte';
import { newer } from '../util/snowflake';
import { type ActivitiesState, reduceActivities } from './activities';
import { calls } from './calls.svelte';
import { DmsStore } from './dms.svelte';
import { GuildsStore } from './guilds.svelte';
import { MemberRequests } from './member-requests';
import { emptyMessages, type MessagesState, PAGE, reduceMessages } from './messages';
import {
  emptyNotificationSettings,
  isChannelMuted,
  isGuildMuted,
  messageNotifies,
  type NotificationSettingsState,
  reduceNotificationSettings,
} from './notification-settings';
import { type PresencesState, reducePresences } from './presences';
import { privateChannelName } from './private-channels';
import { emptyReadStates, isUnread, mentionCount, type ReadStatesState, reduceReadStates } from './read-states';
import { reduceTyping, type TypingState } from './typing';
import { voice } from './voice-client.svelte';

/** The fields a message's `mentions` entries carry that a name needs. */
export type MentionedUser = { id: string; username: string; global_name?: string | null };

const STATUS_KEY = 'retrocast.status';

export class Session {
  user: CurrentUser | null = $state.raw(null);
  status: GatewayStatus = $state('connecting');
  /** Set once the first READY has arrived. */
  ready = $state(false);
  guilds = new GuildsStore();
  /** Friends, blocks, DMs and group DMs. */
  dms = new DmsStore();
  messages: MessagesState = $state.raw(emptyMessages);
  typing: TypingState = $state.raw({});
  presences: PresencesState = $state.raw({});
  /** What present users are doing ("Playing …"), from their presences. */
  activities: ActivitiesState = $state.raw({});
  readStates: ReadStatesState = $state.raw(emptyReadStates);
  /** Notification settings per guild (`@me`: DMs). */
  notificationSettings: NotificationSettingsState = $state.raw(emptyNotificationSettings);
  myStatus: Status = $state('online');
  /** Ticks every second so typing indicators expire. */
  now = $state(Date.now());
  /** Bumped on READY/RESUMED so open views refetch what they show. */
  epoch = $state(0);

  private gw: Gateway | null = null;
  /** Large guilds' members, fetched with op 8 as views need them. */
  readonly memberRequests = new MemberRequests((d) => this.gw?.send(Op.REQUEST_GUILD_MEMBERS, d));
  /** Large guilds: users who came online whose member object we lack, until a view asks for them. */
  private presentUnknown = new Map<string, Set<string>>();
  private lastTyping = 0;
  private autoIdle = false;

  get loggedIn() {
    return !!loadTokens();
  }

  /** Stores a fresh login and connects. */
  login(res: AuthResponse) {
    saveTokens(res);
    this.user = res.user;
    this.connect();
  }

  connect() {
    if (this.gw || !loadTokens()) return;
    try {
      this.myStatus = (localStorage.getItem(STATUS_KEY) as Status) || 'online';
    } catch {
      /* private mode */
    }
    setLoggedOutHandler(() => this.reset());
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.gw = new Gateway({
      url: `${proto}//${location.host}/gateway`,
      getToken: () => loadTokens()?.access_token,
      refreshToken: async () => (await refreshTokens())?.access_token ?? null,
      onDispatch: (d) => this.apply(d),
      onStatus: (s) => (this.status = s),
      presence: () => ({ status: this.myStatus }),
    });
    this.gw.start();
    voice.attach(
      (op, d) => this.gw?.send(op, d),
      () => this.user?.id,
    );
    addEventListener('online', this.onOnline);
    addEventListener('offline', this.onOffline);
    setInterval(() => (this.now = Date.now()), 1000);
  }

  private onOnline = () => this.gw?.reconnect();
  private onOffline = () => (this.status = 'offline');

  async logout() {
    await api.logout().catch(() => {});
    this.reset();
  }

  private reset() {
    saveTokens(null);
    this.gw?.stop();
    this.gw = null;
    this.user = null;
    this.ready = false;
    removeEventListener('online', this.onOnline);
    removeEventListener('offline', this.onOffline);
    location.href = '/login';
  }

  /** The one entry point for state changes. */
  apply(ev: Dispatch) {
    const now = Date.now();
    if (ev.t === 'READY') this.user = ev.d.user;
    if (ev.t === 'USER_UPDATE' && ev.d.id === this.user?.id) this.user = { ...this.user!, ...ev.d };
    this.guilds.apply(ev);
    this.memberRequests.apply(ev);
    this.notePresentUnknown(ev);
    this.dms.apply(ev);
    calls.apply(ev);
    this.messages = reduceReactions(reduceMessages(this.messages, ev), ev, this.user?.id ?? '');
    this.typing = reduceTyping(this.typing, ev, now);
    this.presences = reducePresences(this.presences, ev, this.guilds.state);
    this.activities = reduceActivities(this.activities, ev);
    const me = this.user?.id ?? '';
    this.readStates = reduceReadStates(this.readStates, ev, (g) => this.guilds.member(g, me)?.roles ?? []);
    this.notificationSettings = reduceNotificationSettings(this.notificationSettings, ev);
    voice.apply(ev);
    if (ev.t === 'MESSAGE_CREATE' && this.ready) this.maybeNotify(ev.d);
    if (ev.t === 'READY' || ev.t === 'RESUMED') {
      this.ready = true;
      this.epoch++;
    }
    if (ev.t === 'READY' && this.myStatus !== 'online') this.gw?.setPresence(this.myStatus);
  }

  setStatus(s: Status) {
    this.myStatus = s;
    localStorage.setItem(STATUS_KEY, s);
    // Before READY the IDENTIFY (or the READY handler) carries the status instead.
    if (this.status === 'ready') this.gw?.setPresence(s);
    if (this.user) this.presences = { ...this.presences, [this.user.id]: s === 'invisible' ? 'offline' : s };
  }

  /**
   * Desktop notification + sound for a message that notifies us (settings, mutes, DND), unless it
   * is already on screen (visible tab showing its channel).
   */
  private maybeNotify(m: Message) {
    const me = this.user?.id;
    if (!me || m.author.id === me) return;
    const guildId = m.guild_id ?? null;
    const guild = guildId ? this.guilds.get(guildId) : undefined;
    const wanted = messageNotifies(this.notificationSettings, m, me, {
      myRoles: guildId ? (this.guilds.member(guildId, me)?.roles ?? []) : [],
      status: this.myStatus,
      guildDefault: (guild as { default_message_notifications?: number } | undefined)?.default_message_notifications ?? 0,
    });
    if (!wanted) return;
    const onScreen = typeof document !== 'undefined' && !document.hidden && location.pathname.endsWith(`/${m.channel_id}`);
    if (onScreen) return;
    const author = this.displayName(m.author, guildId ?? undefined);
    const channel = guildId ? this.guilds.channel(guildId, m.channel_id)?.name : undefined;
    const title = guild ? `${author} (#${channel ?? 'channel'}, ${guild.name})` : author;
    const avatar = m.author.avatar ? `/avatars/${m.author.id}/${m.author.avatar}.png?size=128` : '/icon-192.png';
    notifier.show(
      {
        title,
        body: this.plainText(m.content, guildId ?? undefined, m.mentions) || 'Sent an attachment.',
        icon: avatar,
        url: `/channels/${guildId ?? '@me'}/${m.channel_id}`,
        tag: `ch-${m.channel_id}`,
      },
      (url) => void goto(url),
    );
  }

  /** Message text for a notification: mentions as @name, #channel, @role; custom emoji as :name:. */
  plainText(content: string, guildId?: string, mentions: MentionedUser[] = []): string {
    return content
      .replace(/<@!?(\d+)>/g, (_, id) => `@${this.displayName(this.mentionedUser(id, guildId, mentions), guildId)}`)
      .replace(/<@&(\d+)>/g, (_, id) => `@${(guildId && this.guilds.get(guildId)?.roles.find((r) => r.id === id)?.name) || 'deleted-role'}`)
      .replace(/<#(\d+)>/g, (_, id) => `#${(guildId && this.guilds.channel(guildId, id)?.name) || 'channel'}`)
      .replace(/<a?:(\w+):\d+>/g, ':$1:')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 240);
  }

  /**
   * Unread mentions that should catch the eye from another tab (tab title, favicon dot): none under
   * Do Not Disturb, and none from muted channels or servers (their own badges still count them).
   */
  alertMentions(): number {
    if (this.myStatus === 'dnd') return 0;
    let n = 0;
    for (const [channelId, rs] of Object.entries(this.readStates.byChannel)) {
      if (!rs.mention_count) continue;
      const guildId = this.guilds.list.find((g) => g.channels.some((c) => c.id === channelId))?.id ?? null;
      if (!this.channelMuted(guildId, channelId)) n += rs.mention_count;
    }
    return n;
  }

  guildMuted(guildId: string | null): boolean {
    return isGuildMuted(this.notificationSettings, guildId, this.now);
  }

  /** Muted itself, or its whole server is: greyed, no unread badge (mentions still count). */
  channelMuted(guildId: string | null, channelId: string): boolean {
    return this.guildMuted(guildId) || isChannelMuted(this.notificationSettings, guildId, channelId, this.now);
  }

  /** PATCH the notification settings of a guild (`@me`: DMs); the result is the same object the event carries. */
  async updateNotificationSettings(guildId: string | null, body: Record<string, unknown>) {
    const d = await api.patchNotificationSettings(guildId ?? '@me', body);
    this.apply({ t: 'USER_GUILD_SETTINGS_UPDATE', d });
  }

  /** The tab has been hidden a while: look idle so pushes reach our phone (the user's choice stays). */
  setAutoIdle(idle: boolean) {
    if (idle === this.autoIdle || this.myStatus !== 'online' || this.status !== 'ready') return;
    this.autoIdle = idle;
    this.gw?.setPresence(idle ? 'idle' : 'online');
  }

  /** Newest page (reset=false merges when it overlaps) or the page before `before`. */
  async loadHistory(channelId: string, before?: string) {
    const messages = await api.messages(channelId, { before, limit: PAGE });
    this.apply({ t: 'LOCAL_HISTORY', d: { channel_id: channelId, messages, before, limit: PAGE } });
  }

  /** Small guilds: the whole list over REST. Large ones load with op 8 as the member list scrolls. */
  async loadMembers(guildId: string) {
    if (this.isLarge(guildId)) return;
    const members = await api.members(guildId).catch(() => null);
    if (members) this.apply({ t: 'LOCAL_MEMBERS', d: { guild_id: guildId, members } });
  }

  /** GUILD_CREATE said the guild is above our large_threshold: it listed only present and voice members. */
  isLarge(guildId: string | undefined): boolean {
    return !!this.guilds.get(guildId)?.large;
  }

  /** Large guilds: fetch (batched, once) the members among `userIds` we do not hold. */
  wantMembers(guildId: string, userIds: Iterable<string>) {
    const g = this.guilds.get(guildId);
    if (!g?.large) return;
    const missing = [...userIds].filter((id) => !g.members[id]);
    if (missing.length) this.memberRequests.want(guildId, missing);
  }

  /** Large guilds: fetch the members who came online since GUILD_CREATE and are not held (the member list shows them). */
  wantPresentMembers(guildId: string) {
    const ids = this.presentUnknown.get(guildId);
    if (!ids?.size) return;
    this.presentUnknown.delete(guildId);
    this.wantMembers(guildId, ids);
  }

  private notePresentUnknown({ t, d }: Dispatch) {
    if (t === 'READY') this.presentUnknown.clear();
    if (t !== 'PRESENCE_UPDATE' || !d.guild_id || d.status === 'offline') return;
    const g = this.guilds.get(d.guild_id);
    if (!g?.large || g.members[d.user.id]) return;
    let ids = this.presentUnknown.get(d.guild_id);
    if (!ids) this.presentUnknown.set(d.guild_id, (ids = new Set()));
    ids.add(d.user.id);
  }

  /** Optimistic send: shown as pending until the MESSAGE_CREATE echo with our nonce arrives. */
  async send(channelId: string, content: string, replyTo?: string, nonce = makeNonce()) {
    if (!this.user) return;
    this.apply({
      t: 'LOCAL_PENDING',
      d: { nonce, channel_id: channelId, content, author: this.user, timestamp: new Date().toISOString(), reply_to: replyTo },
    });
    this.lastTyping = 0;
    try {
      const m = await api.sendMessage(channelId, { content, nonce, message_reference: replyTo ? { message_id: replyTo } : undefined });
      // If the gateway is down the echo may come late; the REST answer is the same object.
      this.apply({ t: 'MESSAGE_CREATE', d: m });
    } catch (e) {
      this.apply({ t: 'LOCAL_SEND_FAILED', d: { nonce, error: e instanceof HttpError ? e.detail : String(e) } });
    }
  }

  retry(nonce: string) {
    const p = this.messages.pending.find((x) => x.nonce === nonce);
    if (p) void this.send(p.channel_id, p.content, p.reply_to, nonce);
  }

  discard(nonce: string) {
    this.apply({ t: 'LOCAL_DISCARD', d: { nonce } });
  }

  /** POST /typing at most every 8 s while the user types. */
  typingPing(channelId: string) {
    const now = Date.now();
    if (now - this.lastTyping < 8000) return;
    this.lastTyping = now;
    api.typing(channelId).catch(() => {});
  }

  /**
   * Marks a channel read up to its newest loaded message. The channel's last_message_id may name a
   * message deleted since (the server keeps it, and cannot ack it): we then mark read up to that
   * id locally, so a deleted message never leaves a channel bold.
   */
  ack(channelId: string, lastId: string | null | undefined, channelLast?: string | null) {
    if (!lastId) return;
    const target = newer(channelLast, lastId) ? channelLast! : lastId;
    const rs = this.readStates.byChannel[channelId];
    if (rs?.last_message_id === target && !rs.mention_count) return;
    this.apply({ t: 'MESSAGE_ACK', d: { channel_id: channelId, message_id: target, mention_count: 0 } });
    if (rs?.last_message_id !== lastId) api.ack(channelId, lastId).catch(() => {});
  }

  /** Display name of a user, preferring the guild nickname. */
  displayName(user: { id: string; username: string; global_name?: string | null } | undefined, guildId?: string): string {
    if (!user) return 'Unknown';
    return this.guilds.member(guildId, user.id)?.nick ?? user.global_name ?? user.username;
  }

  /** A mentioned user: one the client holds, else the message's own `mentions` entry (large guilds send no offline members). */
  mentionedUser(id: string, guildId: string | undefined, mentions: MentionedUser[]) {
    return this.userById(id, guildId) ?? mentions.find((u) => u.id === id);
  }

  userById(id: string, guildId?: string) {
    if (this.user?.id === id) return this.user;
    const g = this.guilds.member(guildId, id)?.user;
    if (g) return g;
    for (const entry of this.guilds.list) if (entry.members[id]) return entry.members[id].user;
    return this.dms.user(id);
  }

  /** A user's status; for ourselves the status we chose, whatever the gateway last echoed. */
  statusOf(userId: string): Status {
    if (userId === this.user?.id) return this.myStatus === 'invisible' ? 'offline' : this.myStatus;
    return this.presences[userId] ?? 'offline';
  }

  channelUnread(channelId: string, lastMessageId: string | null | undefined): boolean {
    return isUnread(this.readStates, channelId, lastMessageId);
  }

  channelMentions(channelId: string): number {
    return mentionCount(this.readStates, channelId);
  }

  /** Unread text channels the user can see in a guild, and their mention total. */
  guildBadge(guildId: string): { unread: boolean; mentions: number } {
    let unread = false;
    let mentions = 0;
    const guildMuted = this.guildMuted(guildId);
    for (const c of this.guilds.visibleChannels(this.user?.id, guildId)) {
      if (c.type !== 0) continue;
      if (!guildMuted && !this.channelMuted(guildId, c.id) && this.channelUnread(c.id, c.last_message_id)) unread = true;
      mentions += this.channelMentions(c.id);
    }
    return { unread, mentions };
  }

  /** Name and last message of a guild channel or, under `@me`, a DM / group DM (its display name). */
  channelInfo(guildId: string, channelId: string): { name: string; last_message_id?: string | null } | undefined {
    if (guildId !== '@me') {
      const c = this.guilds.channel(guildId, channelId);
      return c && { name: c.name ?? '', last_message_id: c.last_message_id };
    }
    const c = this.dms.get(channelId);
    return c && { name: privateChannelName(c, (u) => this.displayName(u)), last_message_id: c.last_message_id };
  }

  /** Unread DMs and group DMs, and their mention total (the Home icon's badge). */
  dmBadge(): { unread: number; mentions: number } {
    let unread = 0;
    let mentions = 0;
    for (const c of this.dms.list) {
      if (this.channelUnread(c.id, c.last_message_id)) unread++;
      mentions += this.channelMentions(c.id);
    }
    return { unread, mentions };
  }

  isMessageMine(m: Message) {
    return m.author.id === this.user?.id;
  }
}

function makeNonce() {
  // Discord nonces are snowflake-like strings; any unique string of ≤25 chars works.
  return `${Date.now()}${Math.floor(Math.random() * 1e6)}`.slice(0, 25);
}

export const session = new Session();
