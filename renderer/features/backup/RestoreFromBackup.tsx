import { useId, useRef, useState, type ReactNode } from 'react';
import type { FileRef } from '../../../shared/api/files';
import { BACKUP_EXTENSION, RestoreSummary } from '../../../shared/domain/backup';
import { call } from '../../lib/api';
import { pickAndUploadFiles } from '../../lib/files';
import { formatBytes, formatTimestamp } from '../../lib/format';
import { useModalDialog } from '../../lib/useModalDialog';
import { useUiStore } from '../../stores/uiStore';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { JobProgressLine } from '../bundles/JobProgressLine';
import { useJobFlow } from './useJobFlow';

/** What a restore replaces: a damaged workspace, one not created yet, or a locked one. */
export type RestoreOver = 'damaged' | 'empty' | 'locked';

function whatHappens(over: RestoreOver, dataDir: string): string {
  const folder = dataDir.split(/[\\/]/).filter(Boolean).at(-1) ?? 'workspace';
  if (over === 'damaged') return `The damaged folder is moved aside as “${folder}.damaged-<date and time>” beside it and kept, never deleted; the backup takes its place.`;
  if (over === 'locked') return `The workspace here now is moved aside as “${folder}.replaced-<date and time>” and kept, never deleted; the backup takes its place.`;
  return `The backup becomes this app’s workspace; the empty folder here now is kept beside it as “${folder}.replaced-<date and time>”.`;
}

/**
 * Choose a backup, then Restore: the whole file is checked (every digest, the
 * database’s integrity, the version) before anything changes, as a job with
 * progress and Cancel. Once restored the app shows the unlock screen for the
 * restored identity.
 */
export function RestorePanel({
  over,
  dataDir,
  onRestored,
  otherAction,
}: {
  over: RestoreOver;
  dataDir: string;
  onRestored?: () => void;
  /** A button beside Restore (the dialog's Close). */
  otherAction?: ReactNode;
}) {
  const load = useWorkspaceStore((s) => s.load);
  const notify = useUiStore((s) => s.notify);
  const [chosen, setChosen] = useState<FileRef | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [chooseError, setChooseError] = useState<string | null>(null);
  const job = useJobFlow(RestoreSummary);
  const { phase, progress, cancelling, error } = job.state;

  async function choose() {
    setChoosing(true);
    setChooseError(null);
    job.reset();
    try {
      const picked = await pickAndUploadFiles({ title: 'Choose a backup', extensions: [BACKUP_EXTENSION.slice(1)], multiple: false, filterName: 'EvalNotes backups' });
      if (picked.failed[0]) setChooseError(`${picked.failed[0].name}: ${picked.failed[0].message}`);
      else if (picked.refs[0]) setChosen(picked.refs[0]);
    } finally {
      setChoosing(false);
    }
  }

  async function restore() {
    if (!chosen) return;
    const file = chosen;
    const summary = await job.run(() => Promise.resolve(() => call('backup:restore', { file })));
    // The restore job releases the file, whatever its outcome: choose it again to retry.
    setChosen(null);
    if (!summary) return;
    const aside = summary.moved_aside ? ` The workspace that was here is kept in ${summary.moved_aside}.` : '';
    notify('info', `Restored the backup made ${formatTimestamp(summary.created_at)}.${aside} Unlock it with the passphrase it had then.`);
    onRestored?.();
    await load();
  }

  const busy = job.busy || choosing;
  return (
    <div className="restore-panel">
      <p className="muted">{whatHappens(over, dataDir)}</p>
      <div className="button-row">
        <button type="button" className="button" disabled={busy} onClick={() => void choose()}>
          {chosen ? 'Choose another backup…' : 'Choose a backup…'}
        </button>
        {chosen && (
          <span className="break" data-testid="chosen-backup">
            {chosen.name} {chosen.size !== null && <span className="muted">({formatBytes(chosen.size)})</span>}
          </span>
        )}
      </div>
      {job.busy && (
        <JobProgressLine label="Restoring the backup" progress={progress} waiting="Starting…" cancelling={cancelling} onCancel={() => void job.cancel()} />
      )}
      {phase === 'cancelled' && (
        <p className="callout" role="status">
          Restore cancelled; nothing was changed.
        </p>
      )}
      {(error ?? chooseError) && (
        <p className="form-error" role="alert">
          {error ?? chooseError} Nothing was changed.
        </p>
      )}
      <div className="button-row button-row--end">
        {otherAction}
        <button type="button" className="button button--primary" disabled={!chosen || busy} onClick={() => void restore()}>
          {job.busy ? 'Restoring…' : 'Restore this backup'}
        </button>
      </div>
    </div>
  );
}

/** "Restore from a backup…" on the first-run and unlock screens, in a dialog of its own. */
export function RestoreFromBackupLink({ over, dataDir }: { over: Exclude<RestoreOver, 'damaged'>; dataDir: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  useModalDialog(ref, open);
  return (
    <div className="gate-alternative">
      <p className="muted">
        {over === 'empty' ? 'Moving to a new machine?' : 'Replacing this workspace?'}{' '}
        <button type="button" className="button button--ghost button--small" onClick={() => setOpen(true)}>
          Restore from a backup…
        </button>
      </p>
      <dialog
        ref={ref}
        className="dialog"
        aria-labelledby={titleId}
        onCancel={(ev) => {
          ev.preventDefault();
          setOpen(false);
        }}
      >
        <h2 id={titleId}>Restore from a backup</h2>
        {/* Mounted while closed too: a restore still running reloads the screen when it ends. */}
        <RestorePanel
          over={over}
          dataDir={dataDir}
          onRestored={() => setOpen(false)}
          otherAction={
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Close
            </button>
          }
        />
      </dialog>
    </div>
  );
}
