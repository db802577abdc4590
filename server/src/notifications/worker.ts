import type { PushPayload } from '@retrocast/protocol';
import type { BusEvent } from '../bus/types.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/client.js';
import type { Db } from '../db/types.js';
import { loadChannelAccess } from '../permissions/access.js';
import type { NotificationFeed } from './feed.js';
import { buildPayload } from './payload.js';
import { decideRecipients, type MessageEvent } from './recipients.js';

/** A way to reach a user's devices (Web Push, APNs). */
export interface PushSender {
  readonly name: string;
  sendToUser(q: Queryable, userId: string, payload: PushPayload): Promise<number>;
  /** Which of these users have a device this sender can reach. */
  reachable(db: Db, userIds: string[]): Promise<string[]>;
}

interface Batch {
  userId: string;
  count: number;
  last: MessageEvent;
  timer: NodeJS.Timeout;
}

/**
 * The notification worker: for every new message, decides per recipient (decideRecipients: settings,
 * mutes, DND, blocks), skips those with an active session (they see it live; their client shows a
 * desktop notification), and batches the rest per recipient and channel for `batchMs`, so a burst
 * becomes one push ("3 new messages in #general"). At send time it checks again that the recipient
 * can still see the channel and still has no active session.
 */
export class NotificationWorker {
  private readonly batches = new Map<string, Batch>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Pushes handed to senders, for logs and tests. */
  sent = 0;

  /** Nothing batched and no push being sent (tests wait for it instead of sleeping). */
  get idle(): boolean {
    return this.batches.size === 0 && this.inFlight.size === 0;
  }

  constructor(
    private readonly ctx: AppContext,
    private readonly feed: NotificationFeed,
    private readonly senders: PushSender[],
    private readonly batchMs: number,
  ) {}

  start() {
    this.feed.start((event) => this.handle(event));
  }

  async handle(event: BusEvent) {
    const m = event.d as MessageEvent;
    // Ordinary messages and replies only: system messages (joins, group DM changes) push nothing.
    if (!m?.channel_id || !m.author || (m.type !== undefined && m.type !== 0 && m.type !== 19)) return;
    const reachable = (ids: string[]) => this.reachable(ids);
    for (const r of await decideRecipients(this.ctx, m, new Date(), { skipOnline: true, reachable })) {
      // An online session means someone is at the screen: the client notifies, not a push.
      if (!r.decision.notify || r.status === 'online') continue;
      this.enqueue(r.userId, m);
    }
  }

  /** Users some sender can reach: one query per sender, so members without a device cost no settings lookups. */
  private async reachable(ids: string[]): Promise<Set<string>> {
    const found = await Promise.all(this.senders.map((s) => s.reachable(this.ctx.db, ids)));
    return new Set(found.flat());
  }

  private enqueue(userId: string, m: MessageEvent) {
    const key = `${userId}:${m.channel_id}`;
    const open = this.batches.get(key);
    if (open) {
      open.count++;
      open.last = m;
      return;
    }
    const timer = setTimeout(() => this.track(this.flush(key)), this.batchMs);
    this.batches.set(key, { userId, count: 1, last: m, timer });
  }

  private track(p: Promise<void>) {
    this.inFlight.add(p);
    p.finally(() => this.inFlight.delete(p));
  }

  private async flush(key: string) {
    const batch = this.batches.get(key);
    if (!batch) return;
    this.batches.delete(key);
    try {
      const { userId, last, count } = batch;
      // Never show content of a channel they can no longer see (kicked, overwrite changed, DM left).
      if (!(await loadChannelAccess(this.ctx.db, last.channel_id, userId))) return;
      const status = (await this.ctx.presence?.get([userId]))?.get(userId);
      if (status === 'online' || status === 'dnd') return;
      const payload = await buildPayload(this.ctx, last, count);
      if (!payload) return;
      this.sent++;
      for (const s of this.senders) await s.sendToUser(this.ctx.db, userId, payload);
    } catch (err) {
      this.ctx.log.error({ err }, 'notification push failed');
    }
  }

  /** Stops reading, then sends what is still batched (the database is still open). */
  async close() {
    await this.feed.close();
    for (const [key, b] of this.batches) {
      clearTimeout(b.timer);
      this.track(this.flush(key));
    }
    await Promise.all([...this.inFlight]);
  }
}
