import { useEffect, useRef, useState } from 'react';
import type { Run, Sample } from '../../../shared/domain/run';
import { call, errorMessage } from '../../lib/api';
import { shortSha } from '../../lib/format';
import { AddToFindingDialog } from '../evidence/AddToFindingDialog';
import { NotesPanel } from '../notes/NotesPanel';
import { locationText, scoreValueText } from './samplesText';

type ScoreLine = { scorer: string; value: string; answer: string | null; explanation: string | null };

function scoreLines(scores: Sample['scores']): ScoreLine[] {
  return Object.entries(scores).map(([scorer, s]) => {
    const o = s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : null;
    const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null);
    return {
      scorer,
      value: scoreValueText(o && 'value' in o ? o.value : s),
      answer: o ? text(o.answer) : null,
      explanation: o ? text(o.explanation) : null,
    };
  });
}

/** A block of text from a log, shown exactly as text (never as HTML or Markdown). */
function TextBlock({ title, text, id }: { title: string; text: string; id: string }) {
  return (
    <section className="sample-block" aria-labelledby={id}>
      <h4 id={id}>{title}</h4>
      {text === '' ? <p className="muted">Empty</p> : <pre className="sample-text">{text}</pre>}
    </section>
  );
}

/** The text selected inside `root`, if any: what "Add to finding…" offers as the excerpt. */
function selectedTextIn(root: HTMLElement | null): string | null {
  const selection = window.getSelection();
  if (!root || !selection || selection.isCollapsed || !selection.anchorNode || !root.contains(selection.anchorNode)) return null;
  const text = selection.toString().trim();
  return text === '' ? null : text;
}

/**
 * One sample in full: input, target, output, scores, error, and where it sits
 * in the source file; "Add to finding…" cites it (with the selected text as an
 * excerpt), and notes can be written on it.
 */
export function SampleDetail({ sampleId, run, reveal }: { sampleId: string; run: Run; reveal?: boolean }) {
  const [state, setState] = useState<{ id: string; sample: Sample | null; error: string | null }>({ id: sampleId, sample: null, error: null });
  const root = useRef<HTMLElement>(null);
  const [citing, setCiting] = useState<{ excerpt: string | null } | null>(null);

  useEffect(() => {
    let live = true;
    call('sample:get', { id: sampleId }).then(
      (sample) => live && setState({ id: sampleId, sample, error: null }),
      (error: unknown) => live && setState({ id: sampleId, sample: null, error: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [sampleId]);

  const s = state.id === sampleId ? state.sample : null;
  const err = state.id === sampleId ? state.error : null;
  const loaded = s !== null;
  // Opened from a link (search, evidence): bring the sample into view once it is there.
  useEffect(() => {
    if (reveal && loaded) root.current?.scrollIntoView({ block: 'start' });
  }, [reveal, loaded]);
  if (err) {
    return (
      <p className="form-error" role="alert">
        {err}
      </p>
    );
  }
  if (!s) {
    return (
      <p className="muted" role="status">
        Loading the sample…
      </p>
    );
  }
  const source = run.sources.find((f) => f.sha256 === s.source_sha256);
  const scores = scoreLines(s.scores);
  return (
    <article className="sample-detail" aria-labelledby="sample-title" data-testid="sample-detail" ref={root}>
      <header className="sample-detail-head">
        <div>
          <h3 id="sample-title">
            Sample <span className="mono">{s.sample_id}</span>, epoch {s.epoch}
          </h3>
          {s.task !== run.task && <p className="muted">Task {s.task}</p>}
        </div>
        <button
          type="button"
          className="button"
          title="Cite this sample as evidence on a finding; select text in it first to include that text as an excerpt"
          onClick={() => setCiting({ excerpt: selectedTextIn(root.current) })}
        >
          Add to finding…
        </button>
      </header>
      {citing && (
        <AddToFindingDialog
          engagementId={run.engagement_id}
          sample={{ id: s.id, sample_id: s.sample_id, epoch: s.epoch }}
          excerpt={citing.excerpt}
          onClose={() => setCiting(null)}
        />
      )}
      {s.truncated && (
        <p className="callout">
          Some text was cut to 32,000 characters here; the whole sample is in the source file at the place named below.
        </p>
      )}
      {s.error && (
        <section className="sample-block sample-block--error" aria-labelledby="sample-error">
          <h4 id="sample-error">
            <span aria-hidden="true">⚠ </span>Error
          </h4>
          <pre className="sample-text">{s.error}</pre>
        </section>
      )}
      <TextBlock id="sample-input" title="Input" text={s.input} />
      <TextBlock id="sample-target" title="Target" text={s.target} />
      <TextBlock id="sample-output" title="Output" text={s.output} />
      <section className="sample-block" aria-labelledby="sample-scores">
        <h4 id="sample-scores">Scores</h4>
        {scores.length === 0 ? (
          <p className="muted">Not scored</p>
        ) : (
          <>
            <table className="data-table data-table--compact scores-table">
              <thead>
                <tr>
                  <th scope="col">Scorer</th>
                  <th scope="col">Value</th>
                  <th scope="col">Answer</th>
                </tr>
              </thead>
              <tbody>
                {scores.map((l) => (
                  <tr key={l.scorer}>
                    <td className="nowrap">{l.scorer}</td>
                    <td>
                      <strong>{l.value}</strong>
                    </td>
                    <td className="prewrap">{l.answer ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {scores
              .filter((l) => l.explanation)
              .map((l) => (
                <details key={l.scorer} className="score-explanation">
                  <summary>Explanation from {l.scorer}</summary>
                  <pre className="sample-text">{l.explanation}</pre>
                </details>
              ))}
          </>
        )}
      </section>
      <section className="sample-block" aria-labelledby="sample-location">
        <h4 id="sample-location">In the source file</h4>
        <p>
          {locationText(s.location)} of <span className="break">{source?.name ?? 'the source file'}</span>{' '}
          <span className="mono muted" title={s.source_sha256}>
            (SHA-256 {shortSha(s.source_sha256)}…)
          </span>
        </p>
        {Object.keys(s.hashes).length > 0 && (
          <p className="muted">
            {Object.entries(s.hashes)
              .map(([k, v]) => `${k} ${v.slice(0, 12)}…`)
              .join(' · ')}
          </p>
        )}
      </section>
      <NotesPanel engagementId={run.engagement_id} target={{ type: 'sample', id: s.id }} title="Notes on this sample" level={4} />
    </article>
  );
}
