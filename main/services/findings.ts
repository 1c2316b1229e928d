import type { z } from 'zod';
import { canonicalJson } from '../../shared/canonical';
import type { calls } from '../../shared/api/contract';
import {
  AuthorStatus,
  Finding,
  type EvidenceLink,
  type FindingChanges,
  type FindingFilter,
  type FindingInput,
  type FindingPage,
  type FindingRow,
  type FindingView,
  type Severity,
  type ShownStatus,
} from '../../shared/domain/finding';
import { AppError } from '../../shared/result';
import type { Db } from '../db/open';
import { getRecord } from '../records/readRecords';
import { writeRecord } from '../records/writeRecord';
import type { Workspace } from '../workspace/workspace';
import { scoreCvss31, scoreCvss4 } from './cvss';

type Filter = z.output<typeof FindingFilter>;
type EvidenceRequest = z.output<(typeof calls)['finding:addEvidence']['input']>['evidence'];

/**
 * A supervisor's verdict on one revision of a finding, as the shown status
 * needs it. `id` (the review's, UUIDv7) breaks ties between reviews made in the
 * same millisecond, so every workspace holding the same records agrees.
 */
export type Review = { id?: string; finding_revision: number; verdict: 'validated' | 'rejected' | 'needs-info'; created_at: string };

/**
 * The status a finding shows (DESIGN.md): the newest review of its current
 * revision, given by a key trusted with the supervisor role, when that review
 * decided (validated or rejected); else the author's status. Any edit raises the
 * revision, so an edited finding goes back to its author status until reviewed
 * again. `reviews` holds only reviews by trusted supervisor keys.
 *
 * The findings list filters and sorts by the same rule in SQL (finding_rows.shown_status,
 * kept by migration 0070's triggers): change both together.
 */
export function shownStatus(finding: Pick<Finding, 'status' | 'revision'>, reviews: readonly Review[]): ShownStatus {
  const newest = reviews.filter((r) => r.finding_revision === finding.revision).reduce<Review | undefined>((a, r) => (!a || newer(r, a) ? r : a), undefined);
  if (newest && newest.verdict !== 'needs-info') return newest.verdict;
  return finding.status;
}

const newer = (r: Review, than: Review) => r.created_at > than.created_at || (r.created_at === than.created_at && (r.id ?? '') > (than.id ?? ''));

/** A supervisor reviewed an earlier revision, and none has reviewed the current one since. */
export function changedSinceReview(finding: Pick<Finding, 'revision'>, reviews: readonly Review[]): boolean {
  const reviewed = Math.max(0, ...reviews.map((r) => r.finding_revision));
  return reviewed > 0 && reviewed < finding.revision;
}

/** finding_rows.shown_status (migration 0070): the shown status, kept by triggers. */
const SHOWN_STATUS_SQL = 'shown_status';

/** Where an author may move a finding; remediated is reached only from a validated finding. */
const NEXT: Readonly<Record<AuthorStatus, readonly AuthorStatus[]>> = {
  draft: ['submitted', 'withdrawn'],
  submitted: ['draft', 'withdrawn'],
  withdrawn: ['draft'],
  remediated: [],
};

/**
 * Checks a status someone typed (the CLI); validated and rejected get the
 * sentence that says who sets them.
 */
export function authorStatusFrom(text: string): AuthorStatus {
  if (text === 'validated' || text === 'rejected') {
    throw new AppError('INVALID_INPUT', `Only a supervisor’s review can mark a finding ${text}; set-status takes ${AuthorStatus.options.join(', ')}.`);
  }
  const parsed = AuthorStatus.safeParse(text);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `"${text}" is not a finding status; set-status takes ${AuthorStatus.options.join(', ')}.`);
  return parsed.data;
}

/** finding_rows.severity_rank (migration 0040): critical 4 … informational 0. */
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1, informational: 0 };
/** finding_rows.status_rank (migration 0070): lifecycle order of the shown status. */
const STATUS_RANK: Readonly<Record<ShownStatus, number>> = { draft: 0, submitted: 1, validated: 2, rejected: 3, remediated: 4, withdrawn: 5 };

/**
 * The findings-table queries, over finding_rows (narrow rows without the
 * Markdown, kept by triggers; migration 0040), exported so tests can check
 * their plans. Ties break on rowid, which every index ends with.
 */
export const findingQueries = {
  where(f: Pick<Filter, 'engagement_id' | 'kind' | 'severity' | 'status' | 'tag'>): string {
    const clauses = ['1'];
    if (f.engagement_id !== undefined) clauses.push('engagement_id = @engagement_id');
    if (f.kind !== undefined) clauses.push('kind = @kind');
    if (f.severity !== undefined) clauses.push('severity_rank = @severity_rank');
    // By rank, so the status index serves the filter; status_rank follows SHOWN_STATUS_SQL.
    if (f.status !== undefined) clauses.push('status_rank = @status_rank');
    // A plain substring test first: parsing every row's tags costs more.
    if (f.tag !== undefined) clauses.push("instr(tags, @tag_json) > 0 AND EXISTS (SELECT 1 FROM json_each(finding_rows.tags) WHERE value = @tag)");
    return clauses.join(' AND ');
  },
  order(f: Pick<Filter, 'sort' | 'descending'>): string {
    const dir = f.descending ? 'DESC' : 'ASC';
    switch (f.sort) {
      case 'updated':
        return `updated_at ${dir}, rowid ${dir}`;
      case 'severity':
        return `severity_rank ${dir}, updated_at ${dir}, rowid ${dir}`;
      case 'status':
        return `status_rank ${dir}, updated_at ${dir}, rowid ${dir}`;
      case 'title':
        return `title COLLATE NOCASE ${dir}, rowid ${dir}`;
    }
  },
  page(f: Filter): string {
    return `SELECT id, engagement_id, title, kind, severity, cvss_score, ${SHOWN_STATUS_SQL} AS shown_status, tags, author, revision, updated_at
      FROM finding_rows WHERE ${findingQueries.where(f)} ORDER BY ${findingQueries.order(f)} LIMIT @limit OFFSET @offset`;
  },
  count(f: Filter): string {
    return `SELECT count(*) AS n FROM finding_rows WHERE ${findingQueries.where(f)}`;
  },
  /** Notes on one finding live in its engagement's journal: found through the parent index. */
  notesOn: "SELECT count(*) AS n FROM records WHERE parent_id = ? AND type = 'note' AND deleted = 0 AND json_extract(body, '$.on.id') = ?",
  /** Reviews of one finding by keys that count as a supervisor's here (migration 0070). */
  supervisorReviews: "SELECT id, finding_revision, verdict, created_at FROM review_rows WHERE finding_id = ? AND author IN (SELECT key_id FROM supervisor_keys)",
};

type PageRow = Omit<FindingRow, 'tags'> & { tags: string };

/** Findings: what an evaluator found, moved through its author lifecycle, with evidence. */
export class FindingService {
  constructor(
    private readonly ws: Workspace,
    private readonly changed: (types: string[]) => void = () => {},
  ) {}

  list(filter: Filter): FindingPage {
    const { db } = this.ws;
    const { engagement_id, kind, severity, status, tag, offset, limit } = filter;
    // Only the parameters the statement names: those of the filters given.
    const params: Record<string, unknown> = {};
    if (engagement_id !== undefined) params.engagement_id = engagement_id;
    if (kind !== undefined) params.kind = kind;
    if (severity !== undefined) params.severity_rank = SEVERITY_RANK[severity];
    if (status !== undefined) params.status_rank = STATUS_RANK[status];
    if (tag !== undefined) Object.assign(params, { tag, tag_json: JSON.stringify(tag) });
    const total = (db.prepare(findingQueries.count(filter)).get(params) as { n: number }).n;
    const rows = db.prepare(findingQueries.page(filter)).all({ ...params, offset, limit }) as PageRow[];
    return { total, rows: rows.map(toRow) };
  }

  get(id: string): FindingView {
    const finding = getRecord(this.ws.db, 'finding', id);
    const reviews = reviewsOf(this.ws.db, finding);
    return { finding, shown_status: shownStatus(finding, reviews), changed_since_review: changedSinceReview(finding, reviews), notes: countNotes(this.ws.db, finding) };
  }

  /** The finding as it was at a revision: the current one from records, older ones from the history table. */
  atRevision(id: string, revision: number): Finding {
    const { db } = this.ws;
    const current = db.prepare("SELECT revision, body FROM records WHERE id = ? AND type = 'finding'").get(id) as { revision: number; body: string } | undefined;
    if (!current) throw new AppError('NOT_FOUND', `There is no finding with id ${id}.`);
    if (revision === current.revision) return Finding.parse(JSON.parse(current.body));
    const old = revision < current.revision ? (db.prepare('SELECT body FROM record_revisions WHERE id = ? AND revision = ?').get(id, revision) as { body: string } | undefined) : undefined;
    if (!old) throw new AppError('NOT_FOUND', `Finding ${id} has no revision ${revision}; its revisions are 1 to ${current.revision}.`);
    return Finding.parse(JSON.parse(old.body));
  }

  create(input: z.output<typeof FindingInput>): Finding {
    const engagement = getRecord(this.ws.db, 'engagement', input.engagement_id);
    if (engagement.status === 'closed') {
      throw new AppError('INVALID_INPUT', `The engagement ${engagement.model} ${engagement.model_version} is closed; reopen it before adding findings.`);
    }
    const { cvss_vector, cvss31_vector, ...fields } = input;
    const finding = writeRecord(this.ws.writer(), {
      action: 'create',
      type: 'finding',
      fields: {
        ...fields,
        evidence: [],
        ...(cvss_vector !== undefined ? { cvss: scoreCvss4(cvss_vector) } : {}),
        ...(cvss31_vector !== undefined ? { cvss31: scoreCvss31(cvss31_vector) } : {}),
        status: 'draft',
      },
    });
    this.changed(['finding']);
    return finding;
  }

  /** An author's edit: only the fields given change; null clears an optional one. */
  update(id: string, changes: z.output<typeof FindingChanges>, baseRevision?: number): Finding {
    const { cvss_vector, cvss31_vector, ...fields } = changes;
    if (fields.evidence) {
      const cited = new Set(getRecord(this.ws.db, 'finding', id).evidence.map((e) => canonicalJson(e)));
      if (fields.evidence.some((e) => !cited.has(canonicalJson(e)))) {
        throw new AppError('INVALID_INPUT', 'An edit can remove or reorder evidence but not add it; cite new evidence with “Add evidence”.');
      }
    }
    const cvss = cvss_vector === undefined ? {} : { cvss: cvss_vector === null ? null : scoreCvss4(cvss_vector) };
    const cvss31 = cvss31_vector === undefined ? {} : { cvss31: cvss31_vector === null ? null : scoreCvss31(cvss31_vector) };
    const finding = writeRecord(this.ws.writer(), {
      action: 'update',
      type: 'finding',
      id,
      fields: { ...fields, ...cvss, ...cvss31 },
      ...(baseRevision !== undefined ? { baseRevision } : {}),
    });
    this.changed(['finding']);
    return finding;
  }

  /** Moves a finding through its author lifecycle (DESIGN.md); each move is a new revision. */
  setStatus(id: string, status: AuthorStatus, baseRevision?: number): Finding {
    const current = getRecord(this.ws.db, 'finding', id);
    if (current.status === status) throw new AppError('INVALID_INPUT', `This finding is already ${status}; nothing was changed.`);
    if (status === 'remediated') {
      if (shownStatus(current, reviewsOf(this.ws.db, current)) !== 'validated') {
        throw new AppError('INVALID_INPUT', 'Only a validated finding can be marked remediated: it needs a supervisor’s validation first.');
      }
    } else if (!NEXT[current.status].includes(status)) {
      const next = NEXT[current.status];
      const options = next.length ? `it can go to ${next.join(' or ')}` : 'it stays as it is';
      throw new AppError('INVALID_INPUT', `A ${current.status} finding cannot be set to ${status}; ${options}.`);
    }
    const finding = writeRecord(this.ws.writer(), {
      action: 'update',
      type: 'finding',
      id,
      fields: { status },
      ...(baseRevision !== undefined ? { baseRevision } : {}),
    });
    this.changed(['finding']);
    return finding;
  }

  /** Cites an attachment, a run or a sample of the finding's engagement; citing the same thing again changes nothing. */
  addEvidence(id: string, request: EvidenceRequest): Finding {
    const finding = getRecord(this.ws.db, 'finding', id);
    const link = this.evidenceLink(finding.engagement_id, request);
    const key = canonicalJson(link);
    if (finding.evidence.some((e) => canonicalJson(e) === key)) return finding;
    const updated = writeRecord(this.ws.writer(), { action: 'update', type: 'finding', id, fields: { evidence: [...finding.evidence, link] } });
    this.changed(['finding']);
    return updated;
  }

  delete(id: string): void {
    writeRecord(this.ws.writer(), { action: 'delete', type: 'finding', id });
    this.changed(['finding']);
  }

  private evidenceLink(engagementId: string, request: EvidenceRequest): EvidenceLink {
    const { db } = this.ws;
    const sameEngagement = (what: string, ownerEngagement: string) => {
      if (ownerEngagement !== engagementId) throw new AppError('INVALID_INPUT', `That ${what} belongs to another engagement; cite evidence from the finding’s own engagement.`);
    };
    switch (request.kind) {
      case 'attachment': {
        const a = getRecord(db, 'attachment', request.attachment_id);
        sameEngagement('attachment', a.engagement_id);
        return { kind: 'attachment', attachment_id: a.id, sha256: a.sha256, name: a.name };
      }
      case 'run': {
        const run = getRecord(db, 'run', request.run_id);
        sameEngagement('run', run.engagement_id);
        const source = run.sources[0]?.sha256;
        return { kind: 'run', run_id: run.id, ...(source ? { source_sha256: source } : {}), label: `${run.task} · ${run.model}`.slice(0, 500) };
      }
      case 'sample': {
        const s = getRecord(db, 'sample', request.sample_id);
        sameEngagement('sample', getRecord(db, 'run', s.run_id).engagement_id);
        return {
          kind: 'sample',
          source_sha256: s.source_sha256,
          sample_id: s.sample_id,
          epoch: s.epoch,
          hashes: s.hashes,
          sample_record_id: s.id,
          ...(request.excerpt !== undefined && request.excerpt.trim() !== '' ? { excerpt: request.excerpt } : {}),
        };
      }
    }
  }
}

/** Reviews of a finding by this workspace's own supervisor key or keys trusted as supervisors; any other key's never count. */
function reviewsOf(db: Db, finding: Finding): Review[] {
  return db.prepare(findingQueries.supervisorReviews).all(finding.id) as Review[];
}

function countNotes(db: Db, finding: Finding): number {
  return (db.prepare(findingQueries.notesOn).get(finding.engagement_id, finding.id) as { n: number }).n;
}

function toRow(r: PageRow): FindingRow {
  return { ...r, tags: JSON.parse(r.tags) as string[] };
}
