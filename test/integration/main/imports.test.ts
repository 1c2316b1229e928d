import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../main/blobs/blobStore';
import type { JobContext } from '../../../main/jobs/jobRunner';
import { verifyAuditChain } from '../../../main/audit/auditChain';
import { pipelinedLogReader } from '../../../main/imports/logReader';
import { importLogs } from '../../../main/services/imports';
import type { FileRef } from '../../../shared/api/files';
import { ImportSummary, type RunWithResults, type SamplePage } from '../../../shared/domain/imports';
import type { Sample, Threshold } from '../../../shared/domain/run';
import { AppError, type Result } from '../../../shared/result';
import { makeReadyApp, tempDir, type TestApp } from '../../helpers/app';
import { fixture } from '../../helpers/fixtures';

let t: TestApp;
let engagementId: string;

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}

async function importFiles(paths: string[], samples: string[] = []): Promise<ImportSummary> {
  const ref = (p: string): FileRef => t.app.files.register(p, 'read');
  const { job_id } = await ok<{ job_id: string }>(t.app.dispatch('imports:start', { engagement_id: engagementId, files: paths.map(ref), samples: samples.map(ref) }));
  const finished = await t.app.jobs.wait(job_id);
  expect(finished.status).toBe('succeeded');
  return ImportSummary.parse(finished.result);
}

function counts() {
  const rows = t.app.workspace.db.prepare('SELECT type, count(*) AS n FROM records GROUP BY type').all() as { type: string; n: number }[];
  const audit = (t.app.workspace.db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n;
  return { ...Object.fromEntries(rows.map((r) => [r.type, r.n])), audit };
}

beforeEach(async () => {
  t = await makeReadyApp();
  engagementId = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' }))).id;
});
afterEach(async () => t.cleanup());

describe('importing real logs', () => {
  it('imports every Inspect .eval fixture with the metrics its header states', async () => {
    const dir = fixture('inspect_eval');
    const files = readdirSync(dir).filter((f) => f.endsWith('.eval'));
    const summary = await importFiles(files.map((f) => join(dir, f)));
    expect(summary.files.map((f) => f.status)).toEqual(files.map(() => 'imported'));
    // Independently: security-guide's accuracy as the header.json inside the ZIP says (unzipped by Python's zipfile in the fixture notes: 0.6875 on 16 samples).
    const security = summary.files.find((f) => f.file.includes('security-guide'));
    expect(security).toMatchObject({ status: 'imported', samples: 16, metrics: [{ metric: 'accuracy', value: 0.6875 }] });
    const runs = await ok<RunWithResults[]>(t.app.dispatch('runs:list', { engagement_id: engagementId }));
    expect(runs).toHaveLength(files.length);
    const run = runs.find((r) => r.run.sources[0]?.name.includes('security-guide'));
    expect(run?.run).toMatchObject({ source: 'inspect', format: 'inspect-eval', status: 'success', model: 'openai/gpt-4o-mini', sample_count: 16 });
    expect(run?.results).toEqual([expect.objectContaining({ scorer: 'model_graded_fact', metric: 'accuracy', value: 0.6875, n: 16 })]);
    expect((await ok<{ ok: boolean }>(t.app.dispatch('audit:verify', {}))).ok).toBe(true);
  });

  it('imports every Inspect JSON log, keeping cancelled and error status as stated', async () => {
    const dir = fixture('inspect_json');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const summary = await importFiles(files.map((f) => join(dir, f)));
    for (const [i, f] of files.entries()) {
      const log = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { status: string; samples?: unknown[]; eval: { task: string } };
      expect(summary.files[i]).toMatchObject({ file: f, status: 'imported', run_status: log.status, samples: log.samples?.length ?? 0 });
    }
  });

  it('imports lm-eval results with their samples files and keeps NaN and Infinity', async () => {
    const dir = fixture('lm_eval_harness');
    const files = readdirSync(dir).map((f) => join(dir, f));
    const summary = await importFiles(files.filter((f) => f.endsWith('.json')), files.filter((f) => f.endsWith('.jsonl')));
    expect(summary.files.filter((f) => f.status !== 'imported')).toEqual([]);
    // Each samples file goes to its own results file only (by the task in its name), never to another.
    const paired = summary.files.flatMap((f) => (f.status === 'imported' && f.samples_files.length ? [[f.file.split('_')[0], f.samples_files.map((s) => s.split('_')[0])]] : []));
    expect(paired).toEqual([
      ['pr2236', ['pr2236']],
      ['pr3144', ['pr3144']],
      ['pr3168', ['pr3168']],
    ]);
    const asdiv = summary.files.find((f) => f.file.includes('asdiv_results'));
    // Read independently from the file: results.asdiv["acc,none"] and the samples JSONL line count.
    const raw = JSON.parse(readFileSync(files.find((f) => f.includes('asdiv_results')) ?? '', 'utf8')) as { results: { asdiv: Record<string, number> } };
    const lines = readFileSync(files.find((f) => f.includes('samples_asdiv')) ?? '', 'utf8').trim().split('\n').length;
    expect(asdiv).toMatchObject({ status: 'imported', samples: lines, metrics: [{ metric: 'acc', scorer: 'none', value: raw.results.asdiv['acc,none'] }] });
    const tg = summary.files.find((f) => f.file.includes('NaN-Infinity'));
    if (tg?.status !== 'imported') throw new Error('NaN file not imported');
    const run = await ok<RunWithResults>(t.app.dispatch('run:get', { id: tg.run_id }));
    const values = run.results.map((r) => r.value);
    expect(values.some((v) => v === Number.POSITIVE_INFINITY || Number.isNaN(v))).toBe(true);
    expect(run.results.some((r) => r.stderr !== undefined && Number.isNaN(r.stderr))).toBe(true);
  });

  it('refuses what is not a log with one sentence per file and imports the rest', async () => {
    const before = counts();
    const summary = await importFiles([fixture('inspect_json/aux/inspect_ai__log-sets_logs.json'), fixture('csaf/examples/csaf_2.0__bsi-2022-0001.json')]);
    expect(summary.files).toEqual([
      expect.objectContaining({ status: 'failed', error: { code: 'INVALID_INPUT', message: expect.stringMatching(/log-directory index/) as unknown } }),
      expect.objectContaining({ status: 'failed', error: { code: 'INVALID_INPUT', message: expect.stringMatching(/not a format EvalNotes imports/) as unknown } }),
    ]);
    expect(counts()).toEqual(before);
  });

  it('treats the same file imported again as a no-op that says so', async () => {
    const file = fixture('inspect_eval/inspect_ai__2025-09-23_security-guide.eval');
    const first = await importFiles([file]);
    const before = counts();
    const again = await importFiles([file]);
    expect(again.files[0]).toMatchObject({ status: 'duplicate', run_id: (first.files[0] as { run_id: string }).run_id, message: expect.stringMatching(/already imported/) as unknown });
    expect(counts()).toEqual(before);
  });

  it('finds samples by the words in them', async () => {
    const summary = await importFiles([fixture('lm_eval_harness/pr2754__aibe_evaluation_results_embedded-samples.json')]);
    const runId = (summary.files[0] as { run_id: string }).run_id;
    const all = await ok<SamplePage>(t.app.dispatch('samples:list', { run_id: runId, limit: 500 }));
    expect(all.total).toBeGreaterThan(10);
    // Pick a distinctive word from one sample's own input and search for it.
    const target = all.rows[7];
    const word = (target?.input.match(/[A-Za-z]{9,}/g) ?? []).find((w) => all.rows.filter((r) => r.input.includes(w)).length === 1);
    expect(word).toBeDefined();
    const found = await ok<SamplePage>(t.app.dispatch('samples:list', { run_id: runId, query: word ?? '' }));
    expect(found.rows.map((r) => r.id)).toContain(target?.id);
    const full = await ok<Sample>(t.app.dispatch('sample:get', { id: target?.id ?? '' }));
    expect(full.input).toContain(word);
    expect(full.location.kind).toBe('bytes');
    const none = await ok<SamplePage>(t.app.dispatch('samples:list', { run_id: runId, query: 'zzqqxxnotaword' }));
    expect(none).toEqual({ total: 0, rows: [] });
  });
});

describe('filtering samples by outcome', () => {
  it('shows the solved and the unsolved samples, as many as the log’s accuracy says', async () => {
    const dir = fixture('inspect_eval');
    const file = readdirSync(dir).find((f) => f.includes('security-guide'))!;
    const imported = (await importFiles([join(dir, file)])).files[0] as { run_id: string; samples: number; metrics: { metric: string; value: number }[] };
    const accuracy = imported.metrics.find((m) => m.metric === 'accuracy')!.value;
    const page = (outcome: string, query = '') => ok<SamplePage>(t.app.dispatch('samples:list', { run_id: imported.run_id, outcome, query, limit: 500 }));
    const solved = await page('solved');
    const unsolved = await page('unsolved');
    // The header's accuracy is the share of samples scored CORRECT (0.6875 of 16 = 11).
    expect(solved.total).toBe(Math.round(accuracy * imported.samples));
    expect(unsolved.total).toBe(imported.samples - solved.total);
    expect(solved.rows.every((r) => Object.values(r.scores).some((s) => (s as { value: unknown }).value === 'C'))).toBe(true);
    expect(unsolved.rows.every((r) => Object.values(r.scores).some((s) => (s as { value: unknown }).value === 'I'))).toBe(true);
    expect((await page('all')).total).toBe(imported.samples);
    // The outcome and a text search combine.
    const word = (solved.rows[0]!.input.match(/[A-Za-z]{6,}/g) ?? [])[0]!;
    const both = await page('solved', word);
    expect(both.rows.length).toBeGreaterThan(0);
    expect(both.rows.every((r) => solved.rows.some((x) => x.id === r.id))).toBe(true);
  });
});

describe('import safety', () => {
  function ctx(cancelAfterChecks: number): JobContext {
    let checks = 0;
    return {
      signal: new AbortController().signal,
      progress: () => {},
      checkCancelled: () => {
        checks += 1;
        if (checks > cancelAfterChecks) throw new AppError('CANCELLED', 'cancelled');
      },
    };
  }

  it('leaves nothing behind when cancelled half way through a file', async () => {
    const ws = t.app.workspace;
    const blobs = new BlobStore(ws.blobDir);
    const before = counts();
    // The aibe log holds 100 embedded samples; cancel after the first file check.
    await expect(
      importLogs(ws, blobs, { engagementId, files: [{ path: fixture('lm_eval_harness/pr2754__aibe_evaluation_results_embedded-samples.json'), name: 'aibe.json' }], samples: [] }, ctx(1)),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(counts()).toEqual(before);
    expect(readdirSync(ws.blobDir).filter((d) => d !== 'tmp')).toEqual([]);
    expect(readdirSync(join(ws.blobDir, 'tmp'))).toEqual([]);
  });

  it('keeps a log once as a content-addressed blob', async () => {
    const file = fixture('inspect_eval/inspect_ai__2025-09-23_security-guide.eval');
    const summary = await importFiles([file]);
    const run = await ok<RunWithResults>(t.app.dispatch('run:get', { id: (summary.files[0] as { run_id: string }).run_id }));
    const sha = run.run.sources[0]?.sha256 ?? '';
    const blobs = new BlobStore(t.app.workspace.blobDir);
    expect(existsSync(blobs.path(sha))).toBe(true);
    expect(readFileSync(blobs.path(sha)).equals(readFileSync(file))).toBe(true);
  });

  it('warns about credential-shaped strings and remembers where', async () => {
    const d = tempDir();
    const log = JSON.parse(readFileSync(fixture('inspect_json/inspect_ai__2025-05-12_security-guide.json'), 'utf8')) as {
      results: { scores: { params: Record<string, unknown> }[] };
    };
    // Where the real public leak sat: a scorer's parameters (a GitHub token).
    const scorer = log.results.scores[0];
    if (!scorer) throw new Error('fixture has no scorer');
    scorer.params = { ...scorer.params, github_token: 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8' };
    const path = join(d.path, 'leaky.json');
    writeFileSync(path, JSON.stringify(log));
    const summary = await importFiles([path]);
    d.cleanup();
    const imported = summary.files[0];
    if (imported?.status !== 'imported') throw new Error('not imported');
    expect(imported.warnings.length).toBeGreaterThan(0);
    expect(imported.warnings[0]?.where).toMatch(/scorers\[0\]\.params\.github_token/);
    expect(JSON.stringify(imported.warnings)).not.toContain('A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8');
    const run = await ok<RunWithResults>(t.app.dispatch('run:get', { id: imported.run_id }));
    expect(run.run.credential_warnings).toEqual(imported.warnings);
  });

  it('runs in the worker thread of the built app and reports progress', async () => {
    const worker = join(import.meta.dirname, '../../../out/main/importWorker.js');
    await t.cleanup();
    t = await makeReadyApp({ importWorkerPath: worker });
    engagementId = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Lab', model: 'M', model_version: 'v', access_start: '2026-03-01' }))).id;
    const progress: number[] = [];
    t.app.events.subscribe((e) => e.name === 'job:progress' && progress.push(e.payload.done));
    const summary = await importFiles([fixture('lm_eval_harness/pr2754__aibe_evaluation_results_embedded-samples.json')]);
    expect(summary.files[0]).toMatchObject({ status: 'imported', samples: 100 });
    expect(progress.length).toBeGreaterThan(0);
    expect((await ok<RunWithResults[]>(t.app.dispatch('runs:list', { engagement_id: engagementId }))).length).toBe(1);
  });
});

describe('reading a log in a thread of its own', () => {
  const worker = join(import.meta.dirname, '../../../out/main/importWorker.js');
  const noProgress: JobContext = { signal: new AbortController().signal, progress: () => {}, checkCancelled: () => {} };

  /** Sample bodies without what differs per import (ids, times): what the log said. */
  function sampleContent(ws: TestApp['app']['workspace']) {
    const rows = ws.db.prepare(`SELECT body FROM records WHERE type = 'sample' ORDER BY rowid`).all() as { body: string }[];
    return rows.map((r) => {
      const { id: _id, run_id: _run, author: _a, created_at: _c, updated_at: _u, ...rest } = JSON.parse(r.body) as Record<string, unknown>;
      return rest;
    });
  }

  it.each([
    ['inspect_json', '.json'],
    ['inspect_eval', '.eval'],
    ['lm_eval_harness', 'embedded-samples.json'],
  ])('stores the same samples from %s as reading inline, through the built worker', async (folder, suffix) => {
    const dir = fixture(folder);
    const file = readdirSync(dir).find((f) => f.endsWith(suffix))!;
    const request = { engagementId, files: [{ path: join(dir, file), name: file }], samples: [] };
    const ws = t.app.workspace;
    const inline = await importLogs(ws, new BlobStore(ws.blobDir), request, noProgress);

    const other = await makeReadyApp();
    try {
      const id = (await ok<{ id: string }>(other.app.dispatch('engagement:create', { developer: 'Lab', model: 'M', model_version: 'v', access_start: '2026-03-01' }))).id;
      const ows = other.app.workspace;
      // minBytes 0: even a small log goes to the reader thread.
      const threaded = await importLogs(ows, new BlobStore(ows.blobDir), { ...request, engagementId: id }, noProgress, pipelinedLogReader(worker, 0));
      expect(threaded.files[0]).toMatchObject({ status: 'imported', samples: (inline.files[0] as { samples: number }).samples });
      expect((threaded.files[0] as { metrics: unknown }).metrics).toEqual((inline.files[0] as { metrics: unknown }).metrics);
      expect(sampleContent(ows)).toEqual(sampleContent(ws));
      expect(verifyAuditChain(ows.db).ok).toBe(true);
    } finally {
      await other.cleanup();
    }
  });

  it('reports a malformed log read in the thread with the same sentence, and keeps nothing', async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'broken.json');
      // The header reads; the second sample does not.
      const sample = '{"id": 1, "epoch": 1, "input": "a", "target": "b", "scores": {}}';
      writeFileSync(path, `{"version": 2, "status": "success", "eval": {"task": "t", "model": "m/m"}, "samples": [${sample}, {"id": }]}`);
      const ws = t.app.workspace;
      const request = { engagementId, files: [{ path, name: 'broken.json' }], samples: [] };
      const threaded = await importLogs(ws, new BlobStore(ws.blobDir), request, noProgress, pipelinedLogReader(worker, 0));
      const inline = await importLogs(ws, new BlobStore(ws.blobDir), request, noProgress);
      expect(threaded.files[0]).toMatchObject({ status: 'failed', error: { code: 'INVALID_INPUT' } });
      expect(threaded.files[0]).toEqual(inline.files[0]);
      expect(counts()).toMatchObject({ audit: counts().audit });
      expect(ws.db.prepare(`SELECT count(*) AS n FROM records WHERE type IN ('run', 'sample', 'result')`).get()).toEqual({ n: 0 });
    } finally {
      dir.cleanup();
    }
  });

  it('stops the reader thread when the import is cancelled', async () => {
    const dir = fixture('lm_eval_harness');
    const file = readdirSync(dir).find((f) => f.endsWith('embedded-samples.json'))!;
    const controller = new AbortController();
    const ctx: JobContext = {
      signal: controller.signal,
      progress: (_d, _t, message) => {
        if (/: \d+ samples$/.test(message)) controller.abort();
      },
      checkCancelled: () => {
        if (controller.signal.aborted) throw new AppError('CANCELLED', 'cancelled');
      },
    };
    const ws = t.app.workspace;
    const request = { engagementId, files: [{ path: join(dir, file), name: file }], samples: [] };
    await expect(importLogs(ws, new BlobStore(ws.blobDir), request, ctx, pipelinedLogReader(worker, 0))).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(ws.db.prepare(`SELECT count(*) AS n FROM records WHERE type IN ('run', 'sample', 'result')`).get()).toEqual({ n: 0 });
  });
});

describe('thresholds and manual results', () => {
  it('marks which results meet a local threshold', async () => {
    const base = { engagement_id: engagementId, task: 'security_guide', scorer: 'model_graded_fact', metric: 'accuracy' };
    const th = await ok<Threshold>(t.app.dispatch('threshold:create', { ...base, comparison: '>=', value: 0.6 }));
    const clash = await t.app.dispatch('threshold:create', { ...base, comparison: '<', value: 0.2 });
    expect(clash).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const edited = await ok<Threshold>(t.app.dispatch('threshold:update', { id: th.id, changes: { value: 0.7 } }));
    expect(edited).toMatchObject({ value: 0.7, revision: 2 });
    expect(await t.app.dispatch('threshold:create', { ...base, metric: 'stderr', comparison: '>=', value: 'high' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await t.app.dispatch('threshold:create', { ...base, metric: 'x', comparison: '==', value: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^comparison:/) as unknown } });
    expect(await ok<Threshold[]>(t.app.dispatch('thresholds:list', { engagement_id: engagementId }))).toHaveLength(1);
    await ok(t.app.dispatch('threshold:delete', { id: th.id }));
    expect(await ok<Threshold[]>(t.app.dispatch('thresholds:list', { engagement_id: engagementId }))).toEqual([]);
  });

  it('records a run and its results typed in by hand, NaN included', async () => {
    const r = await ok<RunWithResults>(
      t.app.dispatch('run:createManual', {
        engagement_id: engagementId,
        task: 'ctf_suite',
        model: 'orion-2-rc3',
        results: [
          { metric: 'solve_rate', value: 0.41, stderr: 0.05, n: 212 },
          { scorer: 'judge', metric: 'refusal', value: 'NaN' },
        ],
      }),
    );
    expect(r.run).toMatchObject({ source: 'manual', format: 'manual', task: 'ctf_suite', status: 'success' });
    expect(r.results[0]).toMatchObject({ task: 'ctf_suite', metric: 'solve_rate', value: 0.41, stderr: 0.05, n: 212 });
    expect(Number.isNaN(r.results[1]?.value)).toBe(true);
    expect(await t.app.dispatch('run:createManual', { engagement_id: engagementId, task: 't', model: 'm', results: [] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'results: must list at least one result' },
    });
  });
});

describe('uploads', () => {
  it('frees the uploaded copy once the import is done', async () => {
    const { Readable } = await import('node:stream');
    const bytes = readFileSync(fixture('inspect_json/inspect_ai__log_formats.json'));
    const ref = await t.app.files.receiveUpload('log_formats.json', Readable.from([bytes]), 1e9);
    const path = t.app.files.resolve(ref.ref, 'read').path;
    const { job_id } = await ok<{ job_id: string }>(t.app.dispatch('imports:start', { engagement_id: engagementId, files: [ref] }));
    expect(await t.app.jobs.wait(job_id)).toMatchObject({ status: 'succeeded', result: { files: [{ status: 'imported' }] } });
    expect(existsSync(path)).toBe(false);
    expect(() => t.app.files.resolve(ref.ref, 'read')).toThrow(/no longer available/);
  });
});
