/**
 * Standard emoji drawn as Twemoji SVGs served by our own server (`/twemoji/{codepoints}.svg`),
 * so they show on systems without a colour emoji font (stock Debian Chromium shows boxes).
 */

/** Twemoji's file naming: hex code points joined by `-`; U+FE0F dropped unless the sequence has a ZWJ. */
export function twemojiUrl(char: string): string {
  const s = char.includes('\u200d') ? char : char.replace(/\ufe0f/g, '');
  return `/twemoji/${[...s].map((c) => c.codePointAt(0)?.toString(16)).join('-')}.svg`;
}

/** One RGI emoji (keycaps, flags, ZWJ sequences, skin tones). Built at run time: `v` regexes are newer than our build target. */
function emojiRegex(): RegExp {
  try {
    // biome-ignore lint/complexity/useRegexLiterals: a literal with the v flag would not build for our target
    return new RegExp('\\p{RGI_Emoji}', 'gv');
  } catch {
    return /(?:\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?(?:\u200D\p{Extended_Pictographic}\uFE0F?\p{Emoji_Modifier}?)*)/gu;
  }
}
const EMOJI = emojiRegex();

export type EmojiPart = { emoji: false; v: string } | { emoji: true; v: string };

/** Text split into plain runs and single emoji; plain text without emoji comes back as one part. */
export function splitEmoji(text: string): EmojiPart[] {
  const out: EmojiPart[] = [];
  let at = 0;
  EMOJI.lastIndex = 0;
  for (let m = EMOJI.exec(text); m; m = EMOJI.exec(text)) {
    if (m.index > at) out.push({ emoji: false, v: text.slice(at, m.index) });
    out.push({ emoji: true, v: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ emoji: false, v: text.slice(at) });
  return out;
}

/** True when the text is 1–27 emoji and whitespace only (Discord shows those large). */
export function onlyEmoji(text: string): boolean {
  const parts = splitEmoji(text);
  let n = 0;
  for (const p of parts) {
    if (p.emoji) n++;
    else if (p.v.trim()) return false;
  }
  return n > 0 && n <= 27;
}

/** A missing image (an emoji newer than our Twemoji set) falls back to the character itself. */
export function emojiFallback(e: Event) {
  const img = e.currentTarget as HTMLImageElement;
  img.hidden = true;
  img.after(img.alt);
}
