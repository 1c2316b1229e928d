import { useShallow } from 'zustand/react/shallow';
import { BUNDLE_EXTENSION } from '../../../shared/domain/bundle';
import { chooseInBrowser } from '../../lib/files';
import { formatBytes } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useFileDrop } from '../../lib/useFileDrop';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useBundlesStore, type BundlesState } from '../../stores/bundlesStore';
import { useUiStore } from '../../stores/uiStore';
import { IngestSummaryView, VerifyReportView } from './BundleReports';
import { JobProgressLine } from './JobProgressLine';

function activePhase(phase: BundlesState['phase']): boolean {
  return phase === 'uploading' || phase === 'starting' || phase === 'running';
}

/** The headline of the current step, said in the live region. */
function stepHeadline(s: Pick<BundlesState, 'step' | 'phase' | 'cancelling' | 'report' | 'summary'>): string {
  const doing = s.step === 'ingest' ? 'Ingesting' : 'Verifying';
  switch (s.phase) {
    case 'idle':
      return '';
    case 'uploading':
      return 'Sending the bundle to EvalNotes…';
    case 'starting':
    case 'running':
      return s.cancelling ? 'Cancelling…' : `${doing} the bundle…`;
    case 'cancelled':
      return s.step === 'ingest' ? 'Ingest cancelled; nothing was ingested.' : 'Verification cancelled.';
    case 'failed':
      return s.step === 'ingest' ? 'Ingest failed; nothing was ingested.' : 'The bundle could not be verified.';
    case 'finished':
      if (s.step === 'ingest') return 'Ingest finished.';
      return s.report?.valid ? 'Verified: the bundle is valid.' : 'Verified: the bundle is NOT valid.';
  }
}

function CurrentBundle() {
  const s = useBundlesStore();
  const navigate = useUiStore((u) => u.navigate);
  const file = s.file;
  if (!file) return null;
  const active = activePhase(s.phase);
  const verifiedValid = s.step === 'verify' && s.phase === 'finished' && s.report?.valid === true;
  const ingested = s.step === 'ingest' && s.phase === 'finished';
  const canRetryIngest = s.step === 'ingest' && (s.phase === 'cancelled' || s.phase === 'failed') && s.report?.valid === true;
  return (
    <section className="bundle-card" aria-label={`Bundle ${file.name}`}>
      <div className="bundle-card-head">
        <p>
          <strong className="break">{file.name}</strong> <span className="muted">({formatBytes(file.size)})</span>
        </p>
        <p className="bundle-step" role="status" data-testid="bundle-status">
          {stepHeadline(s)}
        </p>
      </div>
      {active && (
        <JobProgressLine
          label={`${s.step === 'ingest' ? 'Ingesting' : 'Verifying'} ${file.name}`}
          progress={s.progress}
          waiting={s.phase === 'uploading' ? 'Sending…' : 'Starting…'}
          cancelling={s.cancelling}
          onCancel={() => void s.cancel()}
        />
      )}
      {s.error && (
        <p className="form-error" role="alert">
          {s.error}
        </p>
      )}
      {s.summary && <IngestSummaryView summary={s.summary} />}
      {s.report && !active && <VerifyReportView report={s.report} />}
      {s.report && !s.report.valid && !active && (
        <p className="callout">
          <strong>This bundle cannot be ingested.</strong> Ask its sender for a fresh copy, and check that you trust their key.
        </p>
      )}
      <div className="button-row">
        {(verifiedValid || canRetryIngest) && (
          <button type="button" className="button button--primary" onClick={() => void s.ingest()}>
            Ingest this bundle
          </button>
        )}
        {ingested && (
          <button type="button" className="button" onClick={() => navigate({ page: 'home' })}>
            Show the engagements
          </button>
        )}
        {!active && (
          <button type="button" className="button" onClick={s.clear}>
            Done with this bundle
          </button>
        )}
      </div>
    </section>
  );
}

/**
 * Bundles others sent: choose or drop one, it is verified at once (every byte,
 * the signature, the trust), and a valid one can then be ingested.
 */
export function BundlesPage() {
  const heading = useFocusHeading<HTMLHeadingElement>('bundles');
  const { choose, phase } = useBundlesStore(useShallow((s) => ({ choose: s.choose, phase: s.phase })));
  const busy = activePhase(phase);
  const { dragging, handlers } = useFileDrop((files) => {
    const [file] = files;
    if (file && !busy) void choose(file);
  });

  async function pick() {
    const [file] = await chooseInBrowser({ title: 'Verify a bundle', extensions: [BUNDLE_EXTENSION.slice(1)], multiple: false, filterName: 'EvalNotes bundles' });
    if (file) await choose(file);
  }

  return (
    <div className={`drop-area ${dragging ? 'is-drag-over' : ''}`} {...handlers}>
      <article className="page page--wide" aria-labelledby="bundles-title">
        <header className="page-header">
          <div>
            <p className="eyebrow">Workspace</p>
            <h1 id="bundles-title" ref={heading} tabIndex={-1}>
              Bundles
            </h1>
          </div>
        </header>
        <section className={`drop-zone ${dragging ? 'is-drag-over' : ''}`} aria-labelledby="verify-title" data-testid="bundle-drop-zone">
          <div>
            <h2 id="verify-title" className="section-title">
              Verify and ingest a bundle
            </h2>
            <p className="muted">
              {dragging
                ? 'Drop the bundle to verify it.'
                : 'Choose a signed bundle (.evb) or drop it here. It is verified first: every byte against its signature, by a key you trust. Only a valid bundle can be ingested.'}
            </p>
          </div>
          <div className="button-row">
            <button type="button" className="button button--primary" disabled={busy} onClick={() => void pick()}>
              Choose a bundle…
            </button>
          </div>
        </section>
        <CurrentBundle />
        <p className="muted small">
          To export your own work, open an engagement and choose <strong>Export bundle…</strong>. Keys you trust are on the{' '}
          <a href={routeHash({ page: 'keys' })}>Keys</a> screen.
        </p>
      </article>
    </div>
  );
}
