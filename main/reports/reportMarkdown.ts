/**
 * Markdown in the report, rendered by the rules every screen uses
 * (shared/markdown.ts): raw HTML stays literal text, the tree is sanitized with
 * GitHub's schema, links are text with their address, images never load (a
 * printed report fetches nothing). Written without JSX: main's tsconfig has no JSX.
 */
import { createElement, type ReactElement } from 'react';
import Markdown from 'react-markdown';
import { printMarkdownOptions } from '../../shared/markdown';

/** A block of the author's Markdown, safe to embed in the report. */
export function markdownBlock(text: string): ReactElement {
  return createElement('div', { className: 'md' }, createElement(Markdown, { ...printMarkdownOptions, children: text }));
}
