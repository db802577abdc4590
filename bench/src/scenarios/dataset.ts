import { login, setupGuild } from '../fixtures.js';
import type { ScenarioContext } from '../scenario.js';
import { type SeededHistory, seedPglite, seedPostgres } from '../seed.js';
import { type Backend, type ServerOptions, startServer } from '../server-process.js';

/** A stopped server's data (dir + database) holding one channel with a large seeded history. */
export interface HistoryDataset {
  server: ServerOptions;
  channelId: string;
  username: string;
  history: SeededHistory;
  /** Seconds it took to seed, for the report. */
  seedS: number;
}

const cache = new Map<string, Promise<HistoryDataset>>();

/** Seeded once per backend and size per run, shared by the history and cold-start scenarios. */
export function historyDataset(ctx: ScenarioContext, count: number): Promise<HistoryDataset> {
  const key = `${ctx.backend}:${count}`;
  if (!cache.has(key)) cache.set(key, build(ctx, ctx.backend, count));
  return cache.get(key) as Promise<HistoryDataset>;
}

async function build(ctx: ScenarioContext, backend: Backend, count: number): Promise<HistoryDataset> {
  const server = await ctx.freshServerOptions();
  const s = await startServer(server);
  let history: SeededHistory;
  let channelId: string;
  let username: string;
  try {
    const g = await setupGuild(s.url, 1);
    channelId = g.channelId;
    username = g.owner.username;
    const target = { channelId, guildId: g.guildId, authorId: g.owner.id, count };
    ctx.log(`seeding ${count} messages directly into ${backend}`);
    if (backend === 'postgres') history = await seedPostgres(server.databaseUrl as string, target, ctx.log);
    else {
      await s.stop();
      history = await seedPglite(server.dataDir, target, ctx.log);
    }
  } finally {
    await s.stop();
  }
  return { server, channelId, username, history, seedS: Math.round(history.elapsedMs / 100) / 10 };
}

export { login };
