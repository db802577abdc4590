import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { extraConnectOrigins, prepareWebClientPage, type WebClientPage } from './csp.js';

/** Where the built web client lives: WEB_DIR, else web/build in this repository. */
export function findWebDir(configured?: string): string | undefined {
  const dir = configured ?? join(dirname(fileURLToPath(import.meta.url)), '../../../web/build');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

export interface WebClient {
  /** index.html and its Content-Security-Policy (http/csp.ts). */
  page: WebClientPage;
  /** The page for a client-side route (`/`, `/channels/…`), undefined for anything else. */
  fallback: (path: string) => Buffer | undefined;
}

/**
 * Serves the single-page client at `/`. Unknown non-API GETs get index.html so deep links
 * (`/channels/…`, `/invite/…`) work on reload. index.html itself always goes through that
 * fallback (never the static files), so it always carries its CSP header.
 */
export async function installWebClient(app: FastifyInstance, dir: string | undefined): Promise<WebClient | undefined> {
  if (!dir) return undefined;
  // preCompressed: the build wrote .br/.gz beside each asset (web/scripts/precompress.mjs).
  await app.register(fastifyStatic, {
    root: dir,
    wildcard: false,
    index: false,
    globIgnore: ['index.html'],
    cacheControl: false,
    preCompressed: true,
    setHeaders: (res, path) => {
      res.header('Cache-Control', path.includes('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const page = prepareWebClientPage(readFileSync(join(dir, 'index.html')), extraConnectOrigins(app.ctx.config));
  const fallback = (path: string) =>
    path === '/index.html' || (!path.startsWith('/api/') && path !== '/gateway' && !/\.[a-z0-9]+$/i.test(path)) ? page.html : undefined;
  return { page, fallback };
}
