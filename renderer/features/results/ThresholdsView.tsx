import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import { Comparison, meetsThreshold, thresholdKey, type MetricResult, type Threshold } from '../../../shared/domain/run';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorMessage } from '../../lib/api';
import { formatMeasure } from '../../lib/format';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { runListOf, useRunsStore } from '../../stores/runsStore';
import { thresholdListOf, useThresholdsStore } from '../../stores/thresholdsStore';
import { useUiStore } from '../../stores/uiStore';
import { EngagementFrame } from './EngagementFrame';
import { parseMeasure } from './measureInput';
import { COMPARISON_WORDS, thresholdLabel } from './thresholds';
import { useIsOwnKey } from '../keys/useIsOwnKey';

const COMPARISONS = Comparison.options;

function ComparisonSelect({ id, value, onChange, label }: { id: string; value: Comparison; onChange: (c: Comparison) => void; label?: string }) {
  return (
    <select id={id} value={value} aria-label={label} onChange={(e) => onChange(e.target.value as Comparison)}>
      {COMPARISONS.map((c) => (
        <option key={c} value={c}>
          {c} ({COMPARISON_WORDS[c]})
        </option>
      ))}
    </select>
  );
}

/** What this engagement's results offer as task, scorer and metric names. */
function useSuggestions(engagementId: string) {
  const runs = useRunsStore((s) => runListOf(s, engagementId).items);
  return useMemo(() => {
    const tasks = new Set<string>();
    const scorers = new Set<string>();
    const metrics = new Set<string>();
    for (const { results } of runs) {
      for (const r of results) {
        tasks.add(r.task);
        if (r.scorer) scorers.add(r.scorer);
        metrics.add(r.metric);
      }
    }
    const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
    return { tasks: sorted(tasks), scorers: sorted(scorers), metrics: sorted(metrics) };
  }, [runs]);
}

function AddThresholdForm({ engagementId }: { engagementId: string }) {
  const create = useThresholdsStore((s) => s.create);
  const notify = useUiStore((s) => s.notify);
  const suggestions = useSuggestions(engagementId);
  const [task, setTask] = useState('');
  const [scorer, setScorer] = useState('');
  const [metric, setMetric] = useState('');
  const [comparison, setComparison] = useState<Comparison>('>=');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const taskInput = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const parsed = thresholdValue(value);
    if (typeof parsed === 'string') {
      setError(parsed);
      return;
    }
    setBusy(true);
    try {
      const t = await create({ engagement_id: engagementId, task: task.trim(), scorer: scorer.trim(), metric: metric.trim(), comparison, value: parsed });
      notify('info', `Added the threshold ${t.task} · ${t.metric} ${thresholdLabel(t)}.`);
      setTask('');
      setScorer('');
      setMetric('');
      setValue('');
      setError(null);
      taskInput.current?.focus();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form-section threshold-form" aria-labelledby="add-threshold-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="add-threshold-title" className="section-title">
        Add a threshold
      </h2>
      {error && (
        <p className="form-error" role="alert" id="threshold-error">
          {error}
        </p>
      )}
      <div className="threshold-grid">
        <div className="field">
          <label htmlFor="threshold-task">Task</label>
          <input id="threshold-task" ref={taskInput} list="threshold-tasks" value={task} onChange={(e) => setTask(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="threshold-scorer">Scorer or filter</label>
          <input id="threshold-scorer" list="threshold-scorers" value={scorer} onChange={(e) => setScorer(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="threshold-metric">Metric</label>
          <input id="threshold-metric" list="threshold-metrics" value={metric} onChange={(e) => setMetric(e.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="threshold-comparison">Comparison</label>
          <ComparisonSelect id="threshold-comparison" value={comparison} onChange={setComparison} />
        </div>
        <div className="field">
          <label htmlFor="threshold-value">Value</label>
          <input id="threshold-value" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" />
        </div>
        <div className="field field--button">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add threshold'}
          </button>
        </div>
      </div>
      <p className="field-hint">
        A result meets the threshold when its task, scorer (or lm-eval filter) and metric are the same and its value compares as chosen (leave the
        scorer empty for results entered without one). Names seen in this engagement’s results are offered as you type.
      </p>
      <datalist id="threshold-tasks">
        {suggestions.tasks.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <datalist id="threshold-scorers">
        {suggestions.scorers.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <datalist id="threshold-metrics">
        {suggestions.metrics.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </form>
  );
}

/** How this engagement's results stand against one threshold, in words. */
function Standing({ t, results }: { t: Threshold; results: readonly MetricResult[] }) {
  const key = thresholdKey(t);
  const matching = results.filter((r) => thresholdKey(r) === key);
  if (matching.length === 0) return <span className="muted">No result yet</span>;
  const met = matching.filter((r) => meetsThreshold(r.value, t)).length;
  const missed = matching.length - met;
  return (
    <span className="threshold-tally">
      {met > 0 && (
        <span className="tally tally--meets">
          <span aria-hidden="true">✓</span> {met} {met === 1 ? 'result meets' : 'results meet'}
        </span>
      )}
      {missed > 0 && (
        <span className="tally tally--misses">
          <span aria-hidden="true">✗</span> {missed} {missed === 1 ? 'result misses' : 'results miss'}
        </span>
      )}
    </span>
  );
}

function ThresholdRow({ t, mine, results, onDelete }: { t: Threshold; mine: boolean; results: readonly MetricResult[]; onDelete: (t: Threshold) => void }) {
  const update = useThresholdsStore((s) => s.update);
  const [editing, setEditing] = useState(false);
  const [comparison, setComparison] = useState<Comparison>(t.comparison);
  const [value, setValue] = useState(String(t.value));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const valueInput = useRef<HTMLInputElement>(null);
  const name = `${t.task} ${t.scorer ? `${t.scorer} ` : ''}${t.metric}`;

  function startEditing() {
    setComparison(t.comparison);
    setValue(String(t.value));
    setError(null);
    setEditing(true);
    requestAnimationFrame(() => valueInput.current?.select());
  }
  function stopEditing() {
    setEditing(false);
    setError(null);
    requestAnimationFrame(() => editButton.current?.focus());
  }
  async function save() {
    const parsed = thresholdValue(value);
    if (typeof parsed === 'string') {
      setError(parsed);
      return;
    }
    setBusy(true);
    try {
      await update(t, { comparison, value: parsed });
      stopEditing();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <tr>
      <td className="break">{t.task}</td>
      <td className="break">{t.scorer || <span className="muted">—</span>}</td>
      <td>{t.metric}</td>
      {editing ? (
        <td colSpan={2}>
          <div
            className="inline-edit"
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                stopEditing();
              } else if (e.key === 'Enter') {
                e.preventDefault();
                void save();
              }
            }}
          >
            <ComparisonSelect id={`cmp-${t.id}`} value={comparison} onChange={setComparison} label={`Comparison for ${name}`} />
            <input
              ref={valueInput}
              aria-label={`Value for ${name}`}
              inputMode="decimal"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `err-${t.id}` : undefined}
            />
            <button type="button" className="button button--primary button--small" disabled={busy} onClick={() => void save()}>
              Save
            </button>
            <button type="button" className="button button--small" onClick={stopEditing}>
              Cancel
            </button>
          </div>
          {error && (
            <p className="field-error" role="alert" id={`err-${t.id}`}>
              {error}
            </p>
          )}
        </td>
      ) : (
        <>
          <td>
            {t.comparison} <span className="muted">({COMPARISON_WORDS[t.comparison]})</span>
          </td>
          <td className="num">{formatMeasure(t.value)}</td>
        </>
      )}
      <td>
        <Standing t={t} results={results} />
      </td>
      <td>
        {mine && !editing && (
          <div className="button-row">
            <button ref={editButton} type="button" className="button button--small" onClick={startEditing} aria-label={`Edit ${name}`}>
              Edit
            </button>
            <button type="button" className="button button--small button--danger-outline" onClick={() => onDelete(t)} aria-label={`Delete ${name}`}>
              Delete
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

/** The engagement's thresholds: sensitive, local, editable in place. */
export function ThresholdsView({ engagement: e }: { engagement: Engagement; myKey: string | undefined }) {
  const isOwn = useIsOwnKey();
  const heading = useFocusHeading<HTMLHeadingElement>(`thresholds-${e.id}`);
  const { list, refresh, remove } = useThresholdsStore(useShallow((s) => ({ list: thresholdListOf(s, e.id), refresh: s.refresh, remove: s.remove })));
  const refreshRuns = useRunsStore((s) => s.refresh);
  const runs = useRunsStore((s) => runListOf(s, e.id).items);
  const results = useMemo(() => runs.flatMap((r) => r.results), [runs]);
  const notify = useUiStore((s) => s.notify);
  const [deleting, setDeleting] = useState<Threshold | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  useEffect(() => {
    void refresh(e.id);
    // Suggestions for the add form come from this engagement's results.
    void refreshRuns(e.id);
  }, [e.id, refresh, refreshRuns]);

  async function confirmDelete() {
    if (!deleting) return;
    setBusy(true);
    try {
      await remove(deleting);
      notify('info', `Deleted the threshold ${deleting.task} · ${deleting.metric}.`);
      setDeleteError(null);
    } catch (err) {
      setDeleteError(errorMessage(err));
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  }

  return (
    <EngagementFrame engagement={e} section="thresholds" headingRef={heading}>
      <div className="sensitive-notice" role="note" aria-label="Sensitive">
        <p className="sensitive-notice-title">
          Sensitive — stays on this machine
        </p>
        <p>
          Thresholds decide whether a model is covered. They are never put in a bundle, report or chart that leaves this machine unless you
          explicitly choose to include them.
        </p>
      </div>

      <AddThresholdForm engagementId={e.id} />

      <section aria-labelledby="thresholds-title">
        <h2 id="thresholds-title" className="section-title">
          Thresholds
        </h2>
        {(list.error ?? deleteError) && (
          <p className="form-error" role="alert">
            {deleteError ?? list.error}
          </p>
        )}
        {!list.loaded ? (
          <p className="muted" role="status">
            Loading thresholds…
          </p>
        ) : list.items.length === 0 ? (
          <p className="muted">No thresholds yet. Add one above; results that meet or miss it are marked on the run pages.</p>
        ) : (
          <div className="table-scroller table-scroller--flat">
            <table className="data-table" aria-labelledby="thresholds-title">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">Scorer or filter</th>
                  <th scope="col">Metric</th>
                  <th scope="col">Comparison</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col">Results now</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((t) => (
                  <ThresholdRow key={t.id} t={t} mine={isOwn(t.author)} results={results} onDelete={setDeleting} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <ConfirmDialog
        open={deleting !== null}
        title="Delete this threshold?"
        confirmLabel="Delete threshold"
        busy={busy}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(null)}
      >
        {deleting && (
          <p>
            {deleting.task} · {deleting.scorer ? `${deleting.scorer} · ` : ''}
            {deleting.metric} {thresholdLabel(deleting)}. Results will no longer be marked against it.
          </p>
        )}
      </ConfirmDialog>
    </EngagementFrame>
  );
}

/** The threshold value a person typed, or the sentence saying what is wrong with it. */
function thresholdValue(text: string): number | string {
  const parsed = parseMeasure(text, 'The value', { required: true, finite: true });
  if (!parsed.ok) return parsed.message;
  return parsed.value ?? 'The value is required.';
}
