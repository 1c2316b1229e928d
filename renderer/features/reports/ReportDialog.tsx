import { useId, useRef, useState } from 'react';
import type { CallOutput } from '../../../shared/api/contract';
import type { Engagement } from '../../../shared/domain/engagement';
import { call, errorMessage, transport } from '../../lib/api';
import { formatBytes, plural } from '../../lib/format';
import { useModalDialog } from '../../lib/useModalDialog';
import { BundleMarking } from '../bundles/bits';
import { reportFileName, type ReportFormat } from './reportName';
import { ThresholdsChoice } from '../../components/ThresholdsChoice';

type Format = ReportFormat;
type Saved = CallOutput<'report:save'>;

/** Hands a one-time download URL to the browser as a download, never a navigation. */
function download(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}

/**
 * The report to the person: a save dialog then report:save on the desktop; in
 * the browser report:save answers with a one-time download. Null when they
 * cancelled the save dialog.
 */
async function saveReport(e: Engagement, format: Format, includeThresholds: boolean): Promise<Saved | null> {
  if (transport() === 'desktop') {
    const to = await call('dialog:saveFile', {
      title: 'Save the report',
      default_name: reportFileName(e, format),
      filters: [format === 'pdf' ? { name: 'PDF document', extensions: ['pdf'] } : { name: 'Web page (HTML)', extensions: ['html'] }],
    });
    if (!to) return null;
    return call('report:save', { engagement_id: e.id, format, include_thresholds: includeThresholds, to });
  }
  const saved = await call('report:save', { engagement_id: e.id, format, include_thresholds: includeThresholds, to: null });
  if (saved.download_url) download(saved.download_url, saved.file_name);
  return saved;
}

/**
 * Report…: the engagement's print-ready report, the marking on every page.
 * Thresholds stay out unless ticked (with the export dialog's warning). The
 * desktop app prints the PDF itself; through the serve host, the machine's
 * Chromium does (main says so in one sentence when there is none).
 */
export function ReportDialog({ engagement: e, open, onClose }: { engagement: Engagement; open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const desktop = transport() === 'desktop';
  const [format, setFormat] = useState<Format>('pdf');
  const [includeThresholds, setIncludeThresholds] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<Saved | null>(null);
  useModalDialog(ref, open);

  function close() {
    if (busy) return;
    setSaved(null);
    setError(null);
    setIncludeThresholds(false);
    onClose();
  }

  async function save() {
    setBusy(true);
    setError(null);
    try {
      const result = await saveReport(e, format, includeThresholds);
      // The dialog itself says where it went; no toast on top of it.
      if (result) setSaved(result);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      className="dialog dialog--wide report-dialog"
      aria-labelledby={titleId}
      onCancel={(ev) => {
        ev.preventDefault();
        close();
      }}
    >
      <h2 id={titleId}>
        Report · {e.model} {e.model_version}
      </h2>
      <BundleMarking handling={e.handling} label="Marking of this report" />
      {saved ? (
        <section className="export-result" aria-labelledby={`${titleId}-done`}>
          <h3 id={`${titleId}-done`} className="verdict verdict--ok">
            <span aria-hidden="true">✓</span> Report saved
          </h3>
          <dl className="facts facts--compact">
            <dt>File</dt>
            <dd className="break" data-testid="report-file">
              {saved.file_name}
            </dd>
            <dt>Size</dt>
            <dd>
              {formatBytes(saved.bytes)}
              {saved.pages !== null && `, ${plural(saved.pages, 'page')}`}
            </dd>
            <dt>Thresholds</dt>
            <dd className={includeThresholds ? 'thresholds-line thresholds-line--in' : 'thresholds-line'}>
              {includeThresholds ? '⚠ Included: the report carries them.' : 'Not included.'}
            </dd>
          </dl>
          <p className="muted">{saved.download_url ? 'Your browser saved it to its downloads folder.' : 'Saved where you chose.'} The marking is on every page.</p>
        </section>
      ) : (
        <div className="dialog-body">
          <fieldset className="choice-group" disabled={busy}>
            <legend>Format</legend>
            <label className="choice">
              <input type="radio" name={`${titleId}-format`} checked={format === 'pdf'} onChange={() => setFormat('pdf')} />
              <span>
                PDF
                <span className="choice-hint">Ready to print or file.</span>
              </span>
            </label>
            <label className="choice">
              <input type="radio" name={`${titleId}-format`} checked={format === 'html'} onChange={() => setFormat('html')} />
              <span>
                HTML
                <span className="choice-hint">One self-contained page; any browser prints it.</span>
              </span>
            </label>
          </fieldset>
          <ThresholdsChoice checked={includeThresholds} disabled={busy} onChange={setIncludeThresholds} into="report" />
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
      <div className="button-row button-row--end">
        <button type="button" className="button" onClick={close} disabled={busy} autoFocus={saved !== null}>
          {saved ? 'Done' : 'Close'}
        </button>
        {!saved && (
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void save()}>
            {busy ? 'Saving…' : desktop ? 'Save report…' : 'Save report'}
          </button>
        )}
      </div>
    </dialog>
  );
}

/** The engagement page's "Report…" button and its dialog. */
export function ReportButton({ engagement }: { engagement: Engagement }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Report…
      </button>
      <ReportDialog engagement={engagement} open={open} onClose={() => setOpen(false)} />
    </>
  );
}
