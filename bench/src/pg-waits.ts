/**
 * Samples what the server's PostgreSQL backends are doing (pg_stat_activity) every `everyMs`, to say
 * what limits a write-heavy scenario: row locks (Lock:transactionid / Lock:tuple), WAL flushes
 * (IO:WALSync), or waiting for the server to send the next query (Client:ClientRead = the Node
 * process is the bottleneck).
 */
export class PgWaitSampler {
  private counts = new Map<string, number>();
  private samples = 0;
  private timer?: NodeJS.Timeout;
  private client?: import('pg').Client;

  constructor(private readonly databaseUrl: string) {}

  async start(everyMs = 50, maxMs = 10 * 60_000) {
    const pg = (await import('pg')).default;
    this.client = new pg.Client({ connectionString: this.databaseUrl });
    await this.client.connect();
    const stopAt = Date.now() + maxMs;
    let busy = false;
    this.timer = setInterval(async () => {
      if (busy || !this.client) return;
      if (Date.now() > stopAt) return void this.stop();
      busy = true;
      try {
        const { rows } = await this.client.query(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS what, state FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        );
        this.samples++;
        for (const r of rows) {
          const key =
            r.state === 'idle'
              ? 'idle (no transaction)'
              : r.state === 'idle in transaction'
                ? `in transaction, waiting for Node (${r.what})`
                : r.what;
          this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
        }
      } catch {
        // sampling is best effort
      } finally {
        busy = false;
      }
    }, everyMs);
  }

  /** "what: average backends in that state", busiest first. */
  summary(top = 5): string {
    if (!this.samples) return 'no samples';
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${k} ${(v / this.samples).toFixed(2)}`)
      .join(', ');
  }

  async stop() {
    clearInterval(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}
