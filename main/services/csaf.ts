import { AppError } from '../../shared/result';
import { csafFileName } from '../../shared/domain/csaf';
import { toCsaf, type CsafDocument, type DocumentStatus } from '../bundles/csaf';
import { writeFileDurably } from '../files/durable';
import type { FileRefs } from '../files/fileRefs';
import { getRecord, recordRevisions } from '../records/readRecords';
import type { Workspace } from '../workspace/workspace';
import type { FindingService } from './findings';

export type CsafOptions = {
  /** publisher.namespace: the organisation's URL; by default a URN made from its name (main/bundles/csaf.ts). */
  namespace?: string | undefined;
};

/** What an export wrote (CLI and desktop) or offers (browser). */
export type CsafExport = {
  tracking_id: string;
  file_name: string;
  bytes: number;
  /** tracking.status and tracking.version of the advisory. */
  status: DocumentStatus;
  version: string;
  /** distribution.text: the engagement's marking as written (TLP 2.0 label and banner). */
  marking: string;
  download_url: string | null;
};

/**
 * CSAF 2.0 advisories from software-vulnerability findings. The app does not
 * validate the document against the CSAF schema itself (that would ship a JSON
 * Schema validator for one call): the mapping writes only what the schema
 * allows, and the tests validate its output with ajv against the official
 * schema over every shape a finding can take.
 */
export class CsafService {
  constructor(
    private readonly ws: Workspace,
    private readonly findings: FindingService,
    private readonly opts: { appVersion: string; files?: FileRefs },
  ) {}

  /** The advisory for a finding, or INVALID_INPUT naming what CSAF needs that the finding lacks. */
  document(findingId: string, opts: CsafOptions = {}): CsafDocument {
    const identity = this.ws.requireIdentity();
    const { db } = this.ws;
    const view = this.findings.get(findingId);
    const f = view.finding;
    const engagement = db.prepare("SELECT 1 FROM records WHERE id = ? AND type = 'engagement' AND deleted = 0").get(f.engagement_id);
    if (!engagement) {
      throw new AppError('NOT_FOUND', 'The finding’s engagement is not in this workspace, so its handling marking is unknown; ingest the engagement first.');
    }
    return toCsaf({
      finding: f,
      shownStatus: view.shown_status,
      revisions: recordRevisions(db, 'finding', f.id),
      handling: getRecord(db, 'engagement', f.engagement_id).handling,
      publisher: identity,
      // WHATWG's form percent-encodes what RFC 3986 (the schema's "uri") does not allow.
      ...(opts.namespace !== undefined ? { namespace: new URL(opts.namespace).href } : {}),
      appVersion: this.opts.appVersion,
    });
  }

  /** Writes the advisory to a file (temp beside it, fsync, rename): a failure leaves no file. */
  async writeTo(findingId: string, target: string, opts: CsafOptions = {}): Promise<CsafExport> {
    const doc = this.document(findingId, opts);
    const text = serialize(doc);
    try {
      await writeFileDurably(target, text);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'EROFS' || code === 'ENOSPC' || code === 'EISDIR') {
        throw new AppError('FORBIDDEN', `Could not save to ${target} (${code}); choose another place.`);
      }
      throw error;
    }
    return summary(doc, Buffer.byteLength(text), null);
  }

  /** Browser: the advisory written into the file area and offered once, under CSAF's file name. */
  async offerDownload(findingId: string, opts: CsafOptions = {}): Promise<CsafExport> {
    const files = this.opts.files;
    if (!files) throw new AppError('INTERNAL', 'Browser downloads need the file area.');
    const doc = this.document(findingId, opts);
    const name = csafFileName(doc.document.tracking.id);
    const output = files.createOutput(name);
    const { path } = files.resolve(output.ref, 'write');
    const text = serialize(doc);
    await writeFileDurably(path, text);
    const bytes = Buffer.byteLength(text);
    return summary(doc, bytes, `/files/${files.offerDownload(path, name, bytes).ref}`);
  }
}

function summary(doc: CsafDocument, bytes: number, downloadUrl: string | null): CsafExport {
  const { tracking, distribution } = doc.document;
  return {
    tracking_id: tracking.id,
    file_name: csafFileName(tracking.id),
    bytes,
    status: tracking.status,
    version: tracking.version,
    marking: distribution.text,
    download_url: downloadUrl,
  };
}

/** Indented JSON: advisories are read by people as often as by tools. */
function serialize(doc: CsafDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
