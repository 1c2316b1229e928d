/**
 * A search snippet arrives as plain text with the matched words between
 * MARK_START and MARK_END (shared/domain/search.ts). It is split here into
 * pieces that React renders as text nodes and <mark> elements, so nothing in a
 * snippet is ever parsed as HTML.
 */
import { MARK_END, MARK_START } from '../../../shared/domain/search';

export type SnippetPiece = { text: string; marked: boolean };

export function snippetPieces(snippet: string): SnippetPiece[] {
  const pieces: SnippetPiece[] = [];
  let marked = false;
  let text = '';
  const push = () => {
    if (text !== '') pieces.push({ text, marked });
    text = '';
  };
  for (const ch of snippet) {
    if (ch === MARK_START || ch === MARK_END) {
      push();
      marked = ch === MARK_START;
    } else {
      text += ch;
    }
  }
  push();
  return pieces;
}
