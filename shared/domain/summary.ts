import { z } from 'zod';
import { CalendarDate, Timestamp } from '../dates';
import { RecordId } from './ids';
import { Measure } from './json';
import { Handling } from './handling';
import { EngagementStatus } from './engagement';
import { Severity, ShownStatus } from './finding';
import { Decision } from './review';

const count = z.number().int().min(0);
/** Counts keyed by every severity or status, zeros included, so charts and tables need no gaps filled. */
const bySeverity = z.record(Severity, count);
const byStatus = z.record(ShownStatus, count);

/** One result of an engagement compared with its threshold: the dashboard's "results vs thresholds". */
export const ResultAgainstThreshold = z.strictObject({
  result_id: RecordId,
  run_id: RecordId,
  task: z.string(),
  scorer: z.string(),
  metric: z.string(),
  value: Measure,
  stderr: Measure.nullable(),
  comparison: z.enum(['>=', '>', '<=', '<']),
  threshold: z.number(),
  met: z.boolean(),
});
export type ResultAgainstThreshold = z.infer<typeof ResultAgainstThreshold>;

/** One engagement as the dashboard shows it; every count can be opened as the list of records behind it. */
export const EngagementSummary = z.strictObject({
  id: RecordId,
  developer: z.string(),
  model: z.string(),
  model_version: z.string(),
  status: EngagementStatus,
  handling: Handling,
  access_start: CalendarDate,
  window_days: z.number().int(),
  release_date: CalendarDate.nullable(),
  /** shared/reviewWindow.ts over today: label, deadline, days left, urgent. */
  window: z.strictObject({
    phase: z.enum(['upcoming', 'open', 'closed']),
    label: z.string(),
    deadline: CalendarDate,
    days_left: z.number().int(),
    urgent: z.boolean(),
  }),
  determination: z.strictObject({ decision: Decision, rationale: z.string(), decided_by: z.string().nullable(), updated_at: Timestamp }).nullable(),
  findings: z.strictObject({
    total: count,
    by_severity: bySeverity,
    by_status: byStatus,
    /** severity → shown status → count: the severity-by-status chart. */
    by_severity_status: z.record(Severity, byStatus),
    /** Submitted findings whose current revision no supervisor has decided: they await a verdict. */
    awaiting_verdict: count,
    /** Findings edited by their author after a supervisor's review. */
    changed_since_review: count,
  }),
  results: z.strictObject({
    runs: count,
    results: count,
    /** Results that have a threshold, and how many of those meet it. */
    with_threshold: count,
    met: count,
    /** Thresholds are sensitive: these rows are local only (never in a bundle unless chosen). */
    against_thresholds: z.array(ResultAgainstThreshold),
  }),
});
export type EngagementSummary = z.infer<typeof EngagementSummary>;

/** The supervisor's home: every engagement at a glance (also the CLI's `summary --json`). */
export const Summary = z.strictObject({
  today: CalendarDate,
  generated_at: Timestamp,
  engagements: z.array(EngagementSummary),
  totals: z.strictObject({
    engagements: count,
    findings: count,
    awaiting_verdict: count,
    /** Engagements whose window is in its last seven days or overdue. */
    urgent: count,
    by_severity: bySeverity,
    by_status: byStatus,
  }),
});
export type Summary = z.infer<typeof Summary>;
