import { z } from 'zod';
import { ApiError } from '../result';
import { RecordId } from './ids';
import { Measure } from './json';
import { CredentialWarning, MetricResult, Run, RunStatus, Sample, SourceFormat } from './run';

/** What happened to one file of an import. Files are imported independently. */
export const ImportFileOutcome = z.discriminatedUnion('status', [
  z.strictObject({
    file: z.string(),
    status: z.literal('imported'),
    run_id: RecordId,
    format: SourceFormat,
    task: z.string(),
    model: z.string(),
    run_status: RunStatus,
    metrics: z.array(
      z.strictObject({ task: z.string(), scorer: z.string(), metric: z.string(), value: Measure, stderr: Measure.nullable(), n: z.number().int().nullable() }),
    ),
    samples: z.number().int(),
    /** Samples files read with this log (lm-eval). */
    samples_files: z.array(z.string()),
    /** Credential-shaped strings found, where, redacted; the run remembers them for export. */
    warnings: z.array(CredentialWarning),
  }),
  z.strictObject({ file: z.string(), status: z.literal('duplicate'), run_id: RecordId, message: z.string() }),
  z.strictObject({ file: z.string(), status: z.literal('failed'), error: ApiError }),
]);
export type ImportFileOutcome = z.infer<typeof ImportFileOutcome>;

export const ImportSummary = z.strictObject({ files: z.array(ImportFileOutcome) });
export type ImportSummary = z.infer<typeof ImportSummary>;

export const RunWithResults = z.strictObject({ run: Run, results: z.array(MetricResult) });
export type RunWithResults = z.infer<typeof RunWithResults>;

/** A row of the samples table: enough to scan, not the whole transcript. */
export const SampleRow = z.strictObject({
  id: RecordId,
  task: z.string(),
  sample_id: z.string(),
  epoch: z.number().int(),
  input: z.string(),
  target: z.string(),
  output: z.string(),
  scores: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
});
export type SampleRow = z.infer<typeof SampleRow>;

/** Which samples to show by their scores: solved (correct), unsolved (incorrect), or all. */
export const SampleOutcome = z.enum(['all', 'solved', 'unsolved']);
export type SampleOutcome = z.infer<typeof SampleOutcome>;

export const SamplePage = z.strictObject({ total: z.number().int(), rows: z.array(SampleRow) });
export type SamplePage = z.infer<typeof SamplePage>;

export { Sample };
