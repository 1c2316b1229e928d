/**
 * How Markdown becomes React elements, everywhere the app shows a note or a
 * finding's sections (DESIGN.md: "the app never runs a script from a Markdown
 * note"). Written without JSX so the unit tests render it in plain Node.
 *
 * - Raw HTML is never parsed (there is no rehype-raw): it reads as the literal
 *   text it is, which is what an evaluator quoting a model's output wants. The
 *   tree is sanitized with GitHub's schema (rehype-sanitize) anyway, so no
 *   element, attribute or URL that can run script reaches the DOM.
 * - Links are shown as text with their address, never as live anchors: a click
 *   must not navigate the app window away (and the machine is offline).
 * - Images never load: a remote URL would be a network request (the CSP blocks
 *   it too) and a data: URL could be anything. They are shown as their alt text.
 */
import { createElement, type ReactNode } from 'react';
import { defaultUrlTransform, type Components, type Options } from 'react-markdown';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';

type MdNode = { type: string; value?: string; children?: MdNode[] };

/**
 * Raw HTML in Markdown becomes plain text before anything renders it: a
 * finding about cross-site scripting quotes `<script>` tags and must show
 * them, never run them (and never lose them, as dropping them would).
 */
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

/** On screen a link's address and an image's source show on hover; on paper (the report) they are left out. */
function components(hoverTitles: boolean): Components {
  const title = (text: unknown) => (hoverTitles && typeof text === 'string' && text !== '' ? text : undefined);
  return {
    a({ href, children }) {
      const url = typeof href === 'string' ? href : '';
      // Footnote references point within the text: their number is enough.
      if (url.startsWith('#')) return createElement('span', { className: 'md-link md-link--internal' }, children);
      const showUrl = url !== '' && url !== textOf(children);
      return createElement('span', { className: 'md-link', title: title(url) }, children, showUrl ? createElement('span', { className: 'md-link-url' }, ` <${url}>`) : null);
    },
    img({ alt, src }) {
      const label = alt ? `Image not shown: ${alt}` : 'Image not shown';
      return createElement('span', { className: 'md-image', title: title(src) }, `[${label}]`);
    },
  };
}

const options = (hoverTitles: boolean): Readonly<Options> => ({
  remarkPlugins: [remarkGfm, remarkHtmlAsText],
  rehypePlugins: [[rehypeSanitize, defaultSchema]],
  components: components(hoverTitles),
  // Removes javascript:, vbscript:, data: … from any URL that is left (titles of links and images).
  urlTransform: defaultUrlTransform,
});

/** The screens' Markdown. */
export const markdownOptions: Readonly<Options> = options(true);
/** The report's Markdown: the same rules, and no image source in it at all (a printed page fetches and names nothing it need not). */
export const printMarkdownOptions: Readonly<Options> = options(false);
