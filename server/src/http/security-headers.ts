import type { FastifyInstance } from 'fastify';
import type { WebClientPage } from './csp.js';

/**
 * Headers on every response unless a route set its own: no MIME sniffing, no referrer leaving the
 * app (invite and channel URLs are private), no framing of any page (clickjacking), and API answers
 * (tokens, messages) never stored by a browser or proxy cache.
 */
export function installSecurityHeaders(app: FastifyInstance, webPage: () => WebClientPage | undefined = () => undefined) {
  app.addHook('onSend', async (req, reply, payload) => {
    // The web client's page: its script-restricting policy (http/csp.ts).
    const page = webPage();
    if (page && payload === page.html) reply.header('Content-Security-Policy', page.policy(req));
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

/**
 * CORS, answered on purpose: browsers on another origin may call the API only from `CORS_ORIGINS`
 * (none by default; the web client is same-origin). A preflight gets 204 either way, with the
 * allow headers only for a listed origin. Bots and native clients send no Origin and are unaffected.
 */
export function installCors(app: FastifyInstance, origins: string[]) {
  const allowed = new Set(origins);
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !req.url.startsWith('/api/')) return;
    reply.header('Vary', 'Origin');
    const ok = allowed.has(origin);
    if (ok) reply.header('Access-Control-Allow-Origin', origin);
    if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return;
    if (ok) {
      reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Audit-Log-Reason');
      reply.header('Access-Control-Max-Age', '600');
    }
    return reply.code(204).send();
  });
}
