import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';

/**
 * The web client's Content-Security-Policy, sent as a header with its HTML. SvelteKit writes the
 * policy (kit.csp in web/svelte.config.js: inline scripts allowed only by their SHA-256) into a
 * <meta> of index.html; we take it out of the page, so the header is the one policy, and add what
 * only the running server knows: the gateway's ws/wss origin, LiveKit and S3 origins the client is
 * sent to, and `frame-ancestors 'none'` (which a <meta> cannot carry).
 */
export interface WebClientPage {
  /** index.html without its CSP <meta>. */
  html: Buffer;
  /** The header value for a request (its Host gives the gateway's origin). */
  policy(req: FastifyRequest): string;
}

const META = /<meta http-equiv="content-security-policy" content="([^"]*)"\s*\/?>/i;
/** A Host header fit to appear in the policy: a name, IPv4 or [IPv6], optional port. */
const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** ws(s) and http(s) origins the client may connect to besides its own. */
export function extraConnectOrigins(config: Pick<Config, 'voice' | 'files'>): string[] {
  const out = new Set<string>();
  const add = (u: string | undefined) => {
    if (!u) return;
    try {
      const origin = new URL(u).origin;
      if (origin !== 'null') out.add(origin);
    } catch {}
  };
  add(config.voice.publicUrl);
  add(config.voice.url);
  const s3 = config.files.s3;
  // Direct uploads PUT to the bucket's presigned URLs (path style).
  if (s3) add(s3.endpoint ?? `https://s3.${s3.region}.amazonaws.com`);
  return [...out];
}

export function prepareWebClientPage(index: Buffer, connect: string[]): WebClientPage {
  const text = index.toString('utf8');
  const m = META.exec(text);
  const directives = new Map<string, string[]>();
  for (const part of (m?.[1] ?? "default-src 'self'; object-src 'none'; base-uri 'self'").split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  directives.set('frame-ancestors', ["'none'"]);
  const connectSrc = directives.get('connect-src') ?? ["'self'"];
  const html = m ? Buffer.from(text.replace(m[0], '')) : index;
  const render = (extra: string[]) =>
    [...directives]
      .map(([name, values]) => `${name} ${(name === 'connect-src' ? [...connectSrc, ...extra, ...connect] : values).join(' ')}`)
      .join('; ');
  return {
    html,
    policy(req) {
      // 'self' covers ws/wss in current browsers; naming them keeps older WebKit working too.
      const host = req.headers.host;
      return render(host && HOST.test(host) ? [`ws://${host}`, `wss://${host}`] : []);
    },
  };
}
