import type { FastifyInstance } from 'fastify';

/**
 * Headers on every response unless a route set its own: no MIME sniffing, no referrer leaving the
 * app (invite and channel URLs are private), no framing of any page (clickjacking), and API answers
 * (tokens, messages) never stored by a browser or proxy cache.
 */
export function installSecurityHeaders(app: FastifyInstance) {
  app.addHook('onSend', async (req, reply, payload) => {
    if (!reply.hasHeader('x-content-type-options')) reply.header('X-Content-Type-Options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('Referrer-Policy', 'no-referrer');
    // Attachments send a stricter sandboxing policy of their own; keep it.
    if (!reply.hasHeader('content-security-policy'))
      reply.header('Content-Security-Policy', "frame-ancestors 'none'; base-uri 'self'; object-src 'none'");
    if (!reply.hasHeader('x-frame-options')) reply.header('X-Frame-Options', 'DENY');
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
