import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the built web client lives: WEB_DIR, else web/build in this repository. */
export function findWebDir(configured?: string): string | undefined {
  const dir = configured ?? join(dirname(fileURLToPath(import.meta.url)), '../../../web/build');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/**
 * Serves the single-page client at `/`. Unknown non-API GETs get index.html so deep links
 * (`/channels/…`, `/invite/…`) work on reload. Returns the SPA fallback for the 404 handler.
 */
export async function installWebClient(app: FastifyInstance, dir: string | undefined) {
  if (!dir) return undefined;
  await app.register(fastifyStatic, { root: dir, wildcard: false, index: ['index.html'], cacheControl: false,
    setHeaders: (res, path) => {
      res.header('Cache-Control', path.includes('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const index = readFileSync(join(dir, 'index.html'));
  return (path: string) => !path.startsWith('/api/') && path !== '/gateway' && !/\.[a-z0-9]+$/i.test(path) ? index : undefined;
}
