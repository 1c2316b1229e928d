import { useShallow } from 'zustand/react/shallow';
import type { ImportFileOutcome } from '../../../shared/domain/imports';
import { formatBytes, plural } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useImportsStore, type ImportEntry, type ImportFile } from '../../stores/importsStore';
import { CredentialWarnings, RunStatusBadge, ValueWithError } from './bits';
import { FORMAT_LABEL } from './RunsTable';

function UploadState({ file }: { file: ImportFile }) {
  switch (file.upload) {
    case 'waiting':
      return <span className="muted">Waiting</span>;
    case 'uploading':
      return (
        <span className="upload-state">
          <span className="spinner" aria-hidden="true" /> Sending…
        </span>
      );
    case 'uploaded':
      return (
        <span className="upload-state upload-state--done">
          <span aria-hidden="true">✓</span> Sent
        </span>
      );
    case 'failed':
      return (
        <span className="upload-state upload-state--failed">
          <span aria-hidden="true">✗</span> {file.error}
        </span>
      );
  }
}

function JobProgressBar({ entry }: { entry: ImportEntry }) {
  const p = entry.progress;
  const names = entry.files.map((f) => f.name).join(', ');
  const known = p !== null && p.total !== null && p.total > 0;
  const percent = known ? Math.min(100, Math.round((100 * p.done) / (p.total ?? 1))) : null;
  return (
    <div className="job-progress">
      <progress
        aria-label={`Importing ${names}`}
        value={known ? p.done : undefined}
        max={known ? (p.total ?? undefined) : undefined}
      />
      <span className="job-progress-text">
        {percent !== null && <strong>{percent}%</strong>} {p?.message ?? 'Starting…'}
      </span>
    </div>
  );
}

function ImportedOutcome({ o, engagementId }: { o: Extract<ImportFileOutcome, { status: 'imported' }>; engagementId: string }) {
  return (
    <>
      <p>
        <span className="outcome-mark outcome-mark--ok" aria-hidden="true">
          ✓
        </span>{' '}
        <strong className="break">{o.file}</strong> imported as{' '}
        <a href={routeHash({ page: 'run', id: engagementId, runId: o.run_id })}>{o.task}</a>{' '}
        · <span className="nowrap">{o.model}</span> · <span className="nowrap">{FORMAT_LABEL[o.format]}</span> · <RunStatusBadge status={o.run_status} /> ·{' '}
        <span className="nowrap">{plural(o.samples, 'sample')}</span>
      </p>
      {o.metrics.length > 0 && (
        <ul className="outcome-metrics">
          {o.metrics.map((m, i) => (
            <li key={i}>
              <span className="muted">
                {m.task !== o.task ? `${m.task} · ` : ''}
                {m.scorer ? `${m.scorer} · ` : ''}
              </span>
              {m.metric} <ValueWithError value={m.value} stderr={m.stderr} />
              {m.n !== null && <span className="muted"> (n = {m.n})</span>}
            </li>
          ))}
        </ul>
      )}
      {o.samples_files.length > 0 && <p className="muted">Samples read from {o.samples_files.join(', ')}.</p>}
    </>
  );
}

function Outcome({ o, engagementId }: { o: ImportFileOutcome; engagementId: string }) {
  return (
    <li className={`outcome outcome--${o.status}`}>
      {o.status === 'imported' && <ImportedOutcome o={o} engagementId={engagementId} />}
      {o.status === 'duplicate' && (
        <p>
          <span className="outcome-mark" aria-hidden="true">
            =
          </span>{' '}
          <strong className="break">{o.file}</strong>: {o.message}{' '}
          <a href={routeHash({ page: 'run', id: engagementId, runId: o.run_id })}>Open the run it was imported as</a>
        </p>
      )}
      {o.status === 'failed' && (
        <p>
          <span className="outcome-mark outcome-mark--failed" aria-hidden="true">
            ✗
          </span>{' '}
          <strong className="break">{o.file}</strong> was not imported: <span className="outcome-error">{o.error.message}</span>
        </p>
      )}
    </li>
  );
}

function headline(entry: ImportEntry): string {
  const n = entry.files.length;
  switch (entry.phase) {
    case 'uploading':
      return `Sending ${plural(n, 'file')} to EvalNotes…`;
    case 'starting':
      return 'Starting the import…';
    case 'running':
      return entry.cancelling ? 'Cancelling…' : `Importing ${plural(n, 'file')}…`;
    case 'cancelled':
      return 'Import cancelled.';
    case 'failed':
      return 'Import failed; nothing was imported.';
    case 'finished': {
      const files = entry.summary?.files ?? [];
      const imported = files.filter((f) => f.status === 'imported').length;
      const dup = files.filter((f) => f.status === 'duplicate').length;
      const failed = files.filter((f) => f.status === 'failed').length + entry.files.filter((f) => f.upload === 'failed').length;
      const parts = [`${imported} imported`];
      if (dup > 0) parts.push(`${dup} already imported`);
      if (failed > 0) parts.push(`${failed} failed`);
      return `Import finished: ${parts.join(', ')}.`;
    }
  }
}

function ImportCard({ entry }: { entry: ImportEntry }) {
  const { cancel, dismiss } = useImportsStore(useShallow((s) => ({ cancel: s.cancel, dismiss: s.dismiss })));
  const active = entry.phase === 'uploading' || entry.phase === 'starting' || entry.phase === 'running';
  const outcomes = entry.summary?.files ?? [];
  const warnings = outcomes.flatMap((o) => (o.status === 'imported' && o.warnings.length > 0 ? [o] : []));
  const uploadFailures = entry.files.filter((f) => f.upload === 'failed');
  return (
    <section className={`import-card import-card--${entry.phase} ${warnings.length > 0 ? 'import-card--warned' : ''}`} aria-label={`Import of ${entry.files.map((f) => f.name).join(', ') || 'files'}`}>
      <div className="import-card-head">
        <p className="import-headline" role="status">
          {headline(entry)}
        </p>
        <div className="button-row">
          {active && (
            <button type="button" className="button button--small" disabled={entry.cancelling} onClick={() => void cancel(entry.key)}>
              {entry.cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          {!active && (
            <button type="button" className="button button--ghost button--small" onClick={() => dismiss(entry.key)}>
              Dismiss
            </button>
          )}
        </div>
      </div>

      {/* Credential warnings come first: they matter more than the numbers. */}
      {warnings.map((o) => (
        <CredentialWarnings key={o.run_id} warnings={o.warnings} file={o.file} />
      ))}

      {(entry.phase === 'uploading' || entry.phase === 'starting') && (
        <ul className="upload-list">
          {entry.files.map((f, i) => (
            <li key={i}>
              <span className="break">{f.name}</span>
              {f.size !== null && <span className="muted"> ({formatBytes(f.size)})</span>} <UploadState file={f} />
            </li>
          ))}
        </ul>
      )}
      {entry.phase === 'running' && <JobProgressBar entry={entry} />}
      {entry.error && (
        <p className="form-error" role="alert">
          {entry.error}
        </p>
      )}
      {(outcomes.length > 0 || (entry.phase === 'finished' && uploadFailures.length > 0)) && (
        <ul className="outcomes">
          {uploadFailures.map((f, i) => (
            <li key={`u${i}`} className="outcome outcome--failed">
              <p>
                <span className="outcome-mark outcome-mark--failed" aria-hidden="true">
                  ✗
                </span>{' '}
                <strong className="break">{f.name}</strong> was not imported: <span className="outcome-error">{f.error}</span>
              </p>
            </li>
          ))}
          {outcomes.map((o, i) => (
            <Outcome key={i} o={o} engagementId={entry.engagementId} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Every import started on this engagement in this session, newest first. */
export function ImportList({ engagementId }: { engagementId: string }) {
  const entries = useImportsStore(useShallow((s) => s.entries.filter((e) => e.engagementId === engagementId)));
  if (entries.length === 0) return null;
  return (
    <div className="import-list">
      {entries.map((e) => (
        <ImportCard key={e.key} entry={e} />
      ))}
    </div>
  );
}
