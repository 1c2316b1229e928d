/**
 * Which results meet which thresholds. A result matches a threshold with the
 * same task, scorer (or lm-eval filter) and metric; NaN never meets one.
 */
import type { Comparison, MetricResult } from '../../../shared/domain/run';
import { formatMeasure } from '../../lib/format';

export { indexThresholds, verdictFor, type ThresholdIndex, type ThresholdVerdict as Verdict } from '../../../shared/domain/run';

export const COMPARISON_WORDS: Record<Comparison, string> = {
  '>=': 'at least',
  '>': 'more than',
  '<=': 'at most',
  '<': 'less than',
};

const COMPARISON_SIGNS: Record<Comparison, string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<' };

/** "≥ 0.35": how a threshold reads beside a value. */
export function thresholdLabel(t: { comparison: Comparison; value: number }): string {
  return `${COMPARISON_SIGNS[t.comparison]} ${formatMeasure(t.value)}`;
}

/** Inspect reports stderr (and std) as metrics of their own; they are spreads, not results to chart or lead with. */
export function isSpreadMetric(metric: string): boolean {
  return /^(stderr|std|stddev|var|variance)$/i.test(metric) || /_stderr$/i.test(metric);
}

/** The result a run is known by in a list: the first one that is not a spread. */
export function keyResult(results: readonly MetricResult[]): MetricResult | undefined {
  return results.find((r) => !isSpreadMetric(r.metric)) ?? results[0];
}
