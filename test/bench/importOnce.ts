/**
 * One full import in a process of its own, so its peak RSS is its own:
 * `node --import tsx test/bench/importOnce.ts <log file> [<built import worker>]`.
 * Imports the file through importLogs into a fresh workspace, then times the search-index fill
 * again on its own and a bare FTS5 insert of the same text. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BlobStore } from '../../main/blobs/blobStore';
import { openDatabase } from '../../main/db/open';
import type { JobContext } from '../../main/jobs/jobRunner';
import { indexSamplesOfRun, searchableText } from '../../main/records/searchIndex';
import { pipelinedLogReader } from '../../main/imports/logReader';
import { importLogs } from '../../main/services/imports';
import { makeReadyApp, tempDir } from '../helpers/app';

export type ImportOnceResult = {
  seconds: number;
  samples: number;
  status: string;
  /** Peak RSS of this process right after the import, and before it started (runtime + modules). */
  peakRssBytes: number;
  startRssBytes: number;
  ftsIndexSeconds: number;
  ftsBareSeconds: number;
  ftsRows: number;
  ftsTextBytes: number;
  /**
   * Where the import's time went, from its progress reports: copying the file
   * into the blob store; parse and rows (from the first byte parsed to the last
   * sample row written); the tail (search index, run record, commit).
   */
  phases: { copySeconds: number; parseAndRowsSeconds: number; tailSeconds: number };
};

/**
 * This process's peak RSS: VmHWM of its own address space. Not getrusage's
 * maxRSS: on Linux that keeps the forking parent's RSS across fork + exec (a
 * child of a 400 MB parent starts at "400 MB"), so it would not be the import's own.
 */
function maxRss(): number {
  try {
    const kb = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const [file, worker] = process.argv.slice(2);
  const workerPath = worker ? resolve(worker) : undefined;
  if (!file) throw new Error('usage: importOnce.ts <log file> [<built import worker>]');
  const startRssBytes = maxRss();
  const t = await makeReadyApp();
  const scratch = tempDir('evalnotes-bench-fts-');
  try {
    const created = await t.app.dispatch('engagement:create', { developer: 'Bench Lab', model: 'Bench-1', model_version: 'rc1', access_start: '2026-03-01' });
    if (!created.ok) throw new Error(created.error.message);
    const engagementId = (created.value as { id: string }).id;
    const ws = t.app.workspace;
    // Progress messages mark the phases: "Parsing …" ends the copy, the last sample count ends the rows.
    let parseStart = 0;
    let rowsEnd = 0;
    const ctx: JobContext = {
      signal: new AbortController().signal,
      progress: (_done, _total, message) => {
        const now = performance.now();
        if (message.startsWith('Parsing') && parseStart === 0) parseStart = now;
        if (message.startsWith('Writing samples') && /: \d+ samples$/.test(message)) rowsEnd = now;
      },
      checkCancelled: () => {},
    };

    const t0 = performance.now();
    // As the app and the CLI do: the built worker reads the log while this thread stores it.
    const reader = workerPath ? pipelinedLogReader(workerPath) : undefined;
    const summary = await importLogs(ws, new BlobStore(ws.blobDir), { engagementId, files: [{ path: file, name: file.split('/').pop()! }], samples: [] }, ctx, reader);
    const t1 = performance.now();
    const seconds = (t1 - t0) / 1000;
    const phases = { copySeconds: (parseStart - t0) / 1000, parseAndRowsSeconds: (rowsEnd - parseStart) / 1000, tailSeconds: (t1 - rowsEnd) / 1000 };
    const peakRssBytes = maxRss();
    const outcome = summary.files[0]!;
    if (outcome.status !== 'imported') throw new Error(`import ${outcome.status}: ${JSON.stringify(outcome)}`);

    // The index fill again, alone: empty the index, then the same statement the import ran.
    const { db } = ws;
    db.exec('BEGIN IMMEDIATE');
    db.exec(`INSERT INTO search_index (search_index) VALUES ('delete-all')`);
    const f0 = performance.now();
    const ftsRows = indexSamplesOfRun(db, outcome.run_id);
    db.exec('COMMIT');
    const ftsIndexSeconds = (performance.now() - f0) / 1000;

    // The same text into a plain fts5(body) table of a fresh database.
    const texts: string[] = [];
    for (const row of db.prepare(`SELECT body FROM records WHERE type = 'sample'`).iterate() as IterableIterator<{ body: string }>) {
      texts.push(searchableText(JSON.parse(row.body) as { type: string }) ?? '');
    }
    const bare = openDatabase(join(scratch.path, 'bare-fts.db'));
    bare.exec('CREATE VIRTUAL TABLE bare USING fts5(body)');
    const insert = bare.prepare('INSERT INTO bare (body) VALUES (?)');
    const b0 = performance.now();
    bare.exec('BEGIN');
    for (const text of texts) insert.run(text);
    bare.exec('COMMIT');
    const ftsBareSeconds = (performance.now() - b0) / 1000;
    bare.close();

    const result: ImportOnceResult = {
      seconds,
      samples: outcome.samples,
      status: outcome.status,
      peakRssBytes,
      startRssBytes,
      ftsIndexSeconds,
      ftsBareSeconds,
      ftsRows,
      ftsTextBytes: texts.reduce((s, x) => s + Buffer.byteLength(x), 0),
      phases,
    };
    console.log(JSON.stringify(result));
  } finally {
    await t.cleanup();
    scratch.cleanup();
  }
}

await main();
