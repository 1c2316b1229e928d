import type { WorkspaceStatus } from '../../shared/api/contract';
import { AppError } from '../../shared/result';
import type { JobRunner } from '../jobs/jobRunner';
import type { Platform } from '../platform/platform';
import { verifyAuditChain } from '../audit/auditChain';
import type { FileRefs } from '../files/fileRefs';
import type { ImportRunner } from '../imports/importRunner';
import type { EngagementService } from '../services/engagements';
import type { RunService } from '../services/runs';
import type { ThresholdService } from '../services/thresholds';
import type { Workspace } from '../workspace/workspace';
import type { Handlers } from './dispatch';

export type HandlerDeps = {
  ws: Workspace;
  engagements: EngagementService;
  runs: RunService;
  thresholds: ThresholdService;
  runImport: ImportRunner;
  files: FileRefs;
  jobs: JobRunner;
  platform: Platform;
  appVersion: string;
  changed: (types: string[]) => void;
};

/**
 * One handler per contract call, shared by both transports. Handlers hold no
 * logic beyond access rules: data calls need an unlocked workspace.
 */
export function createHandlers(d: HandlerDeps): Handlers {
  const status = (): WorkspaceStatus => {
    const identity = d.ws.identity();
    return {
      state: !identity ? 'uninitialized' : d.ws.unlocked ? 'unlocked' : 'locked',
      identity,
      app_version: d.appVersion,
      data_dir: d.ws.dataDir,
      transport: d.platform.transport,
    };
  };
  const unlocked = () => d.ws.requireUnlocked();

  return {
    'workspace:status': () => status(),
    'workspace:create': async (input) => {
      await d.ws.create(input);
      return status();
    },
    'workspace:unlock': async ({ passphrase }) => {
      await d.ws.unlock(passphrase);
      return status();
    },
    'workspace:lock': () => {
      d.ws.lock();
      return status();
    },

    'engagements:list': ({ include_closed }) => (unlocked(), d.engagements.list({ includeClosed: include_closed })),
    'engagement:get': ({ id }) => (unlocked(), d.engagements.get(id)),
    'engagement:create': (input) => (unlocked(), d.engagements.create(input)),
    'engagement:update': ({ id, changes, base_revision }) => (unlocked(), d.engagements.update(id, changes, base_revision)),
    'engagement:close': ({ id }) => (unlocked(), d.engagements.close(id)),

    'imports:start': ({ engagement_id, files, samples }) => {
      unlocked();
      d.engagements.get(engagement_id);
      const resolve = (refs: typeof files) => refs.map((f) => d.files.resolve(f.ref, 'read'));
      const request = { engagementId: engagement_id, files: resolve(files), samples: resolve(samples) };
      return d.jobs.start('import', async (ctx) => {
        try {
          const summary = await d.runImport(request, ctx);
          d.changed(['run', 'result', 'sample']);
          return summary;
        } finally {
          // The logs are in the blob store now (or refused): free uploaded copies.
          for (const f of [...files, ...samples]) d.files.release(f.ref);
        }
      });
    },
    'runs:list': ({ engagement_id }) => (unlocked(), d.runs.list(engagement_id)),
    'run:get': ({ id }) => (unlocked(), d.runs.get(id)),
    'run:createManual': (input) => (unlocked(), d.runs.createManual(input)),
    'samples:list': ({ run_id, ...page }) => (unlocked(), d.runs.samples(run_id, page)),
    'sample:get': ({ id }) => (unlocked(), d.runs.sample(id)),

    'thresholds:list': ({ engagement_id }) => (unlocked(), d.thresholds.list(engagement_id)),
    'threshold:create': (input) => (unlocked(), d.thresholds.create(input)),
    'threshold:update': ({ id, changes, base_revision }) => (unlocked(), d.thresholds.update(id, changes, base_revision)),
    'threshold:delete': ({ id }) => {
      unlocked();
      d.thresholds.delete(id);
      return { deleted: true as const };
    },

    'audit:verify': () => (unlocked(), verifyAuditChain(d.ws.db)),

    'jobs:list': () => d.jobs.list(),
    'job:cancel': ({ job_id }) => ({ cancelled: d.jobs.cancel(job_id) }),

    'dialog:openFiles': (opts) => {
      if (d.platform.transport !== 'desktop') throw new AppError('UNSUPPORTED', 'Native file dialogs exist only in the desktop app; upload the file instead.');
      return d.platform.openFiles(opts);
    },
    'dialog:saveFile': (opts) => {
      if (d.platform.transport !== 'desktop') throw new AppError('UNSUPPORTED', 'Native file dialogs exist only in the desktop app; the browser downloads the file instead.');
      return d.platform.saveFile(opts);
    },
  };
}
