import { tmpdir } from 'node:os';
import type { Clock } from '../../shared/reviewWindow';
import { createDispatch, toApiError, type Dispatch, type Logger } from '../api/dispatch';
import { createHandlers } from '../api/handlers';
import { FileRefs } from '../files/fileRefs';
import type { KdfParams } from '../identity/keys';
import { JobRunner } from '../jobs/jobRunner';
import type { Platform } from '../platform/platform';
import { inlineImportRunner, workerImportRunner } from '../imports/importRunner';
import { EngagementService } from '../services/engagements';
import { RunService } from '../services/runs';
import { ThresholdService } from '../services/thresholds';
import { FindingService } from '../services/findings';
import { HistoryService } from '../services/history';
import { AttachmentService } from '../services/attachments';
import { NoteService } from '../services/notes';
import { SearchService } from '../services/search';
import { BundleService } from '../services/bundles';
import { KeyService } from '../services/keys';
import { ReviewService } from '../services/reviews';
import { SummaryService } from '../services/summary';
import { ReportService } from '../services/reports';
import { Workspace, type WorkspaceOptions } from '../workspace/workspace';
import { EventBus } from './eventBus';
import { DEFAULT_IDLE_LOCK_MS, startIdleLock } from './idleLock';

export type AppOptions = {
  dataDir: string;
  platform: Platform;
  appVersion: string;
  clock?: Clock;
  tempRoot?: string;
  /** Check every handler's answer against the contract (tests, development). */
  validateOutput?: boolean;
  log?: Logger;
  /** Cheaper scrypt for tests only; real workspaces use the default. */
  kdf?: KdfParams;
  nativeBinding?: string;
  /**
   * The built import worker (out/main/importWorker.js). Without it imports run on
   * this thread (tests); the app passes it so imports never block the UI.
   */
  importWorkerPath?: string;
  /** How often to look for writes by other processes (the CLI); 0 disables. */
  watchIntervalMs?: number;
  /** An encrypted workspace locks after this long without a call (default 15 minutes); 0 never. */
  idleLockMs?: number;
  /**
   * The event bus and file area of a host that outlives this app (main/app/workspaceHost.ts
   * reopens the workspace after a restore): kept, not disposed, on close.
   */
  shared?: { events: EventBus; files: FileRefs };
};

export type EvalNotesApp = {
  dispatch: Dispatch;
  events: EventBus;
  files: FileRefs;
  jobs: JobRunner;
  workspace: Workspace;
  /** Locks an idle encrypted workspace now instead of at the timer's next look (tests); true when it locked. */
  lockIfIdle(): boolean;
  close(): Promise<void>;
};

/** How the app opens its workspace (and how its host creates one encrypted, workspaceHost.ts). */
export function workspaceOptionsOf(opts: AppOptions): WorkspaceOptions {
  return {
    dataDir: opts.dataDir,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.kdf ? { kdf: opts.kdf } : {}),
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    // Never block the event loop waiting for an import's write lock: dispatch retries.
    busyTimeoutMs: 20,
  };
}

/**
 * The composition root shared by the desktop shell and the serve host: opens the
 * workspace, builds the services and the one handler object both transports use.
 * Throws AppError (WORKSPACE_DAMAGED, WORKSPACE_TOO_NEW) when the workspace
 * cannot be opened.
 */
export function createApp(opts: AppOptions): EvalNotesApp {
  const workspace = Workspace.open(workspaceOptionsOf(opts));
  const events = opts.shared?.events ?? new EventBus();
  const changed = (types: string[]) => events.emit('records:changed', { types });
  const jobs = new JobRunner(events, (e) => toApiError(e, opts.log));
  const files = opts.shared?.files ?? new FileRefs(opts.tempRoot ?? tmpdir());
  // Asked at each import's start: an encrypted workspace's key goes along only while unlocked.
  const location = () => workspace.location();
  const keys = new KeyService(workspace);
  const blobs = workspace.blobStore();
  blobs.sweepStaleTemp();
  const handlers = createHandlers({
    ws: workspace,
    engagements: new EngagementService(workspace, changed),
    runs: new RunService(workspace, changed),
    thresholds: new ThresholdService(workspace, changed),
    findings: new FindingService(workspace, changed),
    history: new HistoryService(workspace),
    notes: new NoteService(workspace, changed),
    attachments: new AttachmentService(workspace, blobs, files, changed),
    search: new SearchService(workspace),
    keys,
    reviews: new ReviewService(workspace, changed),
    summary: new SummaryService(workspace),
    reports: new ReportService(workspace, { appVersion: opts.appVersion, files, platform: opts.platform }),
    bundles: new BundleService(workspace, blobs, { appVersion: opts.appVersion, files, trust: () => keys.lookup() }),
    runImport: opts.importWorkerPath ? workerImportRunner(location, opts.importWorkerPath) : inlineImportRunner(location),
    files,
    changed,
    jobs,
    platform: opts.platform,
    appVersion: opts.appVersion,
  });
  const stopWatching = watchOtherWriters(workspace, opts.watchIntervalMs ?? 1500, () => changed(['*']));
  const idle = startIdleLock({
    ws: workspace,
    clock: opts.clock ?? { now: () => new Date() },
    idleMs: opts.idleLockMs ?? DEFAULT_IDLE_LOCK_MS,
    busy: () => jobs.list().some((j) => j.state === 'running'),
    onLock: () => events.emit('workspace:locked', { reason: 'idle', after_ms: opts.idleLockMs ?? DEFAULT_IDLE_LOCK_MS }),
  });
  const dispatch = createDispatch(handlers, { validateOutput: opts.validateOutput ?? false, ...(opts.log ? { log: opts.log } : {}) });

  return {
    // Any call but a status check counts as use: the renderer may ask for the status with no person there.
    dispatch: (name, input) => {
      if (name !== 'workspace:status') idle.touch();
      return dispatch(name, input);
    },
    events,
    files,
    jobs,
    workspace,
    lockIfIdle: () => idle.check(),
    async close() {
      idle.stop();
      stopWatching();
      await jobs.stopAll();
      if (!opts.shared) files.dispose();
      workspace.close();
    },
  };
}

/**
 * SQLite's data_version changes when another connection commits: the CLI wrote
 * to the workspace while the app is open, so views should refresh.
 */
function watchOtherWriters(ws: Workspace, intervalMs: number, onChange: () => void): () => void {
  if (intervalMs <= 0) return () => {};
  // A locked encrypted workspace has no connection; data_version belongs to a connection, so a new one starts afresh.
  const version = () => (ws.isOpen ? (ws.db.pragma('data_version', { simple: true }) as number) : null);
  let last = version();
  const timer = setInterval(() => {
    const now = version();
    if (now === null) return;
    if (last === null) {
      last = now;
      return;
    }
    if (now !== last) {
      last = now;
      onChange();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
