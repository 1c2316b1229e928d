import type { z } from 'zod';
import type { RunWithResults, SampleOutcome, SamplePage, SampleRow } from '../../shared/domain/imports';
import { MetricResult, Run, Sample, type ManualRunInput } from '../../shared/domain/run';
import { getRecord } from '../records/readRecords';
import { ftsQuery } from '../records/searchIndex';
import { writeRecord, writeRecords } from '../records/writeRecord';
import type { Workspace } from '../workspace/workspace';
import { v7 as uuidv7 } from 'uuid';

const EXCERPT = 300;

/** The hot queries, exported so tests can check their plans use the parent index. */
export const runQueries = {
  runsOfEngagement: "SELECT body FROM records WHERE parent_id = ? AND type = 'run' AND deleted = 0 ORDER BY id DESC",
  resultsOfRun: "SELECT body FROM records WHERE parent_id = ? AND type = 'result' AND deleted = 0 ORDER BY rowid",
  samplesFrom: (search: boolean, outcome: SampleOutcome = 'all') =>
    (search
      ? `FROM search_index JOIN records ON records.rowid = search_index.rowid
         WHERE search_index MATCH @match AND records.parent_id = @run AND records.type = 'sample' AND records.deleted = 0`
      : `FROM records WHERE parent_id = @run AND type = 'sample' AND deleted = 0`) + OUTCOME_SQL[outcome],
  samplesPage: (search: boolean, outcome: SampleOutcome = 'all') =>
    `SELECT records.body AS body ${runQueries.samplesFrom(search, outcome)} ORDER BY records.rowid LIMIT @limit OFFSET @offset`,
};

/**
 * A score that says solved: Inspect's CORRECT ("C"), true, or 1 (lm-eval's
 * exact match); unsolved: INCORRECT ("I"), false, or 0. Partial credit, NaN and
 * free text are neither. A sample is solved when some score says so and none
 * says otherwise.
 */
const scoreIs = (values: string) =>
  `EXISTS (SELECT 1 FROM json_each(records.body, '$.scores') AS s WHERE json_extract(s.value, '$.value') IN (${values}))`;
const OUTCOME_SQL: Record<SampleOutcome, string> = {
  all: '',
  solved: ` AND ${scoreIs(`'C', 1`)} AND NOT ${scoreIs(`'I', 0`)}`,
  unsolved: ` AND ${scoreIs(`'I', 0`)}`,
};

/** Runs, their results and samples: what the results screens read. */
export class RunService {
  constructor(
    private readonly ws: Workspace,
    private readonly changed: (types: string[]) => void = () => {},
  ) {}

  list(engagementId: string): RunWithResults[] {
    getRecord(this.ws.db, 'engagement', engagementId);
    const runs = this.ws.db
      .prepare(runQueries.runsOfEngagement)
      .all(engagementId) as { body: string }[];
    return runs.map((r) => {
      const run = Run.parse(JSON.parse(r.body));
      return { run, results: this.results(run.id) };
    });
  }

  get(id: string): RunWithResults {
    const run = getRecord(this.ws.db, 'run', id);
    return { run, results: this.results(id) };
  }

  /** Results for harnesses EvalNotes does not parse, typed in by a person. */
  createManual(input: z.output<typeof ManualRunInput>): RunWithResults {
    getRecord(this.ws.db, 'engagement', input.engagement_id);
    const runId = uuidv7();
    const writer = this.ws.writer();
    // One transaction: the run and its results, or nothing.
    this.ws.db.transaction(() => {
      writeRecord(writer, {
        action: 'create',
        type: 'run',
        id: runId,
        fields: {
          engagement_id: input.engagement_id,
          source: 'manual',
          format: 'manual',
          task: input.task,
          model: input.model,
          ...(input.dataset ? { dataset: input.dataset } : {}),
          ...(input.harness_version ? { harness_version: input.harness_version } : {}),
          status: input.status,
          ...(input.completed_at ? { completed_at: input.completed_at } : {}),
          config: {},
          token_usage: {},
          sources: [],
          credential_warnings: [],
        },
      });
      writeRecords(
        writer,
        input.results.map((r) => ({ action: 'create' as const, type: 'result' as const, refs: [runId], fields: { ...r, run_id: runId, task: r.task ?? input.task } })),
      );
    }).immediate();
    this.changed(['run', 'result']);
    return this.get(runId);
  }

  /** A page of samples in the log's order, optionally only those matching words. */
  samples(runId: string, opts: { query: string; outcome?: SampleOutcome; offset: number; limit: number }): SamplePage {
    getRecord(this.ws.db, 'run', runId);
    const match = ftsQuery(opts.query);
    const { db } = this.ws;
    if (opts.query.trim() !== '' && match === null) return { total: 0, rows: [] };
    const params = { run: runId, match, limit: opts.limit, offset: opts.offset };
    const outcome = opts.outcome ?? 'all';
    const total = (db.prepare(`SELECT count(*) AS n ${runQueries.samplesFrom(match !== null, outcome)}`).get(params) as { n: number }).n;
    const rows = db.prepare(runQueries.samplesPage(match !== null, outcome)).all(params) as { body: string }[];
    return { total, rows: rows.map((r) => toRow(Sample.parse(JSON.parse(r.body)))) };
  }

  sample(id: string): Sample {
    return getRecord(this.ws.db, 'sample', id);
  }

  private results(runId: string): MetricResult[] {
    const rows = this.ws.db
      .prepare(runQueries.resultsOfRun)
      .all(runId) as { body: string }[];
    return rows.map((r) => MetricResult.parse(JSON.parse(r.body)));
  }
}

function toRow(s: Sample): SampleRow {
  const cut = (t: string) => (t.length > EXCERPT ? `${t.slice(0, EXCERPT)}…` : t);
  return { id: s.id, task: s.task, sample_id: s.sample_id, epoch: s.epoch, input: cut(s.input), target: cut(s.target), output: cut(s.output), scores: s.scores, error: s.error ?? null };
}

