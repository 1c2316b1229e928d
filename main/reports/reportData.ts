/**
 * Everything an engagement report shows, gathered through the services the
 * screens use (so the report says what the app says: shown status, reviews,
 * the determination). Thresholds are sensitive: without includeThresholds no
 * threshold value, comparison or "met" mark enters this structure at all, so
 * no renderer can leak one by mistake.
 */
import { calendarDateIn } from '../../shared/dates';
import type { Engagement } from '../../shared/domain/engagement';
import { Severity, ShownStatus, type EvidenceLink, type Finding } from '../../shared/domain/finding';
import { handlingLine } from '../../shared/domain/handling';
import type { Identity } from '../../shared/domain/identity';
import type { Decision, ReviewView } from '../../shared/domain/review';
import { indexThresholds, verdictFor, type Comparison, type MetricResult, type Run, type Threshold } from '../../shared/domain/run';
import { releaseCountdown, reviewWindow, type ReviewWindow } from '../../shared/reviewWindow';
import type { Db } from '../db/open';
import { EngagementService } from '../services/engagements';
import { FindingService } from '../services/findings';
import { ReviewService } from '../services/reviews';
import { RunService } from '../services/runs';
import { ThresholdService } from '../services/thresholds';
import type { Workspace } from '../workspace/workspace';

/** A threshold as the report may show it: only ever present when thresholds are included. */
export type ThresholdMark = { comparison: Comparison; value: number; met: boolean };

export type ReportResult = {
  result: MetricResult;
  threshold: ThresholdMark | null;
};

export type ReportRun = { run: Run; results: ReportResult[] };

export type ReportEvidence =
  | { kind: 'attachment'; name: string; sha256: string }
  | { kind: 'run'; label: string; sourceSha256: string | null }
  | { kind: 'sample'; sampleId: string; epoch: number; sourceSha256: string; runLabel: string | null; excerpt: string | null };

export type ReportReview = {
  verdict: ReviewView['review']['verdict'];
  reviewer: string;
  reviewerKeyId: string;
  at: string;
  comment: string;
  findingRevision: number;
  bySupervisor: boolean;
  outdated: boolean;
};

export type ReportFinding = {
  finding: Finding;
  shownStatus: ShownStatus;
  changedSinceReview: boolean;
  evidence: ReportEvidence[];
  reviews: ReportReview[];
};

/** One result the determination rests on; the threshold only when thresholds are included. */
export type ReportBasis = {
  task: string;
  scorer: string;
  metric: string;
  value: number | null;
  runLabel: string | null;
  threshold: ThresholdMark | null;
};

export type ReportDetermination = {
  decision: Decision;
  rationale: string;
  decidedBy: string;
  decidedByKeyId: string;
  at: string;
  restsOn: ReportBasis[];
};

export type ReportBundle = {
  bundleId: string;
  signer: KeyName;
  via: { bundleId: string; signer: KeyName } | null;
  records: number;
  ingestedAt: string;
};

export type KeyName = { keyId: string; name: string | null; role: string | null; trusted: boolean };

export type ReportAuthor = KeyName & { records: number; own: boolean };

export type ReportData = {
  engagement: Engagement;
  marking: string;
  title: string;
  author: Pick<Identity, 'name' | 'org' | 'role' | 'key_id'>;
  today: string;
  generatedAt: string;
  appVersion: string;
  window: ReviewWindow & { release: string | null };
  includeThresholds: boolean;
  counts: {
    total: number;
    bySeverity: Record<Severity, number>;
    byStatus: Record<ShownStatus, number>;
    bySeverityStatus: Record<Severity, Record<ShownStatus, number>>;
  };
  determination: ReportDetermination | null;
  runs: ReportRun[];
  findings: ReportFinding[];
  bundles: ReportBundle[];
  authors: ReportAuthor[];
};

const SEVERITY_ORDER: readonly Severity[] = Severity.options;
const PAGE = 500;

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

export function reportTitle(e: Pick<Engagement, 'developer' | 'model' | 'model_version'>): string {
  return `${e.developer} — ${e.model} ${e.model_version}`;
}

/** Gathers one engagement's report. Throws NOT_FOUND for an unknown engagement. */
export function gatherReport(ws: Workspace, opts: { engagementId: string; includeThresholds: boolean; appVersion: string }): ReportData {
  const identity = ws.requireIdentity();
  const engagement = new EngagementService(ws).get(opts.engagementId);
  const now = ws.clock.now();
  const today = calendarDateIn(now);
  const findingsService = new FindingService(ws);
  const reviews = new ReviewService(ws);

  const thresholds = opts.includeThresholds ? new ThresholdService(ws).list(engagement.id) : [];
  const thresholdFor = thresholdLookup(thresholds);
  const runs: ReportRun[] = new RunService(ws).list(engagement.id).map(({ run, results }) => ({
    run,
    results: results.map((result) => ({ result, threshold: thresholdFor(result) })),
  }));
  const runLabel = runLabeller(runs.map((r) => r.run));

  const findings = findingIds(findingsService, engagement.id).map((id): ReportFinding => {
    const view = findingsService.get(id);
    return {
      finding: view.finding,
      shownStatus: view.shown_status,
      changedSinceReview: view.changed_since_review,
      evidence: view.finding.evidence.map((e) => evidenceOf(e, runLabel)),
      reviews: reviews.list(id).map((r) => ({
        verdict: r.review.verdict,
        reviewer: r.reviewer_name ?? keyName(ws, identity, r.review.author).name ?? 'an unknown key',
        reviewerKeyId: r.review.author,
        at: r.review.created_at,
        comment: r.review.comment,
        findingRevision: r.review.finding_revision,
        bySupervisor: r.by_supervisor,
        outdated: r.outdated,
      })),
    };
  });
  findings.sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.finding.severity) - SEVERITY_ORDER.indexOf(b.finding.severity) ||
      (b.finding.cvss?.score ?? -1) - (a.finding.cvss?.score ?? -1) ||
      a.finding.title.localeCompare(b.finding.title) ||
      a.finding.id.localeCompare(b.finding.id),
  );

  const counts = {
    total: findings.length,
    bySeverity: zeros(SEVERITY_ORDER),
    byStatus: zeros(ShownStatus.options),
    bySeverityStatus: Object.fromEntries(SEVERITY_ORDER.map((s) => [s, zeros(ShownStatus.options)])) as Record<Severity, Record<ShownStatus, number>>,
  };
  for (const f of findings) {
    counts.bySeverity[f.finding.severity] += 1;
    counts.byStatus[f.shownStatus] += 1;
    counts.bySeverityStatus[f.finding.severity][f.shownStatus] += 1;
  }

  const win = reviewWindow(engagement.access_start, engagement.window_days, today);
  return {
    engagement,
    marking: handlingLine(engagement.handling),
    title: reportTitle(engagement),
    author: { name: identity.name, org: identity.org, role: identity.role, key_id: identity.key_id },
    today,
    generatedAt: now.toISOString(),
    appVersion: opts.appVersion,
    window: { ...win, release: engagement.release_date ? releaseCountdown(engagement.release_date, today) : null },
    includeThresholds: opts.includeThresholds,
    counts,
    determination: determinationOf(ws, identity, reviews, engagement.id, runs, thresholds, opts.includeThresholds),
    runs,
    findings,
    ...provenance(ws, identity, engagement.id, opts.includeThresholds),
  };
}

/** Every live finding of the engagement, through the same list the findings table reads. */
function findingIds(service: FindingService, engagementId: string): string[] {
  const ids: string[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = service.list({ engagement_id: engagementId, sort: 'severity', descending: true, offset, limit: PAGE });
    ids.push(...page.rows.map((r) => r.id));
    if (page.rows.length < PAGE) return ids;
  }
}

function thresholdLookup(thresholds: readonly Threshold[]): (r: MetricResult) => ThresholdMark | null {
  const index = indexThresholds(thresholds);
  return (r) => {
    const v = verdictFor(r, index);
    return v ? { comparison: v.threshold.comparison, value: v.threshold.value, met: v.meets } : null;
  };
}

/** Runs are named by task and model; the source file's hash finds the run a sample came from. */
function runLabeller(runs: readonly Run[]): { byId: (id: string) => string | null; bySource: (sha256: string) => string | null } {
  const label = (r: Run) => `${r.task} · ${r.model}`;
  const byId = new Map(runs.map((r) => [r.id, label(r)]));
  const bySource = new Map(runs.flatMap((r) => r.sources.map((s) => [s.sha256, label(r)] as const)));
  return { byId: (id) => byId.get(id) ?? null, bySource: (sha) => bySource.get(sha) ?? null };
}

function evidenceOf(e: EvidenceLink, runLabel: ReturnType<typeof runLabeller>): ReportEvidence {
  switch (e.kind) {
    case 'attachment':
      return { kind: 'attachment', name: e.name, sha256: e.sha256 };
    case 'run':
      return { kind: 'run', label: runLabel.byId(e.run_id) ?? e.label, sourceSha256: e.source_sha256 ?? null };
    case 'sample':
      return { kind: 'sample', sampleId: e.sample_id, epoch: e.epoch, sourceSha256: e.source_sha256, runLabel: runLabel.bySource(e.source_sha256), excerpt: e.excerpt ?? null };
  }
}

function determinationOf(
  ws: Workspace,
  identity: Identity,
  reviews: ReviewService,
  engagementId: string,
  runs: readonly ReportRun[],
  thresholds: readonly Threshold[],
  includeThresholds: boolean,
): ReportDetermination | null {
  const view = reviews.determination(engagementId);
  const current = view.current;
  if (!current) return null;
  const results = new Map(runs.flatMap((r) => r.results.map((x) => [x.result.id, { result: x.result, run: r.run }] as const)));
  const thresholdById = new Map(thresholds.map((t) => [t.id, t]));
  return {
    decision: current.decision,
    rationale: current.rationale,
    decidedBy: view.decided_by ?? keyName(ws, identity, current.author).name ?? 'an unknown key',
    decidedByKeyId: current.author,
    at: current.updated_at,
    restsOn: current.rests_on.map((basis): ReportBasis => {
      const found = results.get(basis.result_id);
      const t = includeThresholds ? thresholdById.get(basis.threshold_id) : undefined;
      return {
        task: found?.result.task ?? '(a result not in this workspace)',
        scorer: found?.result.scorer ?? '',
        metric: found?.result.metric ?? '',
        value: found ? found.result.value : null,
        runLabel: found ? `${found.run.task} · ${found.run.model}` : null,
        // The mark as recorded with the decision; the value as the threshold stands now.
        threshold: includeThresholds && t ? { comparison: t.comparison, value: t.value, met: basis.met } : null,
      };
    }),
  };
}

/** Who a key is, from this workspace's own identity or the trust store (null name: never trusted here). */
function keyName(ws: Workspace, identity: Identity, keyId: string): KeyName {
  if (keyId === identity.key_id) return { keyId, name: identity.name, role: identity.role, trusted: true };
  const row = trustedKeyRow(ws.db, keyId);
  return row ? { keyId, name: row.name, role: row.role, trusted: row.untrusted_at === null } : { keyId, name: null, role: null, trusted: false };
}

function trustedKeyRow(db: Db, keyId: string): { name: string; role: string; untrusted_at: string | null } | undefined {
  return db.prepare('SELECT name, role, untrusted_at FROM trusted_keys WHERE key_id = ?').get(keyId) as { name: string; role: string; untrusted_at: string | null } | undefined;
}

/**
 * The engagement's live records (itself, what belongs to it, and its runs'
 * results and samples): the bundles they arrived in (record_origins, migration
 * 0060) and every author key. Threshold records count only when thresholds are
 * included: even who wrote one says that one exists.
 */
function provenance(ws: Workspace, identity: Identity, engagementId: string, includeThresholds: boolean): { bundles: ReportBundle[]; authors: ReportAuthor[] } {
  const { db } = ws;
  const scope = `
    WITH engagement_records AS (
      SELECT id, type, author FROM records WHERE deleted = 0 AND (id = @e OR parent_id = @e)
      UNION ALL
      SELECT id, type, author FROM records
       WHERE deleted = 0 AND parent_id IN (SELECT id FROM records WHERE parent_id = @e AND type = 'run' AND deleted = 0)
    ), scoped AS (SELECT * FROM engagement_records WHERE @thresholds = 1 OR type <> 'threshold')`;
  const params = { e: engagementId, thresholds: includeThresholds ? 1 : 0 };
  const origins = db
    .prepare(
      `${scope}
       SELECT o.bundle_id, o.bundle_signer, o.via_bundle_id, o.via_signer, count(*) AS records, max(o.ingested_at) AS ingested_at
         FROM scoped JOIN record_origins o ON o.record_id = scoped.id
        GROUP BY o.bundle_id, o.bundle_signer, o.via_bundle_id, o.via_signer
        ORDER BY ingested_at, o.bundle_id`,
    )
    .all(params) as { bundle_id: string; bundle_signer: string; via_bundle_id: string | null; via_signer: string | null; records: number; ingested_at: string }[];
  const authors = db.prepare(`${scope} SELECT author, count(*) AS records FROM scoped GROUP BY author ORDER BY records DESC, author`).all(params) as { author: string; records: number }[];
  const name = (keyId: string) => keyName(ws, identity, keyId);
  return {
    bundles: origins.map((o) => ({
      bundleId: o.bundle_id,
      signer: name(o.bundle_signer),
      via: o.via_bundle_id !== null && o.via_signer !== null ? { bundleId: o.via_bundle_id, signer: name(o.via_signer) } : null,
      records: o.records,
      ingestedAt: o.ingested_at,
    })),
    authors: authors.map((a) => ({ ...name(a.author), records: a.records, own: a.author === identity.key_id || (identity.former_key_ids?.includes(a.author) ?? false) })),
  };
}
