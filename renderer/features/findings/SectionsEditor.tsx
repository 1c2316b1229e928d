import { useRef, useState } from 'react';
import type { Finding, FindingChanges } from '../../../shared/domain/finding';
import { MarkdownEditor } from '../notes/MarkdownEditor';
import { MarkdownView } from '../notes/MarkdownView';
import { SaveStatus } from '../notes/SaveStatus';
import { useAutosave } from '../notes/useAutosave';
import { SECTIONS, type SectionKey } from './bits';

type Texts = Record<SectionKey, string>;

function textsOf(f: Finding): Texts {
  return { description: f.description, reproduction: f.reproduction, impact: f.impact, remediation: f.remediation };
}

/**
 * The four Markdown sections, each in its own editor, saved together as the
 * person types (only the sections that changed are sent). A preview per
 * section shows the Markdown as it will read.
 */
export function SectionsEditor({ finding, save }: { finding: Finding; save: (changes: FindingChanges) => Promise<Finding> }) {
  const texts = useRef<Texts>(textsOf(finding));
  const saved = useRef<Texts>(textsOf(finding));
  const [previews, setPreviews] = useState<Partial<Record<SectionKey, string>>>({});
  const { saver, state } = useAutosave<Texts>(async (next) => {
    const changes: FindingChanges = {};
    for (const { key } of SECTIONS) if (next[key] !== saved.current[key]) changes[key] = next[key];
    if (Object.keys(changes).length === 0) return;
    await save(changes);
    saved.current = { ...saved.current, ...changes };
  });

  function change(key: SectionKey, text: string) {
    texts.current = { ...texts.current, [key]: text };
    saver.change(texts.current);
    setPreviews((p) => (key in p ? { ...p, [key]: text } : p));
  }

  function togglePreview(key: SectionKey) {
    setPreviews((p) => {
      if (key in p) {
        const { [key]: _gone, ...rest } = p;
        return rest;
      }
      return { ...p, [key]: texts.current[key] };
    });
  }

  return (
    <section className="finding-sections" aria-labelledby="writeup-title">
      <div className="notes-panel-head">
        <h2 id="writeup-title" className="section-title">
          Write-up
        </h2>
        <SaveStatus state={state} id="writeup-status" />
      </div>
      {SECTIONS.map(({ key, label }) => {
        const preview = previews[key];
        return (
          <div key={key} className="finding-section">
            <div className="finding-section-head">
              <h3 id={`section-${key}`}>{label}</h3>
              <button type="button" className="button button--ghost button--small" aria-pressed={preview !== undefined} onClick={() => togglePreview(key)}>
                Preview<span className="visually-hidden"> {label}</span>
              </button>
            </div>
            <MarkdownEditor
              label={label}
              initial={finding[key]}
              onChange={(text) => change(key, text)}
              onBlur={() => void saver.flush()}
              placeholder={`${label} in Markdown…`}
              testId={`section-${key}`}
            />
            {preview !== undefined && (
              <div className="markdown-preview" aria-label={`${label} preview`} role="region">
                <MarkdownView text={preview} />
              </div>
            )}
          </div>
        );
      })}
    </section>
  );
}
