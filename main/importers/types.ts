/**
 * What every log parser yields: plain data, independent of the store. The
 * import service (a later step) turns it into run, result and sample records
 * through the single write function. Numbers may be NaN or ±Infinity: keep them.
 */

export type SourceFormat = 'inspect-json' | 'inspect-eval' | 'lm-eval-results' | 'lm-eval-samples';

export type RunStatus = 'success' | 'error' | 'cancelled' | 'started';

export type TokenUsage = {
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  /** Cache, reasoning, cost … as the log gives them. */
  other: Record<string, number>;
};

export type ParsedRunMeta = {
  source: 'inspect' | 'lm-eval-harness';
  format: SourceFormat;
  /** The task, or for an lm-eval file with several tasks the tasks joined by ", ". */
  task: string;
  task_version: string | null;
  model: string;
  dataset: string | null;
  harness_version: string | null;
  status: RunStatus;
  /** RFC 3339 UTC, or null when the log does not say. */
  created_at: string | null;
  completed_at: string | null;
  /** Model args, generation config, n-shot, limits, git hash … (JSON-safe, non-finite numbers allowed). */
  config: Record<string, unknown>;
  token_usage: Record<string, TokenUsage>;
  /** The run's own error message, if it failed. */
  error: string | null;
  /** Sample count the log states (may differ from samples present). */
  sample_count: number | null;
};

export type ParsedResult = {
  task: string;
  /** Inspect scorer name (plus reducer if any), or the lm-eval filter (e.g. "none", "flexible-extract"). */
  scorer: string;
  metric: string;
  value: number;
  stderr: number | null;
  n: number | null;
  higher_is_better: boolean | null;
};

/** Where a sample's bytes sit in the source file, so no file per sample is kept. */
export type SampleLocation =
  | { kind: 'bytes'; offset: number; length: number }
  | { kind: 'zip-member'; member: string }
  | { kind: 'jsonl-line'; line: number; offset: number; length: number };

export type ParsedSample = {
  task: string;
  sample_id: string;
  epoch: number;
  /** Text a person reads: chat messages flattened to "role: text" lines, attachments resolved. */
  input: string;
  target: string;
  output: string;
  /** Scorer name → { value, answer?, explanation? } (value may be NaN, string, bool, list, dict). */
  scores: Record<string, unknown>;
  error: string | null;
  location: SampleLocation;
  /** lm-eval's doc_hash, prompt_hash, target_hash when present. */
  hashes: Record<string, string>;
};

export type ParsedLog = {
  meta: ParsedRunMeta;
  results: ParsedResult[];
  /** Streamed: a 200 MB log must not be held in memory as objects. */
  samples(): AsyncIterable<ParsedSample>;
};

/** Thrown for input that is not a log we read; message is one sentence naming the file. */
export class LogFormatError extends Error {
  override name = 'LogFormatError';
}
