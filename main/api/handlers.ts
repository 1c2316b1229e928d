import type { WorkspaceStatus } from '../../shared/api/contract';
import { AppError } from '../../shared/result';
import type { JobRunner } from '../jobs/jobRunner';
import type { Platform } from '../platform/platform';
import { verifyAuditChain } from '../audit/auditChain';
import type { EngagementService } from '../services/engagements';
import type { Workspace } from '../workspace/workspace';
import type { Handlers } from './dispatch';

export type HandlerDeps = {
  ws: Workspace;
  engagements: EngagementService;
  jobs: JobRunner;
  platform: Platform;
  appVersion: string;
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
