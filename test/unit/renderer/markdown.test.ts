/**
 * Hostile Markdown stays inert (issue 4: "no raw HTML executes, ever"). Each
 * input is rendered exactly as the app renders notes and findings (the same
 * react-markdown options), and the markup React produces is read element by
 * element: React escapes text, so every "<" that starts a tag here is a real
 * element in the DOM the app would build. The e2e suite checks the same in
 * Chromium's DOM.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import Markdown from 'react-markdown';
import { describe, expect, it } from 'vitest';
import { markdownOptions } from '../../../shared/markdown';

function render(markdown: string): string {
  return renderToStaticMarkup(createElement(Markdown, { ...markdownOptions, children: markdown }));
}

type Element = { tag: string; attributes: { name: string; value: string }[] };

/** Every start tag in React's static markup with its attributes (React always quotes values with "). */
function elements(html: string): Element[] {
  const found: Element[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attributes = [...(m[2] ?? '').matchAll(/([^\s=>/]+)(?:="([^"]*)")?/g)].map((a) => ({
      name: (a[1] ?? '').toLowerCase(),
      value: (a[2] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"'),
    }));
    found.push({ tag: (m[1] ?? '').toLowerCase(), attributes });
  }
  return found;
}

const ACTIVE_TAGS = new Set(['script', 'iframe', 'frame', 'object', 'embed', 'style', 'link', 'meta', 'base', 'form', 'input', 'button', 'svg', 'math', 'img', 'video', 'audio', 'source', 'template']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'poster', 'background']);

/** What must never reach the DOM: a script-capable element, an event handler, a script URL, any live link or image. */
function dangers(html: string): string[] {
  const problems: string[] = [];
  for (const el of elements(html)) {
    if (ACTIVE_TAGS.has(el.tag)) problems.push(`<${el.tag}> element`);
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) problems.push(`${a.name} attribute on <${el.tag}>`);
      if (a.name === 'style') problems.push(`style attribute on <${el.tag}>`);
      if (URL_ATTRIBUTES.has(a.name)) problems.push(`${a.name}="${a.value}" on <${el.tag}>`);
      if (/^\s*(javascript|vbscript|data):/i.test(a.value)) problems.push(`script URL in ${a.name} on <${el.tag}>`);
    }
  }
  return problems;
}

const HOSTILE: [string, string][] = [
  ['a script tag', '<script>alert(1)</script>\n\nText after.'],
  ['an inline script in a paragraph', 'Hello <script>alert(document.cookie)</script> world'],
  ['an image with onerror', '<img src=x onerror="alert(1)">'],
  ['an svg with onload', '<svg onload=alert(1)><circle r=10 /></svg>'],
  ['an iframe', '<iframe src="https://example.invalid/"></iframe>'],
  ['a raw anchor with a javascript: href', '<a href="javascript:alert(1)">click me</a>'],
  ['a Markdown link to javascript:', '[click me](javascript:alert(1))'],
  ['a mixed-case javascript: link', '[click me](JaVaScRiPt:alert(1))'],
  ['an entity-encoded javascript: link', '[click me](&#106;avascript:alert(1))'],
  ['a javascript: autolink', '<javascript:alert(1)>'],
  ['a reference link to javascript:', '[click me][x]\n\n[x]: javascript:alert(1)'],
  ['a data: URL link', '[open](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['a data: URL image', '![pixel](data:image/png;base64,iVBORw0KGgo=)'],
  ['a remote image', '![tracking pixel](https://tracker.example.invalid/p.png)'],
  ['a style element', '<style>body { display: none }</style>'],
  ['a form', '<form action="https://example.invalid/"><input name=q><button>Go</button></form>'],
  ['an object and embed', '<object data="x.swf"></object><embed src="x.swf">'],
  ['a meta refresh', '<meta http-equiv="refresh" content="0;url=https://example.invalid/">'],
  ['a details element with ontoggle', '<details open ontoggle=alert(1)><summary>x</summary></details>'],
  ['a table cell with an event handler', '| a |\n|---|\n| <b onmouseover=alert(1)>x</b> |'],
  ['a footnote pointing nowhere good', 'Text[^1]\n\n[^1]: [see](javascript:alert(1))'],
];

describe('hostile Markdown renders inert', () => {
  it.each(HOSTILE)('%s', (_name, markdown) => {
    const html = render(markdown);
    expect(dangers(html)).toEqual([]);
  });

  it('shows raw HTML as the literal text it is, never as markup', () => {
    const html = render('The model wrote <script>alert(1)</script> into the page');
    expect(html).toContain('The model wrote &lt;script&gt;alert(1)&lt;/script&gt; into the page');
    expect(html).not.toMatch(/<script/i);
    expect(elements(html).map((e) => e.tag)).toEqual(['p']);
  });

  it('shows a link as its text and address, not as a live anchor', () => {
    const html = render('See [the report](https://example.invalid/report) and [this](javascript:alert(1)).');
    expect(elements(html).some((e) => e.tag === 'a')).toBe(false);
    expect(html).toContain('the report');
    expect(html).toContain('https://example.invalid/report');
    expect(html).not.toMatch(/javascript:/i);
  });

  it('names an image by its alt text instead of loading it', () => {
    const html = render('![screenshot of the exploit](https://example.invalid/x.png)');
    expect(elements(html).some((e) => e.tag === 'img')).toBe(false);
    expect(html).toContain('Image not shown: screenshot of the exploit');
  });

  it('still renders ordinary Markdown and GitHub tables, lists and code', () => {
    const html = render('# Steps\n\n1. **Log in** as _admin_\n2. Run `id`\n\n| CWE | Name |\n|---|---|\n| CWE-78 | OS Command Injection |\n\n~~old~~');
    const tags = elements(html).map((e) => e.tag);
    for (const tag of ['h1', 'ol', 'li', 'strong', 'em', 'code', 'table', 'th', 'td', 'del']) expect(tags).toContain(tag);
    expect(html).toContain('OS Command Injection');
    expect(dangers(html)).toEqual([]);
  });

  it('lets the checker itself see danger (it is not vacuous)', () => {
    expect(dangers('<p onclick="x()">a</p><a href="javascript:x()">b</a><script></script>')).toEqual([
      'onclick attribute on <p>',
      'href="javascript:x()" on <a>',
      'script URL in href on <a>',
      '<script> element',
    ]);
  });
});
