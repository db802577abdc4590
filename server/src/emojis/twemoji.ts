import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../http/errors.js';

/** Twemoji file names: code points in lower-case hex joined by `-` (`1f44d.svg`, `1f469-200d-1f4bb.svg`). */
const FILE = /^[0-9a-f]{2,6}(?:-[0-9a-f]{2,6}){0,9}\.svg$/;

/** The SVGs shipped in @discordapp/twemoji (Discord's maintained Twemoji, CC-BY 4.0). */
function twemojiDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@discordapp/twemoji/package.json');
  return join(dirname(pkg), 'dist/svg');
}

/**
 * GET /twemoji/:file   standard emoji as Twemoji SVGs, from our own origin (never a CDN), so
 * emoji show on systems without a colour emoji font (stock Debian Chromium). Public and
 * immutable: a file's name is its code points.
 */
export const twemojiRoutes: FastifyPluginAsync = async (app) => {
  const dir = twemojiDir();
  const notFound = () => new ApiError({ code: 0, status: 404, message: '404: Not Found' });
  app.get<{ Params: { file: string } }>('/twemoji/:file', { config: { rateLimit: false }, schema: { hide: true } }, async (req, reply) => {
    if (!FILE.test(req.params.file)) throw notFound();
    const read = (name: string) => readFile(join(dir, name)).catch(() => null);
    // A few ZWJ sequences are stored without their U+FE0F (👁️‍🗨️ is 1f441-200d-1f5e8.svg).
    const data = (await read(req.params.file)) ?? (await read(req.params.file.replace(/-fe0f/g, '')));
    if (!data) throw notFound();
    reply.header('Cache-Control', 'public, max-age=31536000, immutable');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    return reply.type('image/svg+xml').send(data);
  });
};
