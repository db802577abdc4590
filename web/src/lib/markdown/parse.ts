/**
 * Discord-flavoured markdown → a small token tree. Rendering walks the tree and creates text
 * nodes only, so user content can never become HTML. Covers: **bold**, *italic* / _italic_,
 * __underline__, ~~strike~~, `code`, ```lang code blocks```, ||spoilers||, > and >>> quotes,
 * autolinks, <@user>, <@&role>, <#channel>, @everyone / @here, and backslash escapes.
 */
export type MdNode =
  | { t: 'text'; v: string }
  | { t: 'br' }
  | { t: 'b' | 'i' | 'u' | 's' | 'spoiler' | 'quote'; c: MdNode[] }
  | { t: 'code'; v: string }
  | { t: 'pre'; lang: string; v: string }
  | { t: 'link'; href: string }
  | { t: 'user' | 'role' | 'channel'; id: string }
  | { t: 'everyone'; v: '@everyone' | '@here' }
  | { t: 'emoji'; id: string; name: string; animated: boolean };

type Rule = [RegExp, (m: RegExpExecArray) => MdNode];

const wrap =
  (t: 'b' | 'i' | 'u' | 's' | 'spoiler') =>
  (m: RegExpExecArray): MdNode => ({ t, c: parseInline(m[1]) });

/** Order matters: longer delimiters first (** before *, __ before _). */
const RULES: Rule[] = [
  [/^\\([^\w\s])/, (m) => ({ t: 'text', v: m[1] })],
  [/^(`+)([\s\S]*?[^`])\1(?!`)/, (m) => ({ t: 'code', v: m[2].trim() || m[2] })],
  [/^\|\|([\s\S]+?)\|\|/, wrap('spoiler')],
  [/^\*\*([\s\S]+?)\*\*(?!\*)/, wrap('b')],
  [/^__([\s\S]+?)__(?!_)/, wrap('u')],
  [/^\*(?=\S)([\s\S]*?\S)\*(?!\*)/, wrap('i')],
  [/^_(?=\S)([\s\S]*?\S)_(?![_a-zA-Z0-9])/, wrap('i')],
  [/^~~([\s\S]+?)~~/, wrap('s')],
  [/^<(https?:\/\/[^\s>]+)>/, (m) => ({ t: 'link', href: m[1] })],
  [/^https?:\/\/[^\s<]*[^\s<.,:;"')\]!?]/, (m) => ({ t: 'link', href: m[0] })],
  [/^<@!?(\d{1,20})>/, (m) => ({ t: 'user', id: m[1] })],
  [/^<@&(\d{1,20})>/, (m) => ({ t: 'role', id: m[1] })],
  [/^<#(\d{1,20})>/, (m) => ({ t: 'channel', id: m[1] })],
  [/^<(a?):(\w{2,32}):(\d{1,20})>/, (m) => ({ t: 'emoji', animated: m[1] === 'a', name: m[2], id: m[3] })],
  [/^@(everyone|here)\b/, (m) => ({ t: 'everyone', v: m[0] as '@everyone' | '@here' })],
  [/^\n/, () => ({ t: 'br' })],
];
const TEXT = /^[\s\S]+?(?=[\\`|*_~<@\n]|https?:\/\/|$)/;

/** Appends, joining adjacent text so escapes do not split words. */
function push(out: MdNode[], n: MdNode) {
  const last = out[out.length - 1];
  if (n.t === 'text' && last?.t === 'text') out[out.length - 1] = { t: 'text', v: last.v + n.v };
  else out.push(n);
}

export function parseInline(src: string): MdNode[] {
  const out: MdNode[] = [];
  let rest = src;
  outer: while (rest) {
    for (const [re, make] of RULES) {
      const m = re.exec(rest);
      if (m) {
        push(out, make(m));
        rest = rest.slice(m[0].length);
        continue outer;
      }
    }
    const m = TEXT.exec(rest);
    const v = m ? m[0] : rest[0];
    push(out, { t: 'text', v });
    rest = rest.slice(v.length);
  }
  return out;
}

/** Quotes: a `>>> ` line quotes the rest; `> ` lines quote themselves. */
function parseQuotes(src: string): MdNode[] {
  const out: MdNode[] = [];
  const lines = src.split('\n');
  let plain: string[] = [];
  let quoted: string[] = [];
  const flush = () => {
    if (quoted.length) out.push({ t: 'quote', c: parseInline(quoted.join('\n')) });
    quoted = [];
    if (plain.length) out.push(...parseInline(plain.join('\n')));
    plain = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('>>> ')) {
      if (quoted.length) flush();
      else if (plain.length) flush();
      out.push({ t: 'quote', c: parseInline([line.slice(4), ...lines.slice(i + 1)].join('\n')) });
      return out;
    }
    const q = /^> ?(.*)$/.exec(line);
    if (q && line.startsWith('> ')) {
      if (plain.length) {
        out.push(...parseInline(`${plain.join('\n')}\n`));
        plain = [];
      }
      quoted.push(q[1]);
    } else {
      if (quoted.length) {
        out.push({ t: 'quote', c: parseInline(quoted.join('\n')) });
        quoted = [];
      }
      plain.push(line);
    }
  }
  flush();
  return out;
}

export function parseMarkdown(src: string): MdNode[] {
  const out: MdNode[] = [];
  const fence = /```(?:([\w+#.-]{1,20})\n)?\n?([\s\S]*?)```/g;
  let at = 0;
  for (let m = fence.exec(src); m; m = fence.exec(src)) {
    if (m.index > at) out.push(...parseQuotes(src.slice(at, m.index).replace(/\n$/, '')));
    out.push({ t: 'pre', lang: m[1] ?? '', v: m[2].replace(/\n$/, '') });
    at = m.index + m[0].length;
    if (src[at] === '\n') at++;
  }
  if (at < src.length) out.push(...parseQuotes(src.slice(at)));
  return out;
}

/** Ids of users mentioned via <@id>, for highlighting. */
export function mentionsUser(nodes: MdNode[], id: string): boolean {
  return nodes.some((n) => (n.t === 'user' && n.id === id) || ('c' in n && mentionsUser(n.c, id)));
}
