import Markdown from 'react-markdown';
import { markdownOptions } from '../../../shared/markdown';

/** Markdown shown safely (see markdownOptions): no raw HTML, no scripts, no live links, no images loaded. */
export function MarkdownView({ text, empty }: { text: string; empty?: string }) {
  if (text.trim() === '') return <p className="muted">{empty ?? 'Nothing written yet.'}</p>;
  return (
    <div className="markdown">
      <Markdown {...markdownOptions}>{text}</Markdown>
    </div>
  );
}
