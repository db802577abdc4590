import { constants as zlib } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/**
 * Types compressed per response: JSON and the client's text assets. Not text/plain or
 * octet-stream (file downloads, which serve byte ranges), not images/media (already compressed),
 * not event streams.
 */
const COMPRESSIBLE = /^(application\/(json|javascript|manifest\+json)|text\/(html|css|javascript))(;|$)/;

/**
 * Responses above ~1 KB in brotli or gzip when the client accepts it. Registered after every
 * hook that reads string payloads (URL rewriting, link previews), since it turns them into streams.
 * The web client's files are precompressed at build time and served as they are (http/web.ts).
 */
export async function installCompression(app: FastifyInstance) {
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    customTypes: COMPRESSIBLE,
    // Fast levels: a response is compressed on every request; the static assets already are, at the best level.
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  });
}
