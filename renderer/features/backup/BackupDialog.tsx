import { useId, useRef, useState } from 'react';
import { BACKUP_EXTENSION, backupFileName, BackupSummary } from '../../../shared/domain/backup';
import { call, transport } from '../../lib/api';
import { downloadFromUrl } from '../../lib/files';
import { formatBytes, formatTimestamp, plural } from '../../lib/format';
import { useModalDialog } from '../../lib/useModalDialog';
import { JobProgressLine } from '../bundles/JobProgressLine';
import { useJobFlow } from './useJobFlow';

function Result({ summary }: { summary: BackupSummary }) {
  return (
    <section className="export-result" aria-labelledby="backup-result-title">
      <h3 id="backup-result-title" className="verdict verdict--ok">
        <span aria-hidden="true">✓</span> Backup written
      </h3>
      <dl className="facts facts--compact">
        <dt>File</dt>
        <dd className="break" data-testid="backup-file">
          {summary.file}
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(summary.bytes)}</dd>
        <dt>Holds</dt>
        <dd>
          {summary.members > 1
            ? `The database and ${plural(summary.members - 1, 'stored file')} (evidence, imported logs), each with its SHA-256`
            : 'The database (no evidence or imported logs yet), with its SHA-256'}
        </dd>
        <dt>Made</dt>
        <dd>{formatTimestamp(summary.created_at)}</dd>
      </dl>
      <p className="muted">
        {summary.download_url ? 'Your browser saved it to its downloads folder.' : 'Saved where you chose.'} Keep it somewhere as safe as this machine:
        it holds everything in the workspace.
      </p>
    </section>
  );
}

/**
 * Backup…: the whole workspace into one file, as a job with progress and
 * Cancel. The desktop asks where to save it first; the browser downloads it.
 */
export function BackupDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const job = useJobFlow(BackupSummary);
  const { phase, result, error, progress, cancelling } = job.state;
  useModalDialog(ref, open);

  function close() {
    if (job.busy) {
      void job.cancel();
      return;
    }
    job.reset();
    onClose();
  }

  async function backupNow() {
    const summary = await job.run(async () => {
      if (transport() === 'desktop') {
        const to = await call('dialog:saveFile', {
          title: 'Save the backup',
          default_name: backupFileName(new Date().toISOString()),
          filters: [{ name: 'EvalNotes backups', extensions: [BACKUP_EXTENSION.slice(1)] }],
        });
        return to ? () => call('backup:create', { to }) : null;
      }
      return () => call('backup:create', { to: null });
    });
    if (summary?.download_url) downloadFromUrl(summary.download_url, summary.file);
  }

  const finished = phase === 'finished' && result !== null;
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(ev) => {
        ev.preventDefault();
        close();
      }}
    >
      <h2 id={titleId}>Back up this workspace</h2>
      {finished ? (
        <Result summary={result} />
      ) : (
        <div className="dialog-body">
          <p>
            One file with everything in this workspace: every record and its history, the audit chain, evidence and imported logs, the trusted keys,
            and your signing key as it is stored (still protected by your passphrase).
          </p>
          <p className="muted small">
            The database is copied while you go on working. Each file’s SHA-256 is recorded, so the backup can be checked before it is restored.
          </p>
          {job.busy && (
            <JobProgressLine label="Writing the backup" progress={progress} waiting="Starting…" cancelling={cancelling} onCancel={() => void job.cancel()} />
          )}
          {phase === 'cancelled' && (
            <p className="callout" role="status">
              Backup cancelled; no file was written.
            </p>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
      <div className="button-row button-row--end">
        <button type="button" className="button" onClick={close} autoFocus={finished}>
          {finished ? 'Done' : job.busy ? 'Cancel backup' : 'Close'}
        </button>
        {!finished && (
          <button type="button" className="button button--primary" disabled={job.busy} onClick={() => void backupNow()}>
            {job.busy ? 'Backing up…' : 'Save backup'}
          </button>
        )}
      </div>
    </dialog>
  );
}

/** The sidebar's "Backup…" action and its dialog. */
export function BackupButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button button--ghost button--small" onClick={() => setOpen(true)}>
        Backup…
      </button>
      <BackupDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}
