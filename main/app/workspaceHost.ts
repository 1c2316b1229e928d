/**
 * What the desktop shell and the serve host run: the app (createApp) around
 * the workspace, and what must outlive it. A workspace whose database is
 * damaged does not stop EvalNotes from starting: the host answers in a
 * "damaged" state in which only restoring a backup is offered, and restoring
 * (from that screen, or over a workspace not yet created or still locked)
 * closes the app, swaps the folder and opens the app again. The event bus,
 * the file area and the restore job belong to the host, so the renderer's
 * event stream and its file refs survive the swap.
 */
import { tmpdir } from 'node:os';
import { callNames, type CallName, type WorkspaceStatus } from '../../shared/api/contract';
import { AppError } from '../../shared/result';
import { createDispatch, toApiError, type Dispatch, type Handlers } from '../api/dispatch';
import { asidePathFor, restoreBackup } from '../backup/restoreBackup';
import { FileRefs } from '../files/fileRefs';
import { JobRunner } from '../jobs/jobRunner';
import { Workspace } from '../workspace/workspace';
import { createApp, workspaceOptionsOf, type AppOptions, type EvalNotesApp } from './createApp';
import { EventBus } from './eventBus';

export type EvalNotesHost = {
  dispatch: Dispatch;
  events: EventBus;
  files: FileRefs;
  /** The open app, or null while the workspace is damaged (or being swapped). */
  current(): EvalNotesApp | null;
  /** Why the workspace could not be opened, or null when it is open. */
  problem(): string | null;
  close(): Promise<void>;
};

/** Calls the host answers itself, whatever state the workspace is in. */
const HOST_CALLS = new Set<CallName>(['backup:restore', 'jobs:list', 'job:cancel']);

/**
 * Opens the workspace in `opts.dataDir`. A damaged one (WORKSPACE_DAMAGED)
 * leaves the host in the damaged state; any other failure to open (a
 * workspace made by a newer EvalNotes) is thrown, as createApp throws it.
 */
export function openWorkspaceHost(opts: AppOptions): EvalNotesHost {
  const events = new EventBus();
  const files = new FileRefs(opts.tempRoot ?? tmpdir());
  const restores = new JobRunner(events, (e) => toApiError(e, opts.log));
  let app: EvalNotesApp | null = null;
  let problem: string | null = null;
  let restoring = false;
  let creating = false;

  const open = (afterRestore: boolean) => {
    try {
      app = createApp({ ...opts, shared: { events, files } });
      problem = null;
    } catch (error) {
      // At start, only damage is turned into a screen; after a restore, nothing may bring the host down.
      if (!(error instanceof AppError) || (!afterRestore && error.code !== 'WORKSPACE_DAMAGED')) throw error;
      app = null;
      problem = error.message;
    }
  };
  try {
    open(false);
  } catch (error) {
    files.dispose();
    throw error;
  }

  const status = (): WorkspaceStatus => ({
    state: 'damaged',
    problem: problem ?? 'The workspace is being replaced by a backup; wait for the restore to finish.',
    identity: null,
    app_version: opts.appVersion,
    data_dir: opts.dataDir,
    transport: opts.platform.transport,
  });

  const refuse = () => {
    throw new AppError('WORKSPACE_DAMAGED', problem ?? 'The workspace is being replaced by a backup; wait for the restore to finish.');
  };
  const own = {
    ...(Object.fromEntries(callNames.map((name) => [name, refuse])) as unknown as Handlers),
    'workspace:status': status,
    'jobs:list': () => [...restores.list(), ...(app?.jobs.list() ?? [])],
    'job:cancel': ({ job_id }) => ({ cancelled: restores.cancel(job_id) || (app?.jobs.cancel(job_id) ?? false) }),
    'dialog:openFiles': (o) => {
      if (opts.platform.transport !== 'desktop') throw new AppError('UNSUPPORTED', 'Native file dialogs exist only in the desktop app; upload the file instead.');
      return opts.platform.openFiles(o);
    },
    // First run with "Encrypt this workspace": the app has the folder open as a plain, empty
    // workspace, so it is closed, created encrypted from the first byte (as `init --encrypt`
    // does) and opened again, unlocked with the same passphrase. A plain identity is the app's.
    'workspace:create': async ({ encrypt, ...identity }) => {
      const current = app;
      if (current === null || !encrypt) return refuse();
      if (creating) throw new AppError('CONFLICT', 'The workspace is being created already.');
      if (current.workspace.identity()) throw new AppError('ALREADY_INITIALIZED', `The workspace in ${opts.dataDir} already has an identity.`);
      creating = true;
      try {
        app = null;
        await current.close();
        (await Workspace.createEncrypted(workspaceOptionsOf(opts), identity)).close();
      } finally {
        // Opened again whatever happened: encrypted if it was created, as it was if not.
        open(true);
        creating = false;
      }
      const reopened = app as EvalNotesApp | null; // set again by open()
      if (reopened === null) return refuse();
      await reopened.workspace.unlock(identity.passphrase);
      const opened = await reopened.dispatch('workspace:status', {});
      if (!opened.ok) throw new AppError(opened.error.code, opened.error.message);
      return opened.value as WorkspaceStatus;
    },
    'backup:restore': ({ file }) => {
      if (restoring) throw new AppError('CONFLICT', 'A backup is being restored already; wait for it to finish.');
      if (app?.workspace.unlocked) throw new AppError('FORBIDDEN', 'Lock the workspace before restoring a backup over it.');
      if (app?.jobs.list().some((j) => j.state === 'running')) throw new AppError('CONFLICT', 'Wait for the running jobs to finish (or cancel them) before restoring a backup.');
      const path = files.resolve(file.ref, 'read').path;
      const now = opts.clock?.now() ?? new Date();
      const asidePath = asidePathFor(opts.dataDir, app ? 'replaced' : 'damaged', now);
      restoring = true;
      return restores.start('restore', async (ctx) => {
        let closed = false;
        try {
          return await restoreBackup(path, opts.dataDir, {
            signal: ctx.signal,
            progress: (done, total, message) => ctx.progress(done, total, message),
            replace: {
              asidePath,
              beforeSwap: async () => {
                closed = true;
                const closing = app;
                app = null;
                await closing?.close();
              },
            },
          });
        } finally {
          files.release(file.ref);
          // Whatever is in the folder now (the backup, or the old workspace put back) is opened again.
          if (closed || app === null) open(true);
          restoring = false;
        }
      });
    },
  } satisfies Partial<Handlers> as Handlers;
  const ownDispatch = createDispatch(own, { validateOutput: opts.validateOutput ?? false, ...(opts.log ? { log: opts.log } : {}) });

  return {
    dispatch: (name, input) => {
      const current: EvalNotesApp | null = app;
      if (current === null || HOST_CALLS.has(name as CallName) || (name === 'workspace:create' && (input as { encrypt?: unknown } | null)?.encrypt === true)) {
        return ownDispatch(name, input);
      }
      return current.dispatch(name, input);
    },
    events,
    files,
    current: () => app,
    problem: () => problem,
    async close() {
      await restores.stopAll();
      const closing: EvalNotesApp | null = app;
      app = null;
      await closing?.close();
      files.dispose();
    },
  };
}
