import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { closeApp } from './http/close.js';
import { startupLines } from './lan/banner.js';
import { listenAll } from './lan/servers.js';
import { collectStartupGarbage } from './memory.js';

/** `npm start`: build the app, listen, and shut down gracefully on SIGTERM/SIGINT. */
async function main() {
  const config = loadConfig();
  const app = await buildApp(config);
  await listenAll(app, config.host, config.port, config.lan.httpsPort);
  const lines = startupLines(app);
  app.log.info({ urls: lines.urls }, `Retrocast is running at ${lines.urls.local}`);
  // Plain lines on stdout as well, for people (the log above is for machines).
  process.stdout.write(`${lines.text}\n`);
  collectStartupGarbage();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await closeApp(app, 5_000);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
