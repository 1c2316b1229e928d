/**
 * Imports evaluation logs into an engagement: each file is detected from its
 * content, kept once as a content-addressed blob, parsed as a stream, scanned for
 * credential-shaped strings, and written through the single write function in
 * one transaction per file (a failure or a cancel leaves nothing of that file).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { ImportFileOutcome, ImportSummary } from '../../shared/domain/imports';
import type { CredentialWarning } from '../../shared/domain/run';
import { AppError } from '../../shared/result';
import { toApiError } from '../api/dispatch';
import type { BlobStore } from '../blobs/blobStore';
import { scanValue } from '../importers/credentials';
import { detectFormat } from '../importers/detectFormat';
import { readLmEvalResultsFile, metricNamesByTask } from '../importers/lmEval/lmEvalResults';
import { findSamplesBeside, pairSamplesWithResults, taskFromFileName } from '../importers/lmEval/lmEvalSamples';
import { LogFormatError, type SourceFormat } from '../importers/types';
import { readLog as readLogHere, type LogEvent, type LogReader, type LogSpec } from '../imports/logReader';
import type { JobContext } from '../jobs/jobRunner';
import { getRecord } from '../records/readRecords';
import { indexSamplesOfRun } from '../records/searchIndex';
import { storeSealed, writeRecords, type WriteOp } from '../records/writeRecord';
import type { Workspace } from '../workspace/workspace';
import { cleanText, jsonObject, oneLineName, utcTimestamp } from './jsonSafe';

export type ImportFile = { path: string; name: string };
export type ImportRequest = { engagementId: string; files: ImportFile[]; samples: ImportFile[] };

/** A run remembers at most this many credential warnings (the count says how many more). */
const MAX_WARNINGS = 100;

type Classified = ImportFile & { format: SourceFormat };
type StoredSource = { sha256: string; name: string; size: number; added: boolean; task?: string };

/** `readLog` reads each log; the app and the CLI pass one that reads large logs in a thread of their own. */
export async function importLogs(ws: Workspace, blobs: BlobStore, req: ImportRequest, ctx: JobContext, readLog: LogReader = readLogHere): Promise<ImportSummary> {
  getRecord(ws.db, 'engagement', req.engagementId);
  const outcomes: ImportFileOutcome[] = [];
  const logs: Classified[] = [];
  const samplePool: Classified[] = [];

  for (const file of [...req.files, ...req.samples]) {
    try {
      const { format } = await detectFormat(file.path);
      (format === 'lm-eval-samples' ? samplePool : logs).push({ ...file, format });
    } catch (error) {
      outcomes.push(failed(file.name, error));
    }
  }

  for (const log of logs.filter((l) => l.format === 'lm-eval-results')) {
    for (const path of await findSamplesBeside(log.path)) {
      if (!samplePool.some((s) => s.path === path)) samplePool.push({ path, name: basename(path), format: 'lm-eval-samples' });
    }
  }
  const assigned = await assignSamples(logs.filter((l) => l.format === 'lm-eval-results'), samplePool);
  const usedSamples = new Set([...assigned.values()].flat().map((a) => a.file.path));
  const progress = new Progress(ctx, logs.length);
  for (const log of logs) {
    ctx.checkCancelled();
    try {
      outcomes.push(await importOne(ws, blobs, req.engagementId, log, assigned.get(log.path) ?? [], ctx, progress, readLog));
    } catch (error) {
      if (error instanceof AppError && error.code === 'CANCELLED') throw error;
      outcomes.push(failed(log.name, error));
    }
    progress.nextFile();
  }
  for (const s of samplePool) {
    if (usedSamples.has(s.path) || !req.samples.concat(req.files).some((f) => f.path === s.path)) continue;
    const existing = findRunBySource(ws, await sha256OfFile(s.path));
    outcomes.push(
      existing
        ? { file: s.name, status: 'duplicate', run_id: existing.id, message: `${s.name} was already imported with run ${existing.id} (${existing.task}); nothing changed.` }
        : failed(s.name, new LogFormatError(`${s.name} is an lm-eval samples file that matches none of the results files imported with it; import it together with its results_*.json.`)),
    );
  }
  return { files: outcomes };
}

async function importOne(
  ws: Workspace,
  blobs: BlobStore,
  engagementId: string,
  log: Classified,
  samplesFiles: Assignment[],
  ctx: JobContext,
  progress: Progress,
  readLog: LogReader,
): Promise<ImportFileOutcome> {
  const stored: StoredSource[] = [];
  // In an encrypted workspace the blob is sealed, so the parsers read the file it was copied from; stamps tell if it changes meanwhile.
  const stamps = new SourceStamps(blobs.encrypted);
  try {
    progress.phase(`Reading ${log.name}`);
    await stamps.take(log.path);
    const source = { ...(await blobs.putFile(log.path, (n) => progress.bytes(n), ctx.signal)), name: log.name };
    stored.push(source);
    const existing = findRunBySource(ws, source.sha256);
    if (existing) {
      return { file: log.name, status: 'duplicate', run_id: existing.id, message: `${log.name} was already imported as run ${existing.id} (${existing.task}); nothing changed.` };
    }

    progress.phase(`Parsing ${log.name}`);
    const blobPath = blobs.plainPath(source.sha256) ?? log.path;
    const samplesFilesSpec: LogSpec['samplesFiles'] = [];
    if (samplesFiles.length > 0) {
      const metrics = metricNamesByTask((await readLmEvalResultsFile(blobPath)).raw);
      for (const { file, task } of samplesFiles) {
        await stamps.take(file.path);
        const put = await blobs.putFile(file.path, undefined, ctx.signal);
        stored.push({ ...put, name: file.name, task });
        samplesFilesSpec.push({ path: blobs.plainPath(put.sha256) ?? file.path, sha256: put.sha256, task, metricNames: [...(metrics.get(task) ?? [])] });
      }
    }
    const spec: LogSpec = {
      format: log.format,
      path: blobPath,
      label: log.name,
      sha256: source.sha256,
      size: stored.reduce((sum, s) => sum + s.size, 0),
      samplesFiles: samplesFilesSpec,
      runId: uuidv7(),
      author: ws.writer().author,
      now: ws.clock.now().toISOString(),
    };
    return await writeRun(ws, engagementId, log, readLog(spec), spec.runId, stored, ctx, progress, () => stamps.check());
  } catch (error) {
    // Nothing of this file was committed: drop the blobs it brought in.
    for (const s of stored) if (s.added && !findRunBySource(ws, s.sha256)) await blobs.remove(s.sha256);
    throw error;
  }
}

type Assignment = { file: Classified; task: string };

const TIMESTAMP = /(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)/;

/**
 * Which results file each lm-eval samples file belongs to. The harness names
 * them samples_<task>_<timestamp>.jsonl: a file whose name names a task of one
 * of the results files goes to it (the one with the same timestamp first). Only
 * a file whose name names no task at all is matched by content, and only when
 * exactly one results file fits.
 */
async function assignSamples(results: Classified[], pool: Classified[]): Promise<Map<string, Assignment[]>> {
  const out = new Map<string, Assignment[]>();
  if (results.length === 0 || pool.length === 0) return out;
  const tasks = new Map<string, string[]>();
  for (const r of results) {
    try {
      tasks.set(r.path, [...metricNamesByTask((await readLmEvalResultsFile(r.path)).raw).keys()]);
    } catch {
      tasks.set(r.path, []); // its own import reports the problem
    }
  }
  const add = (logPath: string, a: Assignment) => out.set(logPath, [...(out.get(logPath) ?? []), a]);
  for (const file of pool) {
    const byName = results.flatMap((r) => {
      const task = taskFromFileName(file.name, tasks.get(r.path) ?? []);
      return task ? [{ r, task }] : [];
    });
    if (byName.length > 0) {
      const ts = TIMESTAMP.exec(file.name)?.[1];
      const best = byName.find(({ r }) => ts !== undefined && TIMESTAMP.exec(r.name)?.[1] === ts) ?? byName[0];
      if (best) add(best.r.path, { file, task: best.task });
      continue;
    }
    const byContent: { r: Classified; task: string }[] = [];
    for (const r of results) {
      const [pairing] = await pairSamplesWithResults(r.path, [file.path]).catch(() => []);
      if (pairing?.task) byContent.push({ r, task: pairing.task });
    }
    const only = byContent.length === 1 ? byContent[0] : undefined;
    if (only) add(only.r.path, { file, task: only.task });
  }
  return out;
}

async function writeRun(
  ws: Workspace,
  engagementId: string,
  log: Classified,
  events: AsyncIterable<LogEvent>,
  runId: string,
  sources: StoredSource[],
  ctx: JobContext,
  progress: Progress,
  beforeCommit: () => Promise<void> = async () => {},
): Promise<ImportFileOutcome> {
  const writer = ws.writer();
  const { db } = ws;
  const reading = events[Symbol.asyncIterator]();
  const first = await reading.next();
  if (first.done || first.value.kind !== 'head') throw new AppError('INTERNAL', `Reading ${log.name} gave no run metadata.`);
  const { meta, results } = first.value;
  const warnings = new WarningList();
  warnings.add(scanValue(meta.config, 'config'));
  warnings.add(scanValue(meta.error, 'error'));

  let sampleCount = 0;
  db.exec('BEGIN IMMEDIATE');
  try {
    writeRecords(
      writer,
      results.map(
        (r): WriteOp<'result'> => ({
          action: 'create',
          type: 'result',
          refs: [runId],
          fields: {
            run_id: runId,
            task: oneLineName(r.task, meta.task),
            scorer: oneLineName(r.scorer, '', 500),
            metric: oneLineName(r.metric, 'value', 200),
            value: r.value,
            ...(r.stderr !== null ? { stderr: r.stderr } : {}),
            ...(r.n !== null ? { n: r.n } : {}),
            ...(r.higher_is_better !== null ? { higher_is_better: r.higher_is_better } : {}),
          },
        }),
      ),
    );

    progress.phase(`Writing samples of ${log.name}`, meta.sample_count);
    for (let next = await reading.next(); !next.done; next = await reading.next()) {
      const event = next.value;
      if (event.kind !== 'samples') continue;
      warnings.add(event.warnings);
      if (event.sealed) storeSealed(writer, event.sealed);
      else writeRecords(writer, event.ops, { deferSearch: true });
      sampleCount += event.sealed?.length ?? event.ops.length;
      progress.samples(sampleCount);
      // Let a cancel message (or the UI's requests, inline) in between batches.
      await new Promise((resolve) => setImmediate(resolve));
      ctx.checkCancelled();
    }
    ctx.checkCancelled();
    indexSamplesOfRun(db, runId);

    writeRecords(writer, [
      {
        action: 'create',
        type: 'run',
        id: runId,
        fields: {
          engagement_id: engagementId,
          source: meta.source,
          format: meta.format,
          task: oneLineName(meta.task, 'unknown task'),
          ...(meta.task_version !== null ? { task_version: String(meta.task_version).slice(0, 200) } : {}),
          model: oneLineName(meta.model, 'unknown model'),
          ...(meta.dataset ? { dataset: oneLineName(meta.dataset, '', 500) } : {}),
          ...(meta.harness_version ? { harness_version: oneLineName(meta.harness_version, '', 200) } : {}),
          status: meta.status,
          ...optionalTime('started_at', meta.created_at),
          ...optionalTime('completed_at', meta.completed_at),
          config: jsonObject(meta.config),
          token_usage: Object.fromEntries(Object.entries(meta.token_usage).map(([model, u]) => [model, { ...u, other: numbersOnly(u.other) }])),
          sources: sources.map((s) => ({ sha256: s.sha256, name: s.name.slice(0, 255), size: s.size, ...(s.task ? { task: s.task } : {}) })),
          sample_count: meta.sample_count ?? sampleCount,
          ...(meta.error ? { error: cleanText(meta.error, 10_000) } : {}),
          credential_warnings: warnings.list(),
        },
      },
    ]);
    await beforeCommit();
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    // Stops the reader (and its thread) when the writing stopped first.
    await reading.return?.();
    throw error;
  }

  return {
    file: log.name,
    status: 'imported',
    run_id: runId,
    format: meta.format,
    task: meta.task,
    model: meta.model,
    run_status: meta.status,
    metrics: results.map((r) => ({ task: r.task, scorer: r.scorer, metric: r.metric, value: r.value, stderr: r.stderr, n: r.n })),
    samples: sampleCount,
    samples_files: sources.slice(1).map((s) => s.name),
    warnings: warnings.list(),
  };
}

/**
 * Size and modification time of the files an import parses from where they
 * are rather than from the blob store (an encrypted workspace): if one changed
 * between its copy into the store and the commit, the rows would describe other
 * bytes than the blob keeps, so the import is refused.
 */
class SourceStamps {
  private readonly taken: { path: string; size: number; mtimeMs: number }[] = [];
  constructor(private readonly needed: boolean) {}
  async take(path: string): Promise<void> {
    if (!this.needed) return;
    const { size, mtimeMs } = await stat(path);
    this.taken.push({ path, size, mtimeMs });
  }
  async check(): Promise<void> {
    for (const t of this.taken) {
      const now = await stat(t.path).catch(() => null);
      if (!now || now.size !== t.size || now.mtimeMs !== t.mtimeMs) {
        throw new AppError('CONFLICT', `${basename(t.path)} changed while it was being imported; nothing of it was kept, import it again.`);
      }
    }
  }
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function findRunBySource(ws: Workspace, sha256: string): { id: string; task: string } | undefined {
  return ws.db
    .prepare(
      `SELECT id, json_extract(body, '$.task') AS task FROM records
       WHERE type = 'run' AND deleted = 0
         AND EXISTS (SELECT 1 FROM json_each(body, '$.sources') WHERE json_extract(value, '$.sha256') = ?)`,
    )
    .get(sha256) as { id: string; task: string } | undefined;
}

function failed(file: string, error: unknown): ImportFileOutcome {
  if (error instanceof LogFormatError) return { file, status: 'failed', error: { code: 'INVALID_INPUT', message: error.message } };
  if ((error as { code?: string }).code === 'ENOENT') return { file, status: 'failed', error: { code: 'NOT_FOUND', message: `${file} does not exist.` } };
  return { file, status: 'failed', error: toApiError(error) };
}

function optionalTime<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  const t = utcTimestamp(value);
  return t ? ({ [key]: t } as Record<K, string>) : {};
}

function numbersOnly(o: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

class WarningList {
  private readonly items: CredentialWarning[] = [];
  private more = 0;
  add(found: CredentialWarning[]): void {
    for (const w of found) {
      if (this.items.length < MAX_WARNINGS) this.items.push({ kind: w.kind, where: w.where.slice(0, 500), preview: w.preview.slice(0, 100) });
      else this.more += 1;
    }
  }
  list(): CredentialWarning[] {
    return this.more ? [...this.items, { kind: 'more', where: `${this.more} more places`, preview: '' }] : this.items;
  }
}

/** Progress in per-mille of the whole import: each file gets an equal share. */
class Progress {
  private file = 0;
  private label = '';
  private expected: number | null = null;
  constructor(
    private readonly ctx: JobContext,
    private readonly files: number,
  ) {}
  phase(label: string, expectedSamples: number | null = null): void {
    this.label = label;
    this.expected = expectedSamples;
    this.report(0.05);
  }
  bytes(n: number): void {
    this.ctx.progress(this.at(0.05), 1000, `${this.label} (${(n / 1e6).toFixed(1)} MB)`);
  }
  samples(n: number): void {
    const fraction = this.expected ? Math.min(n / this.expected, 1) : 0.5;
    this.ctx.progress(this.at(0.1 + 0.9 * fraction), 1000, `${this.label}: ${n} samples`);
  }
  nextFile(): void {
    this.file += 1;
    this.report(0);
  }
  private report(fraction: number): void {
    this.ctx.progress(this.at(fraction), 1000, this.label);
  }
  private at(fraction: number): number {
    return Math.round(((this.file + fraction) / Math.max(this.files, 1)) * 1000);
  }
}
