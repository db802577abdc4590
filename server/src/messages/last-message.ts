import type { Db } from '../db/client.js';
import { idArrayLiteral, type RawStatement, rawQuery } from '../db/raw.js';

/** How long a new last_message_id may wait to be batched with others. */
const DELAY_MS = 10;

/** One statement for any batch (channel and message ids as two arrays): prepared once, not planned per batch. */
const WRITE_LAST_MESSAGES: RawStatement = {
  name: 'write_last_messages',
  text: `update channels set last_message_id = greatest(coalesce(channels.last_message_id, 0), v.m)
    from unnest($1::bigint[], $2::bigint[]) as v(c, m) where channels.id = v.c`,
};

/**
 * `channels.last_message_id` of guild channels, written behind the send: every send to a channel
 * updating its row in the send's transaction serialises all senders on that row lock (pgbench on
 * this box: ~10,000 inserts/s alone, ~1,400/s with one shared-row update each). Sends note their
 * id here after commit; one statement per batch moves each channel's value forward (it never goes
 * back: `greatest`). Readers of the column call `flush()` first (READY, channel lists, the guild
 * state cache, deletes), so on this instance they see every committed send; another instance may
 * see a value up to one batch old.
 */
export class LastMessageWriter {
  private pending = new Map<string, bigint>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  note(channelId: string, messageId: string) {
    const id = BigInt(messageId);
    const was = this.pending.get(channelId);
    if (was === undefined || id > was) this.pending.set(channelId, id);
    this.schedule(DELAY_MS);
  }

  private schedule(ms: number) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err) => {
        this.onError(err);
        this.schedule(1000);
      });
    }, ms);
    this.timer.unref();
  }

  /** Writes everything noted so far; resolves once it is in the database. */
  async flush(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
    if (!this.pending.size) return;
    // Channel id order: two instances flushing overlapping batches lock rows in the same order.
    const batch = [...this.pending].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1));
    this.pending.clear();
    this.running = this.write(batch).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async write(batch: Array<[string, bigint]>) {
    try {
      await rawQuery(this.db, WRITE_LAST_MESSAGES, [
        idArrayLiteral(batch.map(([c]) => c)),
        idArrayLiteral(batch.map(([, m]) => m.toString())),
      ]);
    } catch (err) {
      // Keep them for the next flush (database briefly away); newer ids noted meanwhile win.
      for (const [c, m] of batch) {
        const now = this.pending.get(c);
        if (now === undefined || m > now) this.pending.set(c, m);
      }
      throw err;
    }
  }

  async close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush().catch(this.onError);
    if (this.timer) clearTimeout(this.timer);
  }
}

const writers = new WeakMap<Db, LastMessageWriter>();

export function installLastMessageWriter(writer: LastMessageWriter, db: Db) {
  writers.set(db, writer);
}

/** The writer of `db` (none in tools that open a database without the app: nothing to flush). */
export function lastMessagesOf(db: Db): LastMessageWriter | undefined {
  return writers.get(db);
}

/** Before reading channels.last_message_id. */
export async function flushLastMessages(db: Db): Promise<void> {
  await writers.get(db)?.flush();
}
