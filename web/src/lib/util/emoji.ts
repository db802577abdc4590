/**
 * Unicode emoji data (unicode-emoji-json), loaded on first use so it stays out of the first-load
 * bundle. Shortcodes are the package's slugs (`:thumbs_up:`).
 */
export interface Emoji {
  char: string;
  name: string;
  slug: string;
  group: string;
}

let loading: Promise<Emoji[]> | null = null;

export function loadEmoji(): Promise<Emoji[]> {
  loading ??= import('unicode-emoji-json/data-by-emoji.json').then((mod) => {
    const data = (mod.default ?? mod) as Record<string, { name: string; slug: string; group: string }>;
    return Object.entries(data).map(([char, e]) => ({ char, name: e.name, slug: e.slug, group: e.group }));
  });
  return loading;
}

export function searchEmoji(all: Emoji[], q: string, limit = 60): Emoji[] {
  const s = q.toLowerCase().replace(/^:|:$/g, '');
  if (!s) return all.slice(0, limit);
  const starts = all.filter((e) => e.slug.startsWith(s));
  const has = all.filter((e) => !e.slug.startsWith(s) && (e.slug.includes(s) || e.name.includes(s)));
  return [...starts, ...has].slice(0, limit);
}
