/**
 * Markdown in the report, rendered by the libraries and rules the app's screens
 * use (renderer/features/notes/markdownOptions.ts; main may not import the
 * renderer, so the rules are restated here and the report tests check them):
 * raw HTML stays literal text, the tree is sanitized with GitHub's schema,
 * links are text with their address, images never load (a printed report
 * fetches nothing). Written without JSX: main's tsconfig has no JSX.
 */
import { createElement, type ReactElement, type ReactNode } from 'react';
import Markdown, { defaultUrlTransform, type Components } from 'react-markdown';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';

type MdNode = { type: string; children?: MdNode[] };

/** `<script>` quoted in a finding is shown as the text it is, never parsed. */
function remarkHtmlAsText() {
  const walk = (node: MdNode): void => {
    for (const child of node.children ?? []) {
      if (child.type === 'html') child.type = 'text';
      else walk(child);
    }
  };
  return (tree: MdNode) => walk(tree);
}

function textOf(node: ReactNode): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  return '';
}

const components: Components = {
  a({ href, children }) {
    const url = typeof href === 'string' ? href : '';
    if (url.startsWith('#')) return createElement('span', { className: 'md-link' }, children);
    // On paper the address is the only useful part of a link; it stays text, never an anchor.
    const showUrl = url !== '' && url !== textOf(children);
    return createElement('span', { className: 'md-link' }, children, showUrl ? createElement('span', { className: 'md-link-url' }, ` <${url}>`) : null);
  },
  img({ alt }) {
    return createElement('span', { className: 'md-image' }, `[${alt ? `Image not shown: ${alt}` : 'Image not shown'}]`);
  },
};

/** A block of the author's Markdown, safe to embed in the report. */
export function markdownBlock(text: string): ReactElement {
  return createElement(
    'div',
    { className: 'md' },
    createElement(Markdown, {
      remarkPlugins: [remarkGfm, remarkHtmlAsText],
      rehypePlugins: [[rehypeSanitize, defaultSchema]],
      components,
      urlTransform: defaultUrlTransform,
      children: text,
    }),
  );
}
