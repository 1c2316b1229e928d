import { useCallback, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import type { SampleRow } from '../../../shared/domain/imports';
import type { MetricResult, Run } from '../../../shared/domain/run';
import { stringifyJson } from '../../../shared/numbers';
import { formatBytes, formatTimestamp, shortSha } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useRunsStore } from '../../stores/runsStore';
import { thresholdListOf, useThresholdsStore } from '../../stores/thresholdsStore';
import { CredentialWarnings, RunStatusBadge, ValueWithError, VerdictBadge } from './bits';
import { EngagementTabs } from './EngagementFrame';
import { NotesPanel } from '../notes/NotesPanel';
import { ResultsChart } from './ResultsChart';
import { FORMAT_LABEL } from './RunsTable';
import { SampleDetail } from './SampleDetail';
import { SamplesTable } from './SamplesTable';
import { indexThresholds, thresholdLabel, verdictFor, type ThresholdIndex } from './thresholds';

function count(n: number | null): string {
  return n === null ? '—' : n.toLocaleString();
}

function TokenUsageTable({ usage }: { usage: Run['token_usage'] }) {
  const models = Object.entries(usage);
  if (models.length === 0) return <span className="muted">Not recorded</span>;
  return (
    <table className="data-table data-table--compact">
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col" className="num">
            Input
          </th>
          <th scope="col" className="num">
            Output
          </th>
          <th scope="col" className="num">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {models.map(([model, u]) => (
          <tr key={model}>
            <td className="break">{model}</td>
            <td className="num">{count(u.input_tokens)}</td>
            <td className="num">{count(u.output_tokens)}</td>
            <td className="num">{count(u.total_tokens)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MetricsTable({ results, index }: { results: readonly MetricResult[]; index: ThresholdIndex }) {
  if (results.length === 0) return <p className="muted">This run has no results.</p>;
  return (
    <div className="table-scroller table-scroller--flat table-scroller--capped">
      <table className="data-table" aria-labelledby="metrics-title">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Scorer or filter</th>
            <th scope="col">Metric</th>
            <th scope="col">Value ± stderr</th>
            <th scope="col" className="num">
              n
            </th>
            <th scope="col">Threshold</th>
            <th scope="col">Compared</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => {
            const v = verdictFor(r, index);
            return (
              <tr key={r.id} data-testid="metric-row">
                <td className="break">{r.task}</td>
                <td className="break">{r.scorer || <span className="muted">—</span>}</td>
                <td>{r.metric}</td>
                <td data-testid="metric-value">
                  <ValueWithError value={r.value} stderr={r.stderr} />
                </td>
                <td className="num">{r.n ?? <span className="muted">—</span>}</td>
                <td>{v ? thresholdLabel(v.threshold) : <span className="muted">None</span>}</td>
                <td>{v ? <VerdictBadge verdict={v} compact /> : <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RunFacts({ run }: { run: Run }) {
  return (
    <dl className="facts facts--compact facts--two">
      <dt>Model</dt>
      <dd className="break">{run.model}</dd>
      <dt>Status</dt>
      <dd>
        <RunStatusBadge status={run.status} />
      </dd>
      <dt>Dataset</dt>
      <dd>{run.dataset ?? <span className="muted">Not recorded</span>}</dd>
      <dt>Harness</dt>
      <dd>
        {FORMAT_LABEL[run.format]}
        {run.harness_version ? `, version ${run.harness_version}` : ''}
        {run.task_version ? ` · task version ${run.task_version}` : ''}
      </dd>
      <dt>Started</dt>
      <dd>{run.started_at ? formatTimestamp(run.started_at) : <span className="muted">Not recorded</span>}</dd>
      <dt>Completed</dt>
      <dd>{run.completed_at ? formatTimestamp(run.completed_at) : <span className="muted">Not recorded</span>}</dd>
      <dt>Samples</dt>
      <dd>{run.sample_count ?? <span className="muted">Not recorded</span>}</dd>
      <dt>Source</dt>
      <dd>
        {run.sources.length === 0 ? (
          <span className="muted">Entered by hand</span>
        ) : (
          <ul className="plain-list">
            {run.sources.map((f) => (
              <li key={f.sha256}>
                <span className="break">{f.name}</span>{' '}
                <span className="mono muted" title={`SHA-256 ${f.sha256}`}>
                  {shortSha(f.sha256)}
                </span>{' '}
                <span className="muted">({formatBytes(f.size)})</span>
                {f.task && <span className="muted"> · samples of {f.task}</span>}
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Tokens</dt>
      <dd className="facts-wide">
        <TokenUsageTable usage={run.token_usage} />
      </dd>
    </dl>
  );
}

/**
 * One run: what it was, any credential found in it, its metrics against the
 * thresholds (in words and as a chart), and its samples with the selected one
 * in full.
 */
export function RunPage({ engagement: e, runId, sampleId }: { engagement: Engagement; runId: string; sampleId?: string | undefined }) {
  const heading = useFocusHeading<HTMLHeadingElement>(`run-${runId}`);
  const { entry, error, loadRun } = useRunsStore(
    useShallow((s) => ({ entry: s.runs[runId], error: s.runErrors[runId], loadRun: s.loadRun })),
  );
  const { thresholds, refreshThresholds } = useThresholdsStore(
    useShallow((s) => ({ thresholds: thresholdListOf(s, e.id).items, refreshThresholds: s.refresh })),
  );
  // A sample named in the address (a search hit, a finding's evidence) starts selected.
  const [selected, setSelected] = useState<string | null>(sampleId ?? null);
  const [routeSample, setRouteSample] = useState(sampleId);
  if (sampleId !== routeSample) {
    setRouteSample(sampleId);
    if (sampleId) setSelected(sampleId);
  }

  useEffect(() => {
    void loadRun(runId);
    void refreshThresholds(e.id);
  }, [runId, e.id, loadRun, refreshThresholds]);

  const onSelect = useCallback((row: SampleRow) => setSelected(row.id), []);

  const crumbs = (
    <p className="eyebrow breadcrumb">
      <a href={routeHash({ page: 'engagement', id: e.id })}>
        {e.model} {e.model_version}
      </a>{' '}
      <span aria-hidden="true">›</span> <a href={routeHash({ page: 'runs', id: e.id })}>Runs</a>
    </p>
  );

  if (!entry) {
    return (
      <article className="page page--wide" aria-labelledby="run-title">
        {crumbs}
        <h1 id="run-title" ref={heading} tabIndex={-1}>
          {error ? 'This run could not be opened' : 'Loading the run…'}
        </h1>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </article>
    );
  }
  if (entry.run.engagement_id !== e.id) {
    return (
      <article className="page page--wide" aria-labelledby="run-title">
        {crumbs}
        <h1 id="run-title" ref={heading} tabIndex={-1}>
          This run belongs to another engagement
        </h1>
      </article>
    );
  }

  const { run, results } = entry;
  const index = indexThresholds(thresholds);
  return (
    <article className="page page--wide" aria-labelledby="run-title">
      <header className="page-header">
        <div>
          {crumbs}
          <h1 id="run-title" ref={heading} tabIndex={-1}>
            {run.task}
          </h1>
        </div>
      </header>
      <EngagementTabs engagementId={e.id} current="runs" />

      <CredentialWarnings warnings={run.credential_warnings} />
      {run.error && (
        <p className="form-error">
          <span className="form-error-message">The run ended with an error:</span>
          <span className="form-error-note">{run.error}</span>
        </p>
      )}

      <RunFacts run={run} />

      <section aria-labelledby="metrics-title">
        <h2 id="metrics-title" className="section-title">
          Metrics
        </h2>
        <MetricsTable results={results} index={index} />
      </section>

      <ResultsChart results={results} index={index} />

      {run.config && Object.keys(run.config).length > 0 && (
        <details className="config-details">
          <summary>Configuration as logged</summary>
          <pre className="sample-text">{stringifyJson(run.config, 2)}</pre>
        </details>
      )}

      <NotesPanel engagementId={e.id} target={{ type: 'run', id: run.id }} title="Notes on this run" />

      <section aria-labelledby="samples-title" className="samples-section">
        <h2 id="samples-title" className="section-title">
          Samples
        </h2>
        <SamplesTable runId={run.id} selectedId={selected} onSelect={onSelect} />
        <div className="sample-detail-slot">
          {selected && <SampleDetail sampleId={selected} run={run} reveal={selected === sampleId} />}
        </div>
      </section>
    </article>
  );
}
