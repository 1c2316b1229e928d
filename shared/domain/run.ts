import { z } from 'zod';
import { Timestamp } from '../dates';
import { Sha256Hex, RecordId } from './ids';
import { JsonObject, Measure } from './json';
import { Envelope } from './record';
import { Name, Text } from './text';

export const RunSource = z.enum(['manual', 'inspect', 'lm-eval-harness']);
export type RunSource = z.infer<typeof RunSource>;
export const SourceFormat = z.enum(['manual', 'inspect-json', 'inspect-eval', 'lm-eval-results', 'lm-eval-samples']);
export const RunStatus = z.enum(['success', 'error', 'cancelled', 'started']);
export type RunStatus = z.infer<typeof RunStatus>;

const count = z.number().int().min(0);

export const TokenUsage = z.strictObject({
  input_tokens: count.nullable(),
  output_tokens: count.nullable(),
  total_tokens: count.nullable(),
  other: z.record(z.string(), Measure),
});

/** A file a run came from, kept once as a content-addressed blob. */
export const SourceFile = z.strictObject({
  sha256: Sha256Hex,
  name: z.string().max(255),
  size: count,
  /** For lm-eval samples files: the task they hold. */
  task: z.string().optional(),
});

/** A credential-shaped string found at import: where, and a redacted preview. */
export const CredentialWarning = z.strictObject({
  kind: z.string(),
  where: z.string(),
  preview: z.string(),
});
export type CredentialWarning = z.infer<typeof CredentialWarning>;

const runFields = {
  engagement_id: RecordId,
  source: RunSource,
  format: SourceFormat,
  task: Name(500),
  task_version: z.string().max(200).optional(),
  model: Name(500),
  dataset: z.string().max(500).optional(),
  harness_version: z.string().max(200).optional(),
  status: RunStatus,
  started_at: Timestamp.optional(),
  completed_at: Timestamp.optional(),
  config: JsonObject,
  token_usage: z.record(z.string(), TokenUsage),
  /** The log itself (for lm-eval, the results file) and any samples files. */
  sources: z.array(SourceFile),
  sample_count: count.optional(),
  error: Text(10_000).optional(),
  credential_warnings: z.array(CredentialWarning),
};

export const Run = z.strictObject({ type: z.literal('run'), ...Envelope, ...runFields });
export type Run = z.infer<typeof Run>;

/** What identifies a metric: results and thresholds are matched on it. */
const metricKeyFields = {
  task: Name(500),
  /** Inspect scorer (with reducer), or the lm-eval filter. */
  scorer: z.string().max(500),
  metric: Name(200),
};

const resultFields = {
  run_id: RecordId,
  ...metricKeyFields,
  value: Measure,
  stderr: Measure.optional(),
  n: count.optional(),
  higher_is_better: z.boolean().optional(),
};
export const MetricResult = z.strictObject({ type: z.literal('result'), ...Envelope, ...resultFields });
export type MetricResult = z.infer<typeof MetricResult>;

/** Longest text kept in a sample record; the full text stays in the source blob. */
export const SAMPLE_TEXT_LIMIT = 32_000;

export const SampleLocation = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bytes'), offset: count, length: count }),
  z.strictObject({ kind: z.literal('zip-member'), member: z.string().max(1000) }),
  z.strictObject({ kind: z.literal('jsonl-line'), line: count, offset: count, length: count }),
]);
export type SampleLocation = z.infer<typeof SampleLocation>;

const sampleFields = {
  run_id: RecordId,
  task: Name(500),
  sample_id: z.string().min(1).max(500),
  epoch: z.number().int().min(0),
  input: z.string().max(SAMPLE_TEXT_LIMIT),
  target: z.string().max(SAMPLE_TEXT_LIMIT),
  output: z.string().max(SAMPLE_TEXT_LIMIT),
  /** True when input, target or output was cut to SAMPLE_TEXT_LIMIT. */
  truncated: z.boolean(),
  /**
   * Scorer → score as the log gives it. Not checked recursively: it arrived as
   * JSON (a log or a bundle), and a deep check costs more than the whole insert.
   */
  scores: z.record(z.string(), z.unknown()),
  error: Text(10_000).optional(),
  /** The source file holding this sample, and where its bytes sit in it. */
  source_sha256: Sha256Hex,
  location: SampleLocation,
  /** lm-eval's doc_hash, prompt_hash, target_hash. */
  hashes: z.record(z.string(), z.string().max(200)),
};
export const Sample = z.strictObject({ type: z.literal('sample'), ...Envelope, ...sampleFields });
export type Sample = z.infer<typeof Sample>;

export const Comparison = z.enum(['>=', '>', '<=', '<']);
export type Comparison = z.infer<typeof Comparison>;

const thresholdFields = {
  engagement_id: RecordId,
  ...metricKeyFields,
  comparison: Comparison,
  value: z.number().refine(Number.isFinite, { message: 'must be a finite number' }),
};
export const Threshold = z.strictObject({ type: z.literal('threshold'), ...Envelope, ...thresholdFields });
export type Threshold = z.infer<typeof Threshold>;

export const ThresholdInput = z.strictObject(thresholdFields);

/** NaN (unscored) never meets a threshold. */
export function meetsThreshold(value: number, t: { comparison: Comparison; value: number }): boolean {
  if (Number.isNaN(value)) return false;
  switch (t.comparison) {
    case '>=':
      return value >= t.value;
    case '>':
      return value > t.value;
    case '<=':
      return value <= t.value;
    case '<':
      return value < t.value;
  }
}

/** Threshold key: a result matches a threshold with the same task, scorer and metric. */
export function thresholdKey(r: { task: string; scorer: string; metric: string }): string {
  return JSON.stringify([r.task, r.scorer, r.metric]);
}

export type ThresholdIndex = ReadonlyMap<string, Threshold>;
/** Whether a result meets the threshold that matches it. */
export type ThresholdVerdict = { threshold: Threshold; meets: boolean };

/** Live thresholds by key; when two share a key, the later one in the list wins. */
export function indexThresholds(thresholds: readonly Threshold[]): ThresholdIndex {
  return new Map(thresholds.filter((t) => !t.deleted).map((t) => [thresholdKey(t), t]));
}

/** The threshold matching a result (same task, scorer, metric) and whether the result meets it; null when none matches. */
export function verdictFor(result: { task: string; scorer: string; metric: string; value: number }, index: ThresholdIndex): ThresholdVerdict | null {
  const threshold = index.get(thresholdKey(result));
  return threshold ? { threshold, meets: meetsThreshold(result.value, threshold) } : null;
}

/** Manual entry for harnesses EvalNotes does not parse. */
export const ManualRunInput = z.strictObject({
  engagement_id: RecordId,
  task: Name(500),
  model: Name(500),
  dataset: z.string().max(500).optional(),
  harness_version: z.string().max(200).optional(),
  status: RunStatus.default('success'),
  completed_at: Timestamp.optional(),
  results: z
    .array(
      z.strictObject({
        task: Name(500).optional(),
        scorer: z.string().max(500).default(''),
        metric: Name(200),
        value: Measure,
        stderr: Measure.optional(),
        n: count.optional(),
        higher_is_better: z.boolean().optional(),
      }),
    )
    .min(1, { message: 'must list at least one result' })
    .max(1000),
});
