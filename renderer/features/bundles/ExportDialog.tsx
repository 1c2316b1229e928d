import { useEffect, useId, useRef, useState } from 'react';
import type { ExportPreview } from '../../../shared/domain/bundle';
import type { Engagement } from '../../../shared/domain/engagement';
import type { FindingRow } from '../../../shared/domain/finding';
import { call, errorMessage } from '../../lib/api';
import { chooseInBrowser } from '../../lib/files';
import { formatBytes, plural } from '../../lib/format';
import { StatusBadge } from '../findings/bits';
import { BundleCounts, BundleMarking } from './bits';
import { exportBlocker, thresholdsLine } from './bundleText';
import { JobProgressLine } from './JobProgressLine';
import { useExportJob, type ExportJobState } from './useExportJob';
import { useModalDialog } from '../../lib/useModalDialog';
import { ThresholdsChoice } from '../../components/ThresholdsChoice';
import { useIsOwnKey } from '../keys/useIsOwnKey';

type Scope = 'all' | 'selected';

/** The findings this workspace wrote in the engagement (only those can be signed), a page of 500 at a time. */
function useMyFindings(engagementId: string, enabled: boolean) {
  const isOwn = useIsOwnKey();
  const [state, setState] = useState<{ rows: FindingRow[] | null; error: string | null }>({ rows: null, error: null });
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void (async () => {
      try {
        const rows: FindingRow[] = [];
        for (let offset = 0; offset < 10_000; offset += 500) {
          const page = await call('findings:list', { engagement_id: engagementId, sort: 'updated', descending: true, offset, limit: 500 });
          rows.push(...page.rows.filter((r) => isOwn(r.author)));
          if (offset + 500 >= page.total) break;
        }
        if (live) setState({ rows, error: null });
      } catch (error) {
        if (live) setState({ rows: null, error: errorMessage(error) });
      }
    })();
    return () => {
      live = false;
    };
  }, [engagementId, enabled, isOwn]);
  return state;
}

/** bundle:preview for the current choices, asked again whenever they change. */
function usePreview(engagementId: string, findings: string[] | null, includeThresholds: boolean, enabled: boolean) {
  const [state, setState] = useState<{ key: string; preview: ExportPreview | null; error: string | null }>({ key: '', preview: null, error: null });
  const key = JSON.stringify([engagementId, findings, includeThresholds]);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const [id, selected, thresholds] = JSON.parse(key) as [string, string[] | null, boolean];
    call('bundle:preview', { engagement_id: id, findings: selected, include_thresholds: thresholds }).then(
      (preview) => live && setState({ key, preview, error: null }),
      (error: unknown) => live && setState({ key, preview: null, error: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [key, enabled]);
  // Only the answer for the choices on screen counts: Export must never sign what an older preview showed.
  return state.key === key ? state : { preview: null, error: null };
}

function FindingPicker({ rows, error, selected, onChange }: { rows: FindingRow[] | null; error: string | null; selected: Set<string>; onChange: (next: Set<string>) => void }) {
  if (error) return <p className="form-error">{error}</p>;
  if (!rows) return <p className="muted">Loading your findings…</p>;
  if (rows.length === 0) return <p className="muted">You have written no findings in this engagement.</p>;
  const submitted = rows.filter((r) => r.shown_status === 'submitted').map((r) => r.id);
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  return (
    <div className="finding-picker">
      <div className="button-row">
        <button type="button" className="button button--small" disabled={submitted.length === 0} onClick={() => onChange(new Set(submitted))}>
          Select the submitted ({submitted.length})
        </button>
        <button type="button" className="button button--small" onClick={() => onChange(new Set(rows.map((r) => r.id)))}>
          Select all
        </button>
        <button type="button" className="button button--small button--ghost" onClick={() => onChange(new Set())}>
          Select none
        </button>
      </div>
      <ul className="finding-picker-list" aria-label="Your findings in this engagement">
        {rows.map((r) => (
          <li key={r.id}>
            <label className="choice-inline">
              <input type="checkbox" checked={selected.has(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} />
              <span className="finding-picker-title">{r.title}</span> <StatusBadge status={r.shown_status} />
            </label>
          </li>
        ))}
      </ul>
      <p className="muted small" role="status">
        {plural(selected.size, 'finding')} selected
      </p>
    </div>
  );
}

function Preview({ preview, error }: { preview: ExportPreview | null; error: string | null }) {
  if (error) {
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  }
  if (!preview) return <p className="muted">Working out what the bundle would hold…</p>;
  return (
    <section className="export-preview" aria-label="What the bundle holds">
      <BundleMarking handling={preview.handling} />
      <div className="export-preview-body">
        <BundleCounts counts={preview.counts} label="Records in the bundle" />
        <p className={preview.include_thresholds ? 'thresholds-line thresholds-line--in' : 'thresholds-line'} data-testid="thresholds-line">
          {preview.include_thresholds && <span aria-hidden="true">⚠ </span>}
          {thresholdsLine(preview)}
        </p>
      </div>
    </section>
  );
}

function CredentialCheck({ preview, confirmed, onConfirm }: { preview: ExportPreview; confirmed: boolean; onConfirm: (v: boolean) => void }) {
  const warnings = preview.credential_warnings;
  if (warnings.length === 0) return null;
  return (
    <div className="credential-warning" role="alert">
      <p className="credential-warning-title">
        <span aria-hidden="true">⚠ </span>
        {plural(warnings.length, 'credential-shaped string')} would leave with this bundle
      </p>
      <ul>
        {warnings.map((w, i) => (
          <li key={i}>
            <strong>{w.kind}</strong> at <span className="mono break">{w.where}</span> (<span className="mono">{w.preview}</span>)
          </li>
        ))}
      </ul>
      <label className="choice-inline">
        <input type="checkbox" checked={confirmed} onChange={(e) => onConfirm(e.target.checked)} />I have checked these and export anyway
      </label>
      <p className="muted-on-warning">Your confirmation is recorded in the audit chain.</p>
    </div>
  );
}

function Result({ state, includeThresholds }: { state: ExportJobState; includeThresholds: boolean }) {
  const s = state.summary;
  if (!s) return null;
  return (
    <section className="export-result" aria-labelledby="export-result-title">
      <h3 id="export-result-title" className="verdict verdict--ok">
        <span aria-hidden="true">✓</span> Bundle signed and written
      </h3>
      <BundleMarking handling={s.handling} />
      <dl className="facts facts--compact">
        <dt>Bundle id</dt>
        <dd className="mono break" data-testid="bundle-id">
          {s.id}
        </dd>
        <dt>File</dt>
        <dd className="break" data-testid="bundle-file">
          {s.file}
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(s.bytes)}</dd>
        <dt>Holds</dt>
        <dd>
          <BundleCounts counts={s.counts} label="Records in the written bundle" />
        </dd>
        <dt>Thresholds</dt>
        <dd className={includeThresholds ? 'thresholds-line thresholds-line--in' : 'thresholds-line'} data-testid="result-thresholds-line">
          {thresholdsLine({ include_thresholds: includeThresholds, counts: s.counts })}
        </dd>
      </dl>
      <p className="muted">
        {s.download_url ? 'Your browser saved it to its downloads folder.' : 'Saved where you chose.'} Whoever receives it verifies it with your public
        key (Keys → Export public key).
      </p>
    </section>
  );
}

/**
 * Export a signed bundle of this workspace's records in one engagement: what
 * goes in, the preview (marking first), credential warnings to confirm,
 * forwarded bundles, then the export as a job. Escape closes it, or cancels a
 * running export.
 */
export function ExportDialog({ engagement: e, open, onClose }: { engagement: Engagement; open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [scope, setScope] = useState<Scope>('all');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [includeThresholds, setIncludeThresholds] = useState(false);
  // Which warnings the person confirmed: a different set needs a new look.
  const [confirmedWarnings, setConfirmedWarnings] = useState<string | null>(null);
  const [forward, setForward] = useState<File[]>([]);
  const job = useExportJob();

  const findingIds = scope === 'selected' ? [...selected].sort() : null;
  const mine = useMyFindings(e.id, open && scope === 'selected');
  const { preview, error: previewError } = usePreview(e.id, findingIds, includeThresholds, open && (scope === 'all' || selected.size > 0));
  const shownPreview = scope === 'selected' && selected.size === 0 ? null : preview;
  const warningsKey = JSON.stringify(shownPreview?.credential_warnings ?? []);
  const confirmCredentials = confirmedWarnings === warningsKey;
  const setConfirmCredentials = (on: boolean) => setConfirmedWarnings(on ? warningsKey : null);
  const blocker = exportBlocker(shownPreview, { scope, selected: [...selected], confirmCredentials, forwardCount: forward.length });
  const finished = job.state.phase === 'finished';

  useModalDialog(ref, open);

  function close() {
    if (job.busy) {
      void job.cancel();
      return;
    }
    job.reset();
    setConfirmedWarnings(null);
    onClose();
  }

  async function addForwarded() {
    const files = await chooseInBrowser({ title: 'Bundles to forward', extensions: ['evb'], multiple: true, filterName: 'EvalNotes bundles' });
    setForward((list) => [...list, ...files.filter((f) => !list.some((x) => x.name === f.name && x.size === f.size))]);
  }

  function exportNow() {
    if (!shownPreview || blocker) return;
    void job.start({
      engagement_id: e.id,
      findings: findingIds,
      include_thresholds: includeThresholds,
      confirm_credentials: confirmCredentials,
      forward,
      suggestedName: shownPreview.suggested_name,
    });
  }

  const busy = job.busy;
  return (
    <dialog
      ref={ref}
      className="dialog dialog--wide export-dialog"
      aria-labelledby={titleId}
      onCancel={(ev) => {
        ev.preventDefault();
        close();
      }}
    >
      <h2 id={titleId}>
        Export a signed bundle · {e.model} {e.model_version}
      </h2>
      {finished ? (
        <Result state={job.state} includeThresholds={includeThresholds} />
      ) : (
        <div className="dialog-body export-body">
          <fieldset className="choice-group choice-group--stack" disabled={busy}>
            <legend>What goes in</legend>
            <label className="choice">
              <input type="radio" name="export-scope" checked={scope === 'all'} onChange={() => setScope('all')} />
              <span>
                All my records in this engagement
                <span className="choice-hint">Your findings, notes, the runs and evidence they cite.</span>
              </span>
            </label>
            <label className="choice">
              <input type="radio" name="export-scope" checked={scope === 'selected'} onChange={() => setScope('selected')} />
              <span>
                Only the findings I select
                <span className="choice-hint">With what they cite and the notes on them.</span>
              </span>
            </label>
          </fieldset>
          {scope === 'selected' && <FindingPicker rows={mine.rows} error={mine.error} selected={selected} onChange={setSelected} />}

          <ThresholdsChoice checked={includeThresholds} disabled={busy} onChange={setIncludeThresholds} into="bundle" />

          <Preview preview={shownPreview} error={previewError} />
          {shownPreview && <CredentialCheck preview={shownPreview} confirmed={confirmCredentials} onConfirm={setConfirmCredentials} />}

          <section className="forward-section" aria-labelledby={`${titleId}-forward`}>
            <h3 id={`${titleId}-forward`} className="subheading">
              Forward others’ bundles <span className="field-optional">(optional)</span>
            </h3>
            <p className="muted small">Their original files go inside yours unchanged, so each signature still verifies at the other end.</p>
            {forward.length > 0 && (
              <ul className="forward-list">
                {forward.map((f) => (
                  <li key={`${f.name}-${f.size}`}>
                    <span className="break">{f.name}</span> <span className="muted">({formatBytes(f.size)})</span>{' '}
                    <button type="button" className="button button--ghost button--small" disabled={busy} onClick={() => setForward((l) => l.filter((x) => x !== f))} aria-label={`Do not forward ${f.name}`}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <button type="button" className="button button--small" disabled={busy} onClick={() => void addForwarded()}>
              Add bundles to forward…
            </button>
          </section>

          {busy && job.state.phase !== 'saving' && (
            <JobProgressLine
              label="Writing the bundle"
              progress={job.state.progress}
              waiting={job.state.phase === 'uploading' ? 'Handing the forwarded bundles to EvalNotes…' : 'Starting…'}
              cancelling={job.state.cancelling}
              onCancel={() => void job.cancel()}
            />
          )}
          {job.state.phase === 'cancelled' && (
            <p className="callout" role="status">
              Export cancelled; no file was written.
            </p>
          )}
          {job.state.error && (
            <p className="form-error" role="alert">
              {job.state.error}
            </p>
          )}
          {blocker && !busy && (
            <p className="muted small" id={`${titleId}-blocker`}>
              {blocker}
            </p>
          )}
        </div>
      )}
      <div className="button-row button-row--end">
        <button type="button" className="button" onClick={close} autoFocus={finished}>
          {finished ? 'Done' : busy ? 'Cancel export' : 'Close'}
        </button>
        {!finished && (
          <button
            type="button"
            className="button button--primary"
            disabled={busy || blocker !== null}
            aria-describedby={blocker ? `${titleId}-blocker` : undefined}
            onClick={exportNow}
          >
            {busy ? 'Exporting…' : 'Export bundle'}
          </button>
        )}
      </div>
    </dialog>
  );
}
