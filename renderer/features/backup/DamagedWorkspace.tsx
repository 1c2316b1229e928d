import type { WorkspaceStatus } from '../../../shared/api/contract';
import { GateLayout } from '../workspace/GateLayout';
import { RestorePanel } from './RestoreFromBackup';

/**
 * Shown instead of the app when the workspace database cannot be opened
 * (it fails SQLite's integrity check, or is not a database at all). Nothing
 * else is offered: every other call would meet the same damage.
 */
export function DamagedWorkspace({ status }: { status: WorkspaceStatus }) {
  return (
    <GateLayout wide>
      <h1>This workspace is damaged</h1>
      <p className="form-error" role="alert">
        {status.problem ?? 'EvalNotes cannot open the workspace database.'}
      </p>
      <p>
        EvalNotes cannot open it, and has changed nothing in it. Restore the workspace from a backup: the backup is checked in full before anything
        is replaced.
      </p>
      <dl className="facts facts--compact">
        <dt>Workspace folder</dt>
        <dd className="mono break" data-testid="damaged-folder">
          {status.data_dir}
        </dd>
      </dl>
      <h2 className="subheading">Restore from a backup</h2>
      <RestorePanel over="damaged" dataDir={status.data_dir} />
    </GateLayout>
  );
}
