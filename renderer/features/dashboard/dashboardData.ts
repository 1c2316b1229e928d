/** The dashboard's pure part: which engagement comes first, and the numbers each chart draws. */
import { dayNumber } from '../../../shared/dates';
import { Severity, ShownStatus } from '../../../shared/domain/finding';
import type { Tlp } from '../../../shared/domain/handling';
import type { EngagementSummary, ResultAgainstThreshold, Summary } from '../../../shared/domain/summary';
import { reviewWindow, type ReviewWindow } from '../../../shared/reviewWindow';

/** An engagement as the dashboard lists it, with its window worked out for the reader's today. */
export type DashboardRow = {
  e: EngagementSummary;
  /**
   * From the renderer's clock, like every other window label in the app, so
   * the label rolls over at midnight without asking main again.
   */
  win: ReviewWindow;
  /** Urgent and still running: a closed engagement is finished, so never urgent. */
  urgent: boolean;
  closed: boolean;
};

export const engagementTitle = (e: Pick<EngagementSummary, 'model' | 'model_version'>): string => `${e.model} ${e.model_version}`;

/**
 * Most pressing first: running engagements by deadline (overdue first), then
 * the ones not started, then closed ones (most recent deadline first).
 */
export function dashboardRows(summary: Summary, today: string): DashboardRow[] {
  const rows = summary.engagements.map((e) => {
    const win = reviewWindow(e.access_start, e.window_days, today);
    const closed = e.status === 'closed';
    return { e, win, closed, urgent: win.urgent && !closed };
  });
  const rank = (r: DashboardRow) => (r.closed ? 2 : r.win.phase === 'upcoming' ? 1 : 0);
  return rows.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.closed ? b.win.deadline.localeCompare(a.win.deadline) : a.win.deadline.localeCompare(b.win.deadline)) ||
      engagementTitle(a.e).localeCompare(engagementTitle(b.e)) ||
      a.e.id.localeCompare(b.e.id),
  );
}

export type DashboardTotals = { engagements: number; findings: number; awaiting: number; urgent: number; changedSinceReview: number };

export function dashboardTotals(rows: readonly DashboardRow[]): DashboardTotals {
  let findings = 0;
  let awaiting = 0;
  let urgent = 0;
  let changedSinceReview = 0;
  for (const r of rows) {
    findings += r.e.findings.total;
    awaiting += r.e.findings.awaiting_verdict;
    changedSinceReview += r.e.findings.changed_since_review;
    if (r.urgent) urgent++;
  }
  return { engagements: rows.length, findings, awaiting, urgent, changedSinceReview };
}

const TLP_ORDER: Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/** The most restrictive TLP label among the engagements on screen (null for none). */
export function highestTlp(rows: readonly DashboardRow[]): Tlp | null {
  let best = -1;
  for (const r of rows) best = Math.max(best, TLP_ORDER.indexOf(r.e.handling.tlp));
  return best < 0 ? null : (TLP_ORDER[best] ?? null);
}

/** One bar of the timeline: the review window from access start to deadline, in days since 1970. */
export type TimelineBar = {
  id: string;
  label: string;
  window: [number, number];
  release: number | null;
  urgent: boolean;
  closed: boolean;
  /** Everything the bar says, for its accessible name. */
  description: string;
};

export function timelineBars(rows: readonly DashboardRow[]): TimelineBar[] {
  return rows.map(({ e, win, urgent, closed }) => ({
    id: e.id,
    label: engagementTitle(e),
    window: [dayNumber(e.access_start), dayNumber(win.deadline)],
    release: e.release_date ? dayNumber(e.release_date) : null,
    urgent,
    closed,
    description: `${engagementTitle(e)}: ${closed ? 'closed' : win.label}; access ${e.access_start} to deadline ${win.deadline}${e.release_date ? `; planned release ${e.release_date}` : ''}`,
  }));
}

/** The days the timeline spans: every window, release date and today, with a little room either side. */
export function timelineDomain(bars: readonly TimelineBar[], today: number): [number, number] {
  let lo = today;
  let hi = today;
  for (const b of bars) {
    lo = Math.min(lo, b.window[0], b.release ?? b.window[0]);
    hi = Math.max(hi, b.window[1], b.release ?? b.window[1]);
  }
  return [lo - 2, hi + 2];
}

/** Severity rows of the severity × status chart, most severe first, each with its count per shown status. */
export type SeverityRow = { severity: Severity; total: number } & Record<ShownStatus, number>;

export function severityRows(e: EngagementSummary): SeverityRow[] {
  return Severity.options.map((severity) => {
    const byStatus = e.findings.by_severity_status[severity];
    const row = { severity, total: 0 } as SeverityRow;
    for (const status of ShownStatus.options) {
      const n = byStatus?.[status] ?? 0;
      row[status] = n;
      row.total += n;
    }
    return row;
  });
}

/** Results against thresholds, one group per metric (each chart on its own scale), in first-seen order. */
export function thresholdGroups(rows: readonly ResultAgainstThreshold[]): [string, ResultAgainstThreshold[]][] {
  const groups = new Map<string, ResultAgainstThreshold[]>();
  for (const r of rows) groups.set(r.metric, [...(groups.get(r.metric) ?? []), r]);
  return [...groups];
}
