import { deriveUrlKey, signPath, toQuery } from '../blobs/signing.js';
import { readCapped, type SafeFetcher } from './fetcher.js';

/** Discord's embed object, the subset link previews fill in. */
export interface Embed {
  type: 'link' | 'image' | 'article';
  url: string;
  title?: string;
  description?: string;
  provider?: { name: string };
  thumbnail?: { url: string; proxy_url: string };
}

const HTML_CAP = 512 * 1024;
const OEMBED_CAP = 64 * 1024;
/** Proxy links are stored inside messages, so they live long. */
const PROXY_TTL_SEC = 10 * 365 * 24 * 3600;

/** `/external/proxy?url=…&ex&is&hm`: third-party images are fetched by this server, never by readers. */
export function proxyUrl(secret: Uint8Array, url: string): string {
  const signed = signPath(deriveUrlKey(secret), `external ${url}`, PROXY_TTL_SEC);
  return `/external/proxy?url=${encodeURIComponent(url)}&${toQuery(signed)}`;
}

const clip = (s: string | undefined, n: number) => (s ? s.replace(/\s+/g, ' ').trim().slice(0, n) || undefined : undefined);

function absolute(href: string | undefined, base: URL): string | undefined {
  if (!href) return undefined;
  try {
    const u = new URL(href, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

async function readOembed(fetcher: SafeFetcher, href: string, signal: AbortSignal) {
  const { res } = await fetcher.get(href, 'application/json', signal);
  const body = res.ok ? await readCapped(res, OEMBED_CAP, true) : undefined;
  if (!body) return undefined;
  const data = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const str = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : undefined);
  return { title: str('title'), provider: str('provider_name'), author: str('author_name'), thumbnail: str('thumbnail_url') };
}

/**
 * One URL → its embed, or null when there is nothing to show. OpenGraph first, then Twitter cards,
 * then plain <title>/description, then oEmbed discovery; a direct image link becomes an image embed.
 */
export async function buildEmbed(fetcher: SafeFetcher, secret: Uint8Array, url: string, signal: AbortSignal): Promise<Embed | null> {
  const { res, url: final } = await fetcher.get(url, 'text/html,application/xhtml+xml,image/*;q=0.8', signal);
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('image/')) {
    await res.body?.cancel().catch(() => {});
    return { type: 'image', url, thumbnail: { url, proxy_url: proxyUrl(secret, final.toString()) } };
  }
  if (!type.includes('html')) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  const html = ((await readCapped(res, HTML_CAP)) ?? Buffer.alloc(0)).toString('utf8');
  // The HTML parser (htmlparser2) loads at the first page previewed, not at start.
  const { parsePage } = await import('./parse.js');
  const page = parsePage(html);
  const m = (k: string) => page.meta.get(k);
  let title = m('og:title') ?? m('twitter:title') ?? page.title;
  const description = m('og:description') ?? m('twitter:description') ?? m('description');
  let provider = m('og:site_name');
  let image = absolute(m('og:image') ?? m('og:image:url') ?? m('twitter:image'), final);
  const oembed = absolute(page.oembed, final);
  if (oembed && (!title || !image)) {
    const o = await readOembed(fetcher, oembed, signal).catch(() => undefined);
    title ??= o?.title;
    provider ??= o?.provider;
    image ??= absolute(o?.thumbnail, final);
  }
  if (!title && !description && !image) return null;
  return {
    type: 'link',
    url,
    ...(clip(title, 256) ? { title: clip(title, 256) } : {}),
    ...(clip(description, 350) ? { description: clip(description, 350) } : {}),
    ...(clip(provider, 256) ? { provider: { name: clip(provider, 256) as string } } : {}),
    ...(image ? { thumbnail: { url: image, proxy_url: proxyUrl(secret, image) } } : {}),
  };
}

/**
 * Links in a message that should get a preview: http(s) URLs not wrapped in <…> (Discord's way to
 * suppress one), trailing punctuation trimmed, at most 5, each once.
 */
export function extractLinks(content: string): string[] {
  const out: string[] = [];
  for (const match of content.matchAll(/<?https?:\/\/[^\s<>"]+>?/g)) {
    const raw = match[0];
    if (raw.startsWith('<') && raw.endsWith('>')) continue;
    const url = raw.replace(/^</, '').replace(/>$/, '').replace(/[.,;:!?'")\]]+$/, '');
    try {
      new URL(url);
    } catch {
      continue;
    }
    if (!out.includes(url)) out.push(url);
    if (out.length === 5) break;
  }
  return out;
}
