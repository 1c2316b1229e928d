/**
 * The supervisor's home: every engagement at a glance (dashboard, `evalnotes
 * summary`). A handful of grouped queries over the whole workspace, never one
 * query per engagement, so 200 engagements and 50,000 findings take tens of
 * milliseconds (test/bench/summary.ts). Finding bodies are never read: the
 * counts come from finding_rows (migrations 0040, 0070) over migration 0080's index.
 */
import { calendarDateIn } from '../../shared/dates';
import type { Engagement } from '../../shared/domain/engagement';
import { Severity, ShownStatus } from '../../shared/domain/finding';
import { Determination } from '../../shared/domain/review';
import { indexThresholds, Threshold, verdictFor } from '../../shared/domain/run';
import type { EngagementSummary, ResultAgainstThreshold, Summary } from '../../shared/domain/summary';
import { decodeNumber, type NonFiniteString } from '../../shared/numbers';
import { reviewWindow } from '../../shared/reviewWindow';
import type { Db } from '../db/open';
import { listRecords } from '../records/readRecords';
import type { Workspace } from '../workspace/workspace';

// shown status: see findings.ts. Migration 0070 keeps each finding's shown
// status and "changed since review" in finding_rows, so the counts read them
// from the narrow rows, never from reviews or bodies.
const SHOWN_STATUS_SQL = 'shown_status';
const CHANGED_SINCE_REVIEW_SQL = 'changed_since_review';

/**
 * The summary's queries, exported so tests can EXPLAIN them. Each answers for
 * every engagement at once.
 */
export const summaryQueries = {
  /** Findings counted by engagement × severity × shown status, in one pass over the narrow rows. */
  findingCounts: `SELECT engagement_id, severity, ${SHOWN_STATUS_SQL} AS status, count(*) AS n, sum(${CHANGED_SINCE_REVIEW_SQL}) AS changed
    FROM finding_rows GROUP BY engagement_id, severity, ${SHOWN_STATUS_SQL}`,
  /** Names for keys: this workspace's own first, then the trust store's. */
  keyNames: 'SELECT key_id, name FROM identity UNION ALL SELECT key_id, name FROM trusted_keys',
  /**
   * Live determinations by keys whose determinations count (migration 0070's
   * supervisor_keys, as on the determination page), newest first.
   */
  determinations: `SELECT parent_id AS engagement_id, author, body FROM records
    WHERE type = 'determination' AND deleted = 0 AND author IN (SELECT key_id FROM supervisor_keys) ORDER BY updated_at DESC, id DESC`,
  runCounts: `SELECT parent_id AS engagement_id, count(*) AS n FROM records WHERE type = 'run' AND deleted = 0 GROUP BY parent_id`,
  resultCounts: `SELECT run.parent_id AS engagement_id, count(*) AS n
    FROM records run JOIN records res ON res.parent_id = run.id AND res.type = 'result' AND res.deleted = 0
    WHERE run.type = 'run' AND run.deleted = 0 GROUP BY run.parent_id`,
  /** In rowid order, so a later threshold for the same metric wins, as on the results page. */
  thresholds: `SELECT body FROM records WHERE type = 'threshold' AND deleted = 0 ORDER BY rowid`,
  /**
   * The results of the engagements that have thresholds, in the results page's
   * order (newest run first, results as logged), with only the fields
   * the comparison needs. Values come as their JSON text (`->`, not
   * json_extract, whose conversion to a double may round differently from JSON.parse).
   * CROSS JOIN keeps runs first, so only those engagements' results are read
   * (through the parent index), not every result in the workspace.
   */
  resultsOfThresholdedEngagements: `SELECT run.parent_id AS engagement_id, res.id AS result_id, res.parent_id AS run_id,
      json_extract(res.body, '$.task') AS task, json_extract(res.body, '$.scorer') AS scorer, json_extract(res.body, '$.metric') AS metric,
      res.body -> '$.value' AS value, res.body -> '$.stderr' AS stderr
    FROM records run CROSS JOIN records res ON res.parent_id = run.id AND res.type = 'result' AND res.deleted = 0
    WHERE run.type = 'run' AND run.deleted = 0
      AND run.parent_id IN (SELECT parent_id FROM records WHERE type = 'threshold' AND deleted = 0)
    ORDER BY run.id DESC, res.rowid`,
} as const;

type FindingCountRow = { engagement_id: string; severity: string; status: string; n: number; changed: number };
type ResultRow = { engagement_id: string; result_id: string; run_id: string; task: string; scorer: string; metric: string; value: string; stderr: string | null };

/** A stored measure's JSON text: a number, or the string "NaN" / "Infinity" / "-Infinity". */
const measure = (json: string): number => decodeNumber(JSON.parse(json) as number | NonFiniteString);
type Findings = EngagementSummary['findings'];

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

function emptyFindings(): Findings {
  return {
    total: 0,
    by_severity: zeros(Severity.options),
    by_status: zeros(ShownStatus.options),
    by_severity_status: Object.fromEntries(Severity.options.map((s) => [s, zeros(ShownStatus.options)])) as Findings['by_severity_status'],
    awaiting_verdict: 0,
    changed_since_review: 0,
  };
}

/** Every engagement at a glance (dashboard, `evalnotes summary`). */
export class SummaryService {
  constructor(readonly ws: Workspace) {}

  get(): Summary {
    const { db } = this.ws;
    const now = this.ws.clock.now();
    // The user's calendar day, as every window label in the app counts it.
    const today = calendarDateIn(now);
    return db.transaction(() => {
      // One read transaction: the counts agree with each other even while the CLI writes.
      const findings = findingsByEngagement(db);
      const determinations = determinationsByEngagement(db);
      const runs = countsByEngagement(db, summaryQueries.runCounts);
      const results = countsByEngagement(db, summaryQueries.resultCounts);
      const against = resultsAgainstThresholds(db);

      const engagements = listRecords(db, 'engagement').map(
        (e): EngagementSummary => {
          const rows = against.get(e.id) ?? [];
          return {
            id: e.id,
            developer: e.developer,
            model: e.model,
            model_version: e.model_version,
            status: e.status,
            handling: e.handling,
            access_start: e.access_start,
            window_days: e.window_days,
            release_date: e.release_date ?? null,
            window: windowOf(e, today),
            determination: determinations.get(e.id) ?? null,
            findings: findings.get(e.id) ?? emptyFindings(),
            results: {
              runs: runs.get(e.id) ?? 0,
              results: results.get(e.id) ?? 0,
              with_threshold: rows.length,
              met: rows.filter((r) => r.met).length,
              against_thresholds: rows,
            },
          };
        },
      );
      engagements.sort(byUrgency);
      return { today, generated_at: now.toISOString(), engagements, totals: totalsOf(engagements) };
    })();
  }
}

/**
 * The window as reviewWindow counts it; a closed engagement needs no one's
 * attention, so it is never urgent (as in the sidebar).
 */
function windowOf(e: Engagement, today: string): EngagementSummary['window'] {
  const w = reviewWindow(e.access_start, e.window_days, today);
  return { phase: w.phase, label: w.label, deadline: w.deadline, days_left: w.daysLeft, urgent: w.urgent && e.status !== 'closed' };
}

/** Urgent first, then current before closed, then the nearest deadline, then model. */
function byUrgency(a: EngagementSummary, b: EngagementSummary): number {
  return (
    Number(b.window.urgent) - Number(a.window.urgent) ||
    Number(a.status === 'closed') - Number(b.status === 'closed') ||
    a.window.deadline.localeCompare(b.window.deadline) ||
    a.model.localeCompare(b.model) ||
    a.model_version.localeCompare(b.model_version) ||
    a.id.localeCompare(b.id)
  );
}

function findingsByEngagement(db: Db): Map<string, Findings> {
  const out = new Map<string, Findings>();
  for (const r of db.prepare(summaryQueries.findingCounts).all() as FindingCountRow[]) {
    const severity = Severity.parse(r.severity);
    const status = ShownStatus.parse(r.status);
    let f = out.get(r.engagement_id);
    if (!f) out.set(r.engagement_id, (f = emptyFindings()));
    f.total += r.n;
    f.by_severity[severity] += r.n;
    f.by_status[status] += r.n;
    f.by_severity_status[severity][status] += r.n;
    f.changed_since_review += r.changed;
  }
  // Submitted and not decided by a supervisor: the shown status is still submitted.
  for (const f of out.values()) f.awaiting_verdict = f.by_status.submitted;
  return out;
}

/** The newest live determination by a supervisor key, per engagement. */
function determinationsByEngagement(db: Db): Map<string, NonNullable<EngagementSummary['determination']>> {
  const names = new Map<string, string>();
  for (const k of db.prepare(summaryQueries.keyNames).all() as { key_id: string; name: string }[]) if (!names.has(k.key_id)) names.set(k.key_id, k.name);
  const out = new Map<string, NonNullable<EngagementSummary['determination']>>();
  for (const r of db.prepare(summaryQueries.determinations).all() as { engagement_id: string; author: string; body: string }[]) {
    if (out.has(r.engagement_id)) continue;
    const d = Determination.parse(JSON.parse(r.body));
    out.set(r.engagement_id, { decision: d.decision, rationale: d.rationale, decided_by: names.get(r.author) ?? null, updated_at: d.updated_at });
  }
  return out;
}

function countsByEngagement(db: Db, sql: string): Map<string, number> {
  return new Map((db.prepare(sql).all() as { engagement_id: string; n: number }[]).map((r) => [r.engagement_id, r.n]));
}

/** Every result whose (task, scorer, metric) has a live threshold in its engagement, compared with it. */
function resultsAgainstThresholds(db: Db): Map<string, ResultAgainstThreshold[]> {
  const byEngagement = new Map<string, Threshold[]>();
  for (const { body } of db.prepare(summaryQueries.thresholds).all() as { body: string }[]) {
    const t = Threshold.parse(JSON.parse(body));
    const list = byEngagement.get(t.engagement_id);
    if (list) list.push(t);
    else byEngagement.set(t.engagement_id, [t]);
  }
  const thresholds = new Map([...byEngagement].map(([id, list]) => [id, indexThresholds(list)]));
  const out = new Map<string, ResultAgainstThreshold[]>();
  if (thresholds.size === 0) return out;
  for (const r of db.prepare(summaryQueries.resultsOfThresholdedEngagements).all() as ResultRow[]) {
    const index = thresholds.get(r.engagement_id);
    const value = measure(r.value);
    const v = index ? verdictFor({ ...r, value }, index) : null;
    if (!v) continue;
    let rows = out.get(r.engagement_id);
    if (!rows) out.set(r.engagement_id, (rows = []));
    rows.push({
      result_id: r.result_id,
      run_id: r.run_id,
      task: r.task,
      scorer: r.scorer,
      metric: r.metric,
      value,
      stderr: r.stderr === null ? null : measure(r.stderr),
      comparison: v.threshold.comparison,
      threshold: v.threshold.value,
      met: v.meets,
    });
  }
  return out;
}

function totalsOf(engagements: readonly EngagementSummary[]): Summary['totals'] {
  const totals: Summary['totals'] = {
    engagements: engagements.length,
    findings: 0,
    awaiting_verdict: 0,
    urgent: 0,
    by_severity: zeros(Severity.options),
    by_status: zeros(ShownStatus.options),
  };
  for (const e of engagements) {
    totals.findings += e.findings.total;
    totals.awaiting_verdict += e.findings.awaiting_verdict;
    totals.urgent += Number(e.window.urgent);
    for (const s of Severity.options) totals.by_severity[s] += e.findings.by_severity[s];
    for (const s of ShownStatus.options) totals.by_status[s] += e.findings.by_status[s];
  }
  return totals;
}
