import { describe, expect, it } from 'vitest';
import { parseMarkdown } from './parse';

describe('parseMarkdown', () => {
  it('parses nested emphasis, underline, strike and spoilers', () => {
    expect(parseMarkdown('**bold _it_** __u__ ~~s~~ ||sp||')).toEqual([
      {
        t: 'b',
        c: [
          { t: 'text', v: 'bold ' },
          { t: 'i', c: [{ t: 'text', v: 'it' }] },
        ],
      },
      { t: 'text', v: ' ' },
      { t: 'u', c: [{ t: 'text', v: 'u' }] },
      { t: 'text', v: ' ' },
      { t: 's', c: [{ t: 'text', v: 's' }] },
      { t: 'text', v: ' ' },
      { t: 'spoiler', c: [{ t: 'text', v: 'sp' }] },
    ]);
  });

  it('keeps HTML as plain text', () => {
    expect(parseMarkdown('<img src=x onerror=alert(1)>')).toEqual([{ t: 'text', v: '<img src=x onerror=alert(1)>' }]);
  });

  it('does not parse markdown inside inline code or code blocks', () => {
    expect(parseMarkdown('`**x**`')).toEqual([{ t: 'code', v: '**x**' }]);
    expect(parseMarkdown('```js\nconst a = **b**;\n```')).toEqual([{ t: 'pre', lang: 'js', v: 'const a = **b**;' }]);
  });

  it('parses mentions, channels, everyone and autolinks without trailing punctuation', () => {
    expect(parseMarkdown('hi <@12> <@&34> <#56> @here see https://a.example/x.')).toEqual([
      { t: 'text', v: 'hi ' },
      { t: 'user', id: '12' },
      { t: 'text', v: ' ' },
      { t: 'role', id: '34' },
      { t: 'text', v: ' ' },
      { t: 'channel', id: '56' },
      { t: 'text', v: ' ' },
      { t: 'everyone', v: '@here' },
      { t: 'text', v: ' see ' },
      { t: 'link', href: 'https://a.example/x' },
      { t: 'text', v: '.' },
    ]);
  });

  it('groups quote lines and honours escapes', () => {
    expect(parseMarkdown('> a\n> b\nc \\*d\\*')).toEqual([
      { t: 'quote', c: [{ t: 'text', v: 'a' }, { t: 'br' }, { t: 'text', v: 'b' }] },
      { t: 'text', v: 'c *d*' },
    ]);
  });

  it('leaves lone delimiters and snake_case alone', () => {
    expect(parseMarkdown('a * b snake_case_name')).toEqual([{ t: 'text', v: 'a * b snake_case_name' }]);
  });
});
