import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { markdown } from '@codemirror/lang-markdown';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorSelection, EditorState, type StateCommand } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderText } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { useEffect, useLayoutEffect, useRef } from 'react';

/** Wraps each selection in `mark` (or inserts a pair and puts the cursor between): Mod-B bold, Mod-I italic. */
function wrapWith(mark: string): StateCommand {
  return ({ state, dispatch }) => {
    dispatch(
      state.update(
        state.changeByRange((range) => ({
          changes: [
            { from: range.from, insert: mark },
            { from: range.to, insert: mark },
          ],
          range: EditorSelection.range(range.from + mark.length, range.to + mark.length),
        })),
        { scrollIntoView: true, userEvent: 'input' },
      ),
    );
    return true;
  };
}

/**
 * The editor's look, from the app's CSS variables (they inherit into the
 * shadow root below, so light and dark themes both apply).
 */
const theme = EditorView.theme({
  '&': { color: 'var(--text)', backgroundColor: 'var(--surface)', minHeight: '96px', maxHeight: '520px', borderRadius: '6px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace",
    fontSize: '0.9rem',
    lineHeight: '1.55',
  },
  '.cm-content': { padding: '8px 10px', caretColor: 'var(--text)', minHeight: '96px' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': { background: 'var(--current-bg)' },
});

const highlight = HighlightStyle.define([
  { tag: tags.heading, fontWeight: '700' },
  { tag: tags.strong, fontWeight: '700' },
  { tag: tags.emphasis, fontStyle: 'italic' },
  { tag: tags.strikethrough, textDecoration: 'line-through' },
  { tag: [tags.link, tags.url], color: 'var(--accent)' },
  { tag: tags.monospace, color: 'var(--text)', backgroundColor: 'var(--surface-2)' },
  { tag: [tags.processingInstruction, tags.meta, tags.contentSeparator], color: 'var(--muted)' },
  { tag: tags.quote, color: 'var(--muted)' },
]);

export type MarkdownEditorProps = {
  /** The editor's accessible name (a label outside the shadow root cannot be referenced by id). */
  label: string;
  initial: string;
  onChange: (text: string) => void;
  onBlur?: () => void;
  placeholder?: string;
  /** Focus the editor when it appears (a note just opened for writing). */
  autoFocus?: boolean;
  testId?: string;
};

/**
 * A CodeMirror 6 editor for Markdown: undo history, line wrapping, Markdown
 * list continuation, Mod-B / Mod-I. Tab is left to move focus (keyboard
 * users must be able to leave the editor). The text is the editor's own; the
 * parent hears every change and never pushes text back in.
 *
 * It lives in a shadow root because of the Content-Security-Policy: in the
 * document, CodeMirror injects its styles as a <style> element, which
 * `style-src 'self'` refuses; in a shadow root it adopts constructed style
 * sheets instead, which the policy allows. No 'unsafe-inline' is needed.
 */
export function MarkdownEditor({ label, initial, onChange, onBlur, placeholder, autoFocus, testId }: MarkdownEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const handlers = useRef({ onChange, onBlur });
  useLayoutEffect(() => {
    handlers.current = { onChange, onBlur };
  });
  // The first text only: later renders must not reset what is being typed.
  const firstText = useRef(initial);

  useEffect(() => {
    if (!host.current) return;
    const root = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    const contentAttributes: Record<string, string> = { 'aria-label': label, 'aria-multiline': 'true', role: 'textbox' };
    if (testId) contentAttributes['data-testid'] = testId;
    const view = new EditorView({
      root,
      parent: root,
      state: EditorState.create({
        doc: firstText.current,
        extensions: [
          history(),
          keymap.of([{ key: 'Mod-b', run: wrapWith('**') }, { key: 'Mod-i', run: wrapWith('_') }, ...defaultKeymap, ...historyKeymap]),
          markdown(),
          theme,
          syntaxHighlighting(highlight),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of(contentAttributes),
          placeholderText(placeholder ?? ''),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) handlers.current.onChange(update.state.doc.toString());
          }),
          EditorView.domEventHandlers({
            blur: () => {
              handlers.current.onBlur?.();
              return false;
            },
          }),
        ],
      }),
    });
    if (autoFocus) view.focus();
    return () => view.destroy();
  }, [label, placeholder, autoFocus, testId]);

  return <div ref={host} className="md-editor" />;
}
