import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { CallInput } from '../../../shared/api/contract';
import { RunStatus } from '../../../shared/domain/run';
import { Field } from '../../components/Field';
import { errorMessage } from '../../lib/api';
import { useRunsStore } from '../../stores/runsStore';
import { useUiStore } from '../../stores/uiStore';
import { parseCount, parseMeasure } from './measureInput';

type ResultDraft = { key: number; task: string; scorer: string; metric: string; value: string; stderr: string; n: string };

const STATUS_LABEL: Record<RunStatus, string> = { success: 'Success', error: 'Error', cancelled: 'Cancelled', started: 'Started (not finished)' };
const ERROR_ID = 'manual-run-error';

let nextKey = 1;
const emptyRow = (): ResultDraft => ({ key: nextKey++, task: '', scorer: '', metric: '', value: '', stderr: '', n: '' });

/** A refusal, and the input it is about (row null: a field of the run itself). */
type FormProblem = { message: string; row: number | null; field: string | null };

/** Main says "results.1.value: must be …": mark that input and say which line in words. */
function problemFrom(message: string): FormProblem {
  const m = /^(?:results\.(\d+)\.)?([a-z_]+):\s*(.*)$/s.exec(message);
  if (!m?.[2]) return { message, row: null, field: null };
  if (m[1] === undefined) return { message, row: null, field: m[2] };
  const row = Number(m[1]);
  return { message: `Result line ${row + 1}, ${m[2]}: ${m[3] ?? ''}`, row, field: m[2] };
}

/**
 * A run entered by hand, for harnesses EvalNotes does not parse: the run's
 * task, model and status, then one line per result. Main validates; its
 * one-sentence refusal is shown and nothing is saved.
 */
export function ManualRunForm({ engagementId, onDone }: { engagementId: string; onDone: () => void }) {
  const createManual = useRunsStore((s) => s.createManual);
  const notify = useUiStore((s) => s.notify);
  const [task, setTask] = useState('');
  const [model, setModel] = useState('');
  const [dataset, setDataset] = useState('');
  const [status, setStatus] = useState<RunStatus>('success');
  const [rows, setRows] = useState<ResultDraft[]>(() => [emptyRow()]);
  const [error, setError] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  // After a refusal, put the cursor where the problem is (or on the message when it is about the whole form).
  useEffect(() => {
    if (!error) return;
    const selector =
      error.row !== null ? `[data-row="${error.row}"][data-field="${error.field ?? ''}"]` : error.field ? `#manual-${error.field}` : `#${ERROR_ID}`;
    form.current?.querySelector<HTMLElement>(selector)?.focus();
  }, [error]);
  const isInvalid = (row: number | null, field: string) => error !== null && error.field === field && error.row === row;

  const setRow = (key: number, change: Partial<ResultDraft>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));
  /** Editing the input a refusal was about clears the refusal: it no longer describes what is there. */
  const touched = (row: number | null, field: string) => {
    if (error && error.row === row && error.field === field) setError(null);
  };

  function removeRow(key: number, index: number) {
    setRows((rs) => rs.filter((r) => r.key !== key));
    // Keep the keyboard near where it was: the previous row's metric, or the add button.
    requestAnimationFrame(() => {
      const target = form.current?.querySelector<HTMLElement>(`[data-row="${Math.max(0, index - 1)}"][data-field="metric"]`);
      (target ?? form.current?.querySelector<HTMLElement>('[data-add-row]'))?.focus();
    });
  }

  function addRow() {
    setRows((rs) => [...rs, emptyRow()]);
    requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`[data-row="${rows.length}"][data-field="metric"]`)?.focus());
  }

  function build(): CallInput<'run:createManual'> | FormProblem {
    const results: CallInput<'run:createManual'>['results'] = [];
    for (const [i, r] of rows.entries()) {
      const line = rows.length > 1 ? ` on result line ${i + 1}` : '';
      const value = parseMeasure(r.value, `The value${line}`, { required: true });
      if (!value.ok) return { message: value.message, row: i, field: 'value' };
      const stderr = parseMeasure(r.stderr, `The stderr${line}`, { required: false });
      if (!stderr.ok) return { message: stderr.message, row: i, field: 'stderr' };
      const n = parseCount(r.n, `n${line}`);
      if (!n.ok) return { message: n.message, row: i, field: 'n' };
      results.push({
        ...(r.task.trim() ? { task: r.task.trim() } : {}),
        scorer: r.scorer.trim(),
        metric: r.metric.trim(),
        value: value.value ?? Number.NaN,
        ...(stderr.value !== undefined ? { stderr: stderr.value } : {}),
        ...(n.value !== undefined ? { n: n.value } : {}),
      });
    }
    return {
      engagement_id: engagementId,
      task: task.trim(),
      model: model.trim(),
      ...(dataset.trim() ? { dataset: dataset.trim() } : {}),
      status,
      results,
    };
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const input = build();
    if ('message' in input) {
      setError(input);
      return;
    }
    setBusy(true);
    try {
      const saved = await createManual(input);
      notify('info', `Added ${saved.run.task} (${saved.run.model}) with ${saved.results.length} result${saved.results.length === 1 ? '' : 's'}.`);
      onDone();
    } catch (err) {
      setError(problemFrom(errorMessage(err)));
      setBusy(false);
    }
  }

  return (
    <form ref={form} className="form manual-form" aria-labelledby="manual-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="manual-title" className="section-title">
        Add results by hand
      </h2>
      <p className="muted">For harnesses EvalNotes does not read. Values may be NaN or ∞ when that is what the harness reported.</p>
      {error && (
        <p id={ERROR_ID} className="form-error" role="alert" tabIndex={-1}>
          {error.message}
        </p>
      )}
      <div className="form-grid">
        <Field id="manual-task" label="Task" value={task}
          onChange={(e) => {
            touched(null, 'task');
            setTask(e.target.value);
          }} errorId={isInvalid(null, 'task') ? ERROR_ID : undefined} />
        <Field id="manual-model" label="Model" value={model}
          onChange={(e) => {
            touched(null, 'model');
            setModel(e.target.value);
          }} errorId={isInvalid(null, 'model') ? ERROR_ID : undefined} />
        <Field id="manual-dataset" label="Dataset" optional value={dataset} onChange={(e) => setDataset(e.target.value)} />
        <div className="field">
          <label htmlFor="manual-status">Status</label>
          <select id="manual-status" value={status} onChange={(e) => setStatus(e.target.value as RunStatus)}>
            {RunStatus.options.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="form-section result-lines">
        <legend>Results</legend>
        <table className="edit-table">
          <thead>
            <tr>
              <th scope="col">
                Task <span className="field-optional">(if not the run’s)</span>
              </th>
              <th scope="col">Scorer or filter</th>
              <th scope="col">Metric</th>
              <th scope="col">Value</th>
              <th scope="col">
                Stderr <span className="field-optional">(optional)</span>
              </th>
              <th scope="col">
                n <span className="field-optional">(optional)</span>
              </th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const line = `result line ${i + 1}`;
              const cell = (field: 'task' | 'scorer' | 'metric' | 'value' | 'stderr' | 'n', label: string, inputMode?: 'decimal' | 'numeric') => (
                <td>
                  <input
                    aria-label={`${label}, ${line}`}
                    data-row={i}
                    data-field={field}
                    value={r[field]}
                    inputMode={inputMode}
                    aria-invalid={isInvalid(i, field) ? true : undefined}
                    aria-describedby={isInvalid(i, field) ? ERROR_ID : undefined}
                    onChange={(e) => {
                      touched(i, field);
                      setRow(r.key, { [field]: e.target.value });
                    }}
                  />
                </td>
              );
              return (
                <tr key={r.key}>
                  {cell('task', 'Task')}
                  {cell('scorer', 'Scorer or filter')}
                  {cell('metric', 'Metric')}
                  {cell('value', 'Value', 'decimal')}
                  {cell('stderr', 'Stderr', 'decimal')}
                  {cell('n', 'n', 'numeric')}
                  <td>
                    <button
                      type="button"
                      className="button button--ghost button--small"
                      disabled={rows.length === 1}
                      aria-label={`Remove ${line}`}
                      onClick={() => removeRow(r.key, i)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div>
          <button type="button" className="button button--small" data-add-row onClick={addRow}>
            <span aria-hidden="true">+</span> Add a result line
          </button>
        </div>
      </fieldset>
      <div className="button-row button-row--end">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save run'}
        </button>
      </div>
    </form>
  );
}
