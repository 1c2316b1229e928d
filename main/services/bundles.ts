import type { ExportPreview, ExportSummary, IngestSummary } from '../../shared/domain/bundle';
import { AppError } from '../../shared/result';
import type { BlobStore } from '../blobs/blobStore';
import {
  attachmentFiles,
  confirmCredentials,
  countsOf,
  inspectForwarded,
  planBundle,
  beginSelection,
  selectForExport,
  writeBundle,
  type ExportRequest,
  type Selection,
} from '../bundles/exportBundle';
import { ingestBundleFile } from '../bundles/ingestBundle';
import type { FileRefs } from '../files/fileRefs';
import type { JobContext } from '../jobs/jobRunner';
import type { Workspace } from '../workspace/workspace';
import type { TrustLookup } from './keys';

export type PreviewRequest = Pick<ExportRequest, 'engagementId' | 'findings' | 'includeThresholds'>;

/** Where the bundle goes: a path (desktop dialog, CLI), or null for a browser download. */
export type ExportTarget = string | null;

export type BundleServiceOptions = {
  appVersion: string;
  /** Browser exports are written into the file refs' temp area and offered once. */
  files?: FileRefs;
  /** Whose bundles this workspace trusts: a bundle is forwarded or ingested only if it verifies. */
  trust: () => TrustLookup;
};

/** Signed bundles: what an export would carry, writing it as a job, and ingesting others' bundles. */
export class BundleService {
  constructor(
    private readonly ws: Workspace,
    private readonly blobs: BlobStore,
    private readonly opts: BundleServiceOptions,
  ) {}

  async preview(req: PreviewRequest): Promise<ExportPreview> {
    this.ws.requireUnlocked();
    const identity = this.ws.requireIdentity();
    const selection = selectForExport(this.ws.db, identity.key_id, req);
    const attachments = attachmentFiles(selection.attachmentShas, this.blobs);
    const plan = await planBundle({ ...this.planContext(), selection, attachments, request: { ...req, confirmCredentials: false }, forwarded: [] });
    return {
      handling: selection.engagement.handling,
      counts: countsOf(selection, 0),
      include_thresholds: req.includeThresholds,
      credential_warnings: selection.credentialWarnings,
      suggested_name: plan.suggestedName,
    };
  }

  /**
   * Selects, checks credential warnings, hashes forwarded bundles, signs and
   * writes. The attachments start streaming as soon as the findings that cite
   * them are selected; the forwarded bundles, the whole selection, its checks
   * and the plan follow while they stream. A refusal, a cancel or a failure
   * leaves no file.
   */
  async export(req: ExportRequest, to: ExportTarget, ctx: Pick<JobContext, 'signal' | 'progress'>): Promise<ExportSummary> {
    const keys = this.ws.requireUnlocked();
    const identity = this.ws.requireIdentity();
    const begun = beginSelection(this.ws.db, identity.key_id, req);
    const attachments = attachmentFiles(begun.attachmentShas, this.blobs);
    const planning = (async () => {
      await new Promise((resolve) => setImmediate(resolve)); // the stream starts first
      const forwarded = [];
      for (const path of req.forward) forwarded.push(await inspectForwarded(path, this.opts.trust()));
      if (ctx.signal.aborted) throw new AppError('CANCELLED', 'The export was cancelled; no file was written.');
      // From here to the plan's read of the audit chain, one synchronous step: the
      // records and the chain are one snapshot even if the person edits meanwhile.
      const selection = selectForExport(this.ws.db, identity.key_id, req);
      if (selection.attachmentShas.join() !== begun.attachmentShas.join()) {
        throw new AppError('CONFLICT', 'The attachments these findings cite changed as the export began; nothing was written. Export again.');
      }
      this.checkCredentials(selection, req.confirmCredentials);
      if (req.confirmCredentials && selection.credentialWarnings.length > 0) {
        confirmCredentials(this.ws.db, identity.key_id, this.ws.clock.now().toISOString(), selection);
      }
      return planBundle({ ...this.planContext(), selection, attachments, request: req, forwarded });
    })();
    planning.catch(() => {}); // writeBundle awaits it and reports a failure
    const output = to === null ? this.browserOutput() : { path: to, offer: () => null };
    const bytes = await writeBundle(attachments, planning, keys.signingKey, identity.key_id, output.path, {
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress(done, total, 'Writing the bundle'),
    });
    const plan = await planning;
    return {
      id: plan.id,
      file: to === null ? plan.suggestedName : output.path,
      bytes,
      counts: plan.manifest.counts,
      handling: plan.manifest.handling,
      download_url: output.offer(plan.suggestedName, bytes),
    };
  }

  /**
   * Verifies a bundle (with the workspace's trust, or `trust` when given: the
   * CLI's --trust) and merges it and the bundles it forwards in one
   * transaction. A failure or a cancel merges nothing.
   */
  ingest(path: string, ctx: Pick<JobContext, 'signal' | 'progress'>, trust: TrustLookup = this.opts.trust()): Promise<IngestSummary> {
    return ingestBundleFile(this.ws, this.blobs, path, { trust, signal: ctx.signal, onProgress: ctx.progress });
  }

  private checkCredentials(selection: Selection, confirmed: boolean): void {
    const warnings = selection.credentialWarnings;
    if (warnings.length === 0 || confirmed) return;
    const runs = new Set(warnings.map((w) => w.run_id)).size;
    const first = warnings[0];
    throw new AppError(
      'FORBIDDEN',
      `${warnings.length} credential-shaped string${warnings.length === 1 ? '' : 's'} in ${runs} exported run${runs === 1 ? '' : 's'} ` +
        `(first: ${first?.kind} at ${first?.where} in run ${first?.run_id}) must be redacted or confirmed before export.`,
    );
  }

  /** A file in the file area, offered for download under the bundle's name once written. */
  private browserOutput(): { path: string; offer: (name: string, bytes: number) => string } {
    const files = this.opts.files;
    if (!files) throw new AppError('INTERNAL', 'Browser exports need the file area.');
    // The bundle's name holds its id, known only once the records are hashed; the download takes it.
    const ref = files.createOutput('bundle.evb');
    const { path } = files.resolve(ref.ref, 'write');
    return { path, offer: (name, bytes) => `/files/${files.offerDownload(path, name, bytes).ref}` };
  }

  private planContext() {
    return { db: this.ws.db, identity: this.ws.requireIdentity(), appVersion: this.opts.appVersion };
  }
}
