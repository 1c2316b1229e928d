import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import { Decision, type DeterminationView } from '../../../shared/domain/review';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorMessage } from '../../lib/api';
import { formatMeasure, formatTimestamp, plural } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useReviewsStore } from '../../stores/reviewsStore';
import { useUiStore } from '../../stores/uiStore';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { EngagementFrame } from '../results/EngagementFrame';
import { DECISION_LABEL, evidenceChanged } from './verdicts';

const DECISION_HINT: Record<Decision, string> = {
  covered: 'The model is a covered frontier model.',
  'not-covered': 'It is not, on this evidence.',
  pending: 'Not decided yet; say what is missing.',
};

/** The determination of one engagement, loaded once per engagement (and again when records change; see followReviews). */
export function useDetermination(engagementId: string): { view: DeterminationView | undefined; error: string | undefined } {
  const { view, error, load } = useReviewsStore(
    useShallow((s) => ({ view: s.determinations[engagementId], error: s.determinationErrors[engagementId], load: s.loadDetermination })),
  );
  useEffect(() => {
    void load(engagementId);
  }, [engagementId, load]);
  return { view, error };
}

export function DecisionBadge({ decision }: { decision: Decision | null }) {
  if (!decision) return <span className="badge badge--decision-none">No determination yet</span>;
  return <span className={`badge badge--decision-${decision}`}>{DECISION_LABEL[decision]}</span>;
}

function CurrentDecision({ view }: { view: DeterminationView }) {
  const d = view.current;
  const changed = evidenceChanged(view);
  return (
    <section className={`determination-card determination-card--${d?.decision ?? 'none'}`} aria-labelledby="current-determination-title" data-testid="current-determination">
      <h2 id="current-determination-title" className="section-title">
        Current determination
      </h2>
      {d ? (
        <>
          <p className="determination-decision">
            <DecisionBadge decision={d.decision} />
          </p>
          <p className="prewrap" data-testid="determination-rationale">
            {d.rationale || <span className="muted">No rationale given.</span>}
          </p>
          <p className="muted small">
            Recorded by {view.decided_by ?? 'an unknown key'}, {formatTimestamp(d.updated_at)} (revision {d.revision}); it rests on{' '}
            {plural(d.rests_on.length, 'result')} compared with {d.rests_on.length === 1 ? 'its threshold' : 'their thresholds'}.
          </p>
          {changed && (
            <p className="callout" role="note">
              <span aria-hidden="true">⚠ </span>The evidence has changed since this decision was recorded: the table below is how it stands now.
            </p>
          )}
        </>
      ) : (
        <p>
          <DecisionBadge decision={null} /> <span className="muted">No supervisor has recorded a decision on this engagement.</span>
        </p>
      )}
    </section>
  );
}

/** Which results meet which thresholds, now. */
function EvidenceTable({ engagementId, view }: { engagementId: string; view: DeterminationView }) {
  const met = view.evidence.filter((r) => r.met).length;
  return (
    <section aria-labelledby="evidence-title">
      <h2 id="evidence-title" className="section-title">
        Evidence
      </h2>
      {view.evidence.length === 0 ? (
        <p className="muted">
          No result of this engagement has a threshold in this workspace. Thresholds are local data:{' '}
          <a href={routeHash({ page: 'thresholds', id: engagementId })}>enter them on the Thresholds screen</a>.
        </p>
      ) : (
        <>
          <p className="muted" id="evidence-summary">
            {met} of {plural(view.evidence.length, 'result')} with a threshold {met === 1 ? 'meets it' : 'meet it'}.
          </p>
          <div className="table-scroller table-scroller--flat">
            <table className="data-table data-table--compact" aria-label="Results compared with thresholds" aria-describedby="evidence-summary">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Scorer or filter</th>
                  <th scope="col">Metric</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col">Threshold</th>
                  <th scope="col">Met</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {view.evidence.map((r) => (
                  <tr key={`${r.result_id}-${r.threshold_id}`} data-testid="evidence-row">
                    <td>{r.task}</td>
                    <td>{r.scorer || <span className="muted">—</span>}</td>
                    <td>{r.metric}</td>
                    <td className="num measure">{formatMeasure(r.value)}</td>
                    <td className="nowrap">
                      {r.comparison} {formatMeasure(r.threshold)}
                    </td>
                    <td>
                      <span className={`badge badge--${r.met ? 'meets' : 'misses'}`}>{r.met ? '✓ Met' : '✗ Not met'}</span>
                    </td>
                    <td>
                      <a href={routeHash({ page: 'run', id: engagementId, runId: r.run_id })} aria-label={`Open the run of ${r.task}, ${r.metric}`}>
                        Open run
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** A supervisor records or revises the decision; it rests on the evidence as it stands when confirmed. */
function DecisionForm({ engagement: e, view }: { engagement: Engagement; view: DeterminationView }) {
  const id = useId();
  const determine = useReviewsStore((s) => s.determine);
  const notify = useUiStore((s) => s.notify);
  const [decision, setDecision] = useState<Decision | null>(view.current?.decision ?? null);
  const [rationale, setRationale] = useState(view.current?.rationale ?? '');
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const title = `${e.model} ${e.model_version}`;

  function ask() {
    if (!decision) return setError('Choose a decision first.');
    if (rationale.trim() === '') return setError('Write the rationale: whoever reads the report needs to know why.');
    setError(null);
    setConfirming(true);
  }

  async function record() {
    if (!decision) return;
    setBusy(true);
    try {
      await determine({ engagement_id: e.id, decision, rationale: rationale.trim() });
      notify('info', `Determination recorded: ${DECISION_LABEL[decision].toLowerCase()}.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <form
      className="determination-form"
      aria-label="Record the determination"
      noValidate
      onSubmit={(ev) => {
        ev.preventDefault();
        ask();
      }}
    >
      <h2 className="section-title">{view.current ? 'Revise the determination' : 'Record the determination'}</h2>
      <fieldset className="choice-group" disabled={busy}>
        <legend>Decision</legend>
        {Decision.options.map((d) => (
          <label key={d} className="choice">
            <input type="radio" name={`${id}-decision`} value={d} checked={decision === d} onChange={() => setDecision(d)} />
            <span>
              {DECISION_LABEL[d]}
              <span className="choice-hint">{DECISION_HINT[d]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-rationale`}>Rationale</label>
        <textarea id={`${id}-rationale`} rows={5} value={rationale} disabled={busy} aria-describedby={error ? `${id}-error` : undefined} onChange={(ev) => setRationale(ev.target.value)} />
      </div>
      {error && (
        <p id={`${id}-error`} className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {view.current ? 'Revise determination…' : 'Record determination…'}
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Record “${decision ? DECISION_LABEL[decision] : ''}” for ${title}?`}
        confirmLabel="Record determination"
        busy={busy}
        onConfirm={() => void record()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          It is signed with your key and rests on the evidence as it stands now: {plural(view.evidence.length, 'result')} compared with{' '}
          {view.evidence.length === 1 ? 'its threshold' : 'their thresholds'}, {view.evidence.filter((r) => r.met).length} met.
        </p>
        {view.current && <p className="muted">The earlier decision stays in the history.</p>}
      </ConfirmDialog>
    </form>
  );
}

/** An engagement's determination: the current decision, the evidence it rests on, and (for a supervisor) the form to record it. */
export function DeterminationPage({ engagement: e }: { engagement: Engagement }) {
  const heading = useFocusHeading<HTMLHeadingElement>(`determination-${e.id}`);
  const role = useWorkspaceStore((s) => s.status?.identity?.role);
  const { view, error } = useDetermination(e.id);
  return (
    <EngagementFrame engagement={e} section="determination" headingRef={heading}>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!view && !error && <p role="status">Loading the determination…</p>}
      {view && (
        <div className="determination-page">
          <CurrentDecision view={view} />
          <EvidenceTable engagementId={e.id} view={view} />
          {role === 'supervisor' ? (
            <DecisionForm key={view.current ? `${view.current.id}-${view.current.revision}` : 'none'} engagement={e} view={view} />
          ) : (
            <p className="muted">Only a supervisor records the determination; it arrives here in the supervisor’s bundle.</p>
          )}
        </div>
      )}
    </EngagementFrame>
  );
}

/** The engagement page's line about the determination, with the way to it. */
export function DeterminationSummary({ engagementId }: { engagementId: string }) {
  const { view, error } = useDetermination(engagementId);
  const d = view?.current ?? null;
  return (
    <section className="determination-summary" aria-labelledby="determination-summary-title" data-testid="determination-summary">
      <h2 id="determination-summary-title" className="section-title">
        Determination
      </h2>
      {error ? (
        <p className="muted">{error}</p>
      ) : !view ? (
        <p className="muted">Loading…</p>
      ) : (
        <p>
          <DecisionBadge decision={d?.decision ?? null} />{' '}
          {d && (
            <span className="muted">
              by {view.decided_by ?? 'an unknown key'}, {formatTimestamp(d.updated_at)}.{' '}
            </span>
          )}
          <a href={routeHash({ page: 'determination', id: engagementId })}>{d ? 'Open the determination and its evidence' : 'Open the evidence'}</a>
        </p>
      )}
    </section>
  );
}
