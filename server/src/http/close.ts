import type { FastifyInstance } from 'fastify';

/**
 * app.close() waits for every open HTTP connection, and a client that never reads a response
 * (or keeps a busy keep-alive socket) holds it for Fastify's 72 s keep-alive. After `graceMs`
 * the remaining connections are cut, so the onClose hooks (bus, database, write-behind flush)
 * still run instead of being skipped by a forced exit.
 */
export async function closeApp(app: FastifyInstance, graceMs: number): Promise<void> {
  const cut = setTimeout(() => {
    app.server.closeAllConnections();
    app.plainServer?.closeAllConnections();
  }, graceMs);
  cut.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
