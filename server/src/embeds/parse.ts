import { Parser } from 'htmlparser2';

export interface PageMeta {
  meta: Map<string, string>;
  title?: string;
  oembed?: string;
}

/** OpenGraph / Twitter card / plain meta tags, <title> and the oEmbed discovery link of a page's HTML. */
export function parsePage(html: string): PageMeta {
  const out: PageMeta = { meta: new Map() };
  let inTitle = false;
  let title = '';
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'meta') {
          const key = (attrs.property ?? attrs.name ?? '').toLowerCase();
          if (key && attrs.content !== undefined && !out.meta.has(key)) out.meta.set(key, attrs.content);
        } else if (name === 'title') inTitle = true;
        else if (name === 'link' && (attrs.rel ?? '').toLowerCase().split(/\s+/).includes('alternate') && attrs.type === 'application/json+oembed' && attrs.href) out.oembed ??= attrs.href;
      },
      ontext(text) {
        if (inTitle) title += text;
      },
      onclosetag(name) {
        if (name === 'title') {
          inTitle = false;
          out.title ??= title.trim() || undefined;
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return out;
}
