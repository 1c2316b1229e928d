import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { WorkspaceStatus } from '../../shared/api/contract';
import { AppError } from '../../shared/result';
import { recordFolders } from '../../shared/domain/records';
import type { JobRunner } from '../jobs/jobRunner';
import type { Platform } from '../platform/platform';
import { verifyAuditChain } from '../audit/auditChain';
import type { FileRefs } from '../files/fileRefs';
import type { ImportRunner } from '../imports/importRunner';
import type { EngagementService } from '../services/engagements';
import type { RunService } from '../services/runs';
import type { ThresholdService } from '../services/thresholds';
import type { FindingService } from '../services/findings';
import type { HistoryService } from '../services/history';
import type { AttachmentService } from '../services/attachments';
import type { NoteService } from '../services/notes';
import type { SearchService } from '../services/search';
import type { BundleService } from '../services/bundles';
import { CsafService, type CsafExport } from '../services/csaf';
import type { KeyService } from '../services/keys';
import type { ReviewService } from '../services/reviews';
import type { SummaryService } from '../services/summary';
import type { ReportService } from '../services/reports';
import { verifyBundleFile } from '../bundles/verifyBundle';
import { BackupService } from '../backup/backupService';
import type { Workspace } from '../workspace/workspace';
import type { Handlers } from './dispatch';

const folderTypes = new Map(Object.entries(recordFolders).map(([type, folder]) => [folder, type]));
/** records:changed names record types; an ingest summary counts by bundle folder. */
const typeOfFolder = (folder: string) => folderTypes.get(folder) ?? folder;

export type HandlerDeps = {
  ws: Workspace;
  engagements: EngagementService;
  runs: RunService;
  thresholds: ThresholdService;
  findings: FindingService;
  history: HistoryService;
  notes: NoteService;
  attachments: AttachmentService;
  search: SearchService;
  bundles: BundleService;
  keys: KeyService;
  reviews: ReviewService;
  summary: SummaryService;
  reports: ReportService;
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
  const csaf = new CsafService(d.ws, d.findings, { appVersion: d.appVersion, files: d.files });
  const backups = new BackupService(d.ws, { appVersion: d.appVersion, files: d.files });

  return {
    'workspace:status': () => status(),
    'workspace:create': async ({ encrypt, ...input }) => {
      // An encrypted workspace replaces the open (plain, empty) one: the host does that (workspaceHost.ts).
      if (encrypt) throw new AppError('UNSUPPORTED', 'This app cannot create an encrypted workspace itself; use `evalnotes init --encrypt`.');
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

    'findings:list': (filter) => (unlocked(), d.findings.list(filter)),
    'finding:get': ({ id }) => (unlocked(), d.findings.get(id)),
    'finding:atRevision': ({ id, revision }) => (unlocked(), d.findings.atRevision(id, revision)),
    'finding:create': (input) => (unlocked(), d.findings.create(input)),
    'finding:update': ({ id, changes, base_revision }) => (unlocked(), d.findings.update(id, changes, base_revision)),
    'finding:setStatus': ({ id, status, base_revision }) => (unlocked(), d.findings.setStatus(id, status, base_revision)),
    'finding:addEvidence': ({ id, evidence }) => (unlocked(), d.findings.addEvidence(id, evidence)),
    'finding:delete': ({ id }) => {
      unlocked();
      d.findings.delete(id);
      return { deleted: true as const };
    },
    'finding:csaf': async ({ finding_id, to, namespace }) => {
      unlocked();
      const opts = { namespace };
      const answer = (e: CsafExport, saved: boolean) => ({ tracking_id: e.tracking_id, file_name: e.file_name, bytes: e.bytes, saved, download_url: e.download_url });
      if (d.platform.transport === 'browser') return answer(await csaf.offerDownload(finding_id, opts), false);
      if (!to) throw new AppError('INVALID_INPUT', 'Choose where to save the advisory first.');
      try {
        return answer(await csaf.writeTo(finding_id, d.files.resolve(to.ref, 'write').path, opts), true);
      } finally {
        d.files.release(to.ref);
      }
    },
    'record:history': ({ id }) => (unlocked(), d.history.of(id)),

    'notes:list': ({ engagement_id, on }) => (unlocked(), d.notes.list(engagement_id, on)),
    'note:create': (input) => (unlocked(), d.notes.create(input)),
    'note:update': ({ id, body, base_revision }) => (unlocked(), d.notes.update(id, body, base_revision)),
    'note:delete': ({ id }) => {
      unlocked();
      d.notes.delete(id);
      return { deleted: true as const };
    },
    'attachment:add': ({ engagement_id, file }) => (unlocked(), d.attachments.add(engagement_id, file)),
    'attachments:list': ({ engagement_id }) => (unlocked(), d.attachments.list(engagement_id)),
    'attachment:preview': ({ id }) => (unlocked(), d.attachments.preview(id)),
    'attachment:download': async ({ id, to }) => {
      unlocked();
      if (d.platform.transport === 'browser') return { saved: false, download_url: d.attachments.offerDownload(id) };
      if (!to) throw new AppError('INVALID_INPUT', 'Choose where to save the file first.');
      try {
        await d.attachments.saveCopy(id, d.files.resolve(to.ref, 'write').path);
      } finally {
        d.files.release(to.ref);
      }
      return { saved: true, download_url: null };
    },
    'files:fromBytes': ({ name, bytes }) => {
      if (d.platform.transport !== 'desktop') throw new AppError('UNSUPPORTED', 'Pasted files reach EvalNotes this way only in the desktop app; the browser uploads them instead.');
      return d.files.fromBytes(name, bytes);
    },
    'search:query': (q) => (unlocked(), d.search.query(q)),

    'keys:show': () => d.keys.show(),
    'keys:list': () => (unlocked(), d.keys.list()),
    'keys:trust': (input) => (unlocked(), d.keys.trust(input)),
    'keys:untrust': ({ key_id }) => (unlocked(), d.keys.untrust(key_id)),
    // The passphrase is asked again: a rotation is signed with the key it retires.
    'keys:rotate': ({ passphrase }) => (unlocked(), d.keys.rotate(passphrase)),
    'keys:reassign': (input) => (unlocked(), d.keys.reassign(input)),
    // The current passphrase proves who asks, so a locked workspace may change it too.
    'keys:changePassphrase': ({ current, next }) => d.keys.changePassphrase(current, next),
    'keys:exportPublic': async ({ to }) => {
      const { name } = d.keys.publicKeyFile();
      if (d.platform.transport === 'browser') return { saved: false, file_name: name, download_url: await d.keys.offerPublicKey(d.files) };
      if (!to) throw new AppError('INVALID_INPUT', 'Choose where to save the public key first.');
      try {
        await d.keys.savePublicKey(d.files.resolve(to.ref, 'write').path);
      } finally {
        d.files.release(to.ref);
      }
      return { saved: true, file_name: to.name, download_url: null };
    },
    'bundle:preview': ({ engagement_id, findings, include_thresholds }) => (
      unlocked(), d.bundles.preview({ engagementId: engagement_id, findings, includeThresholds: include_thresholds })
    ),
    'bundle:export': ({ engagement_id, findings, include_thresholds, forward, confirm_credentials, to }) => {
      unlocked();
      if (!to && d.platform.transport === 'desktop') throw new AppError('INVALID_INPUT', 'Choose where to save the bundle first.');
      // Refs are resolved now, so a bad one fails the call rather than the job.
      const forwardPaths = forward.map((f) => d.files.resolve(f.ref, 'read').path);
      const target = to ? d.files.resolve(to.ref, 'write').path : null;
      const request = { engagementId: engagement_id, findings, includeThresholds: include_thresholds, forward: forwardPaths, confirmCredentials: confirm_credentials };
      return d.jobs.start('export', async (ctx) => {
        try {
          return await d.bundles.export(request, target, ctx);
        } finally {
          if (to) d.files.release(to.ref);
          for (const f of forward) d.files.release(f.ref);
        }
      });
    },
    'bundle:verify': ({ file }) => {
      unlocked();
      const path = d.files.resolve(file.ref, 'read').path;
      const trust = d.keys.lookup();
      return d.jobs.start('verify', async (ctx) => {
        try {
          return await verifyBundleFile(path, { trust, signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total, 'Checking every entry’s digest') });
        } finally {
          // An uploaded bundle is not needed any more, whatever the answer.
          d.files.release(file.ref);
        }
      });
    },
    'bundle:ingest': ({ file }) => {
      unlocked();
      const path = d.files.resolve(file.ref, 'read').path;
      return d.jobs.start('ingest', async (ctx) => {
        try {
          const summary = await d.bundles.ingest(path, ctx);
          const changed = Object.entries(summary.by_type).filter(([, n]) => n.added + n.updated > 0);
          if (changed.length > 0) d.changed(changed.map(([folder]) => typeOfFolder(folder)));
          return summary;
        } finally {
          d.files.release(file.ref);
        }
      });
    },

    'reviews:list': ({ finding_id }) => (unlocked(), d.reviews.list(finding_id)),
    'review:create': (input) => (unlocked(), d.reviews.create(input)),
    'determination:get': ({ engagement_id }) => (unlocked(), d.reviews.determination(engagement_id)),
    'determination:record': (input) => (unlocked(), d.reviews.determine(input)),
    'summary:get': () => (unlocked(), d.summary.get()),
    'report:save': async ({ engagement_id, format, include_thresholds, to }) => {
      unlocked();
      const req = { engagementId: engagement_id, format, includeThresholds: include_thresholds };
      if (d.platform.transport === 'browser') return { ...(await d.reports.offerDownload(req)), saved: false };
      if (!to) throw new AppError('INVALID_INPUT', 'Choose where to save the report first.');
      try {
        return { ...(await d.reports.writeTo(req, d.files.resolve(to.ref, 'write').path)), saved: true };
      } finally {
        d.files.release(to.ref);
      }
    },

    'audit:verify': () => (unlocked(), verifyAuditChain(d.ws.db)),

    // The backup copies files and needs no key, but a locked app hands out none of the workspace.
    'backup:create': ({ to }) => {
      unlocked();
      if (!to && d.platform.transport === 'desktop') throw new AppError('INVALID_INPUT', 'Choose where to save the backup first.');
      const target = to ? d.files.resolve(to.ref, 'write').path : null;
      return d.jobs.start('backup', async (ctx) => {
        try {
          return await backups.create(target, ctx);
        } finally {
          if (to) d.files.release(to.ref);
        }
      });
    },
    // Restoring replaces the open workspace, so the host around the app (main/app/workspaceHost.ts) answers it.
    'backup:restore': () => {
      throw new AppError('UNSUPPORTED', 'Restoring a backup needs the app to reopen its workspace; use `evalnotes restore` here.');
    },

    'jobs:list': () => d.jobs.list(),
    'job:cancel': ({ job_id }) => ({ cancelled: d.jobs.cancel(job_id) }),

    'dialog:openFiles': (opts) => {
      if (d.platform.transport !== 'desktop') throw new AppError('UNSUPPORTED', 'Native file dialogs exist only in the desktop app; upload the file instead.');
      return d.platform.openFiles(opts);
    },
    'files:dropped': async ({ path }) => {
      if (d.platform.transport !== 'desktop') throw new AppError('UNSUPPORTED', 'Dropped files reach main this way only in the desktop app; the browser uploads them.');
      const info = await stat(path).catch(() => null);
      if (!isAbsolute(path) || !info?.isFile()) throw new AppError('INVALID_INPUT', 'What was dropped is not a readable file; drop files from a folder instead.');
      return d.files.register(path, 'read');
    },
    'dialog:saveFile': (opts) => {
      if (d.platform.transport !== 'desktop') throw new AppError('UNSUPPORTED', 'Native file dialogs exist only in the desktop app; the browser downloads the file instead.');
      return d.platform.saveFile(opts);
    },
  };
}
