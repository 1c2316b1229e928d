/**
 * `npm run soak`: the crash harness at length. SOAK_KILLS (default 2,000),
 * SOAK_LANES (workspaces side by side, default 3), SOAK_SEED (printed, to
 * replay a failure). Prints progress, then the figures as a table and one JSON
 * line; exits non-zero on the first failed check, naming the kill and seeds.
 */
import { join } from 'node:path';
import { tempDir } from '../helpers/app';
import { runCrashHarness } from './harness';

const kills = Number(process.env.SOAK_KILLS ?? 2000);
const lanes = Number(process.env.SOAK_LANES ?? 3);
const seed = Number(process.env.SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const out = (line: string) => process.stdout.write(line + '\n');

const dir = tempDir('evalnotes-soak-');
out(`crash soak: ${kills} kills over ${lanes} lanes, seed ${seed} (SOAK_SEED=${seed} replays it)`);
try {
  const step = Math.max(1, Math.floor(kills / 20));
  const figures = await runCrashHarness({
    kills,
    lanes,
    seed,
    dir: join(dir.path, 'lanes'),
    onKill: (done) => {
      if (done % step === 0) out(`  ${done} kills checked`);
    },
  });
  const rows: [string, string][] = [
    ['kills (SIGKILL)', String(figures.kills)],
    ['  of them during start-up', String(figures.killedDuringStartup)],
    ['operations finished', String(figures.operations)],
    ['operations committed (journaled)', String(figures.committedOperations)],
    ['checks passed', String(figures.checks)],
    ['records at the end', String(figures.records)],
    ['blobs at the end', String(figures.blobs)],
    ['  unreferenced (written, then killed before the record)', String(figures.orphanBlobs)],
    ['temp files left in blobs/tmp', String(figures.leftoverTemp)],
    ['worker start to ready (mean ms)', figures.workerStartMs.toFixed(0)],
    ['seconds', figures.seconds.toFixed(1)],
    ['kills per second', (figures.kills / figures.seconds).toFixed(2)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out(`${k.padEnd(width)}  ${v}`);
  out(JSON.stringify({ seed, lanes, ...figures }));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  dir.cleanup();
}
