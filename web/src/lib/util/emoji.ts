/**
 * Unicode emoji data (unicode-emoji-json), loaded on first use so it stays out of the first-load
 * bundle. Shortcodes are the package's slugs (`:thumbs_up:`). Emoji newer than our Twemoji set
 * (Emoji 16.0) are left out: they would show as boxes.
 */
export interface Emoji {
  char: string;
  name: string;
  slug: string;
  group: string;
  /** Takes a skin tone modifier. */
  tones: boolean;
}

const TWEMOJI_VERSION = 16;
let loading: Promise<Emoji[]> | null = null;

export function loadEmoji(): Promise<Emoji[]> {
  loading ??= import('unicode-emoji-json/data-by-emoji.json').then((mod) => {
    const data = (mod.default ?? mod) as Record<
      string,
      { name: string; slug: string; group: string; emoji_version: string; skin_tone_support: boolean }
    >;
    return Object.entries(data)
      .filter(([, e]) => Number.parseFloat(e.emoji_version) <= TWEMOJI_VERSION)
      .map(([char, e]) => ({ char, name: e.name, slug: e.slug, group: e.group, tones: e.skin_tone_support }));
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

/** Fitzpatrick modifiers 🏻…🏿; index 0 is the default yellow. */
export const SKIN_TONES = ['', '\u{1f3fb}', '\u{1f3fc}', '\u{1f3fd}', '\u{1f3fe}', '\u{1f3ff}'] as const;
/** Groups where Twemoji has no toned images although Unicode allows tones (people with bunny ears, wrestlers). */
const NO_TONES = /^[\u{1f46f}\u{1f93c}]/u;

/** The emoji in a skin tone: the modifier follows each person in it (a handshake between two keeps its 🤝 plain). */
export function withTone(e: Emoji, tone: number): string {
  const mod = SKIN_TONES[tone];
  if (!mod || !e.tones || NO_TONES.test(e.char)) return e.char;
  const bases = e.char.match(/\p{Emoji_Modifier_Base}/gu) ?? [];
  return e.char.replace(/(\p{Emoji_Modifier_Base})\ufe0f?/gu, (m, base: string) =>
    base === '\u{1f91d}' && bases.length > 1 ? m : base + mod,
  );
}

/** A picked emoji: a standard character, or one of the server's own. */
export type PickedEmoji = { char: string } | { id: string; name: string; animated: boolean };

const RECENT_KEY = 'retrocast.emoji.recent';

/** Recently used emoji, newest first (standard characters and custom `name:id`). */
export function recentEmoji(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((x) => typeof x === 'string').slice(0, 24) : [];
  } catch {
    return [];
  }
}

export function rememberEmoji(p: PickedEmoji) {
  const key = 'char' in p ? p.char : `${p.animated ? 'a:' : ''}${p.name}:${p.id}`;
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify([key, ...recentEmoji().filter((k) => k !== key)].slice(0, 24)));
  } catch {
    /* private mode: no recents */
  }
}

/** A recents entry back to what was picked. */
export function parseRecent(key: string): PickedEmoji {
  const m = /^(a:)?(\w{2,32}):(\d{1,20})$/.exec(key);
  return m ? { id: m[3], name: m[2], animated: Boolean(m[1]) } : { char: key };
}
