/**
 * The import bench's reference in a process of its own, as the imports run:
 * reading plus JSON.parse of the JSON log, REPS times. A fresh heap keeps the
 * bench process's own garbage (the generated logs) from slowing the reference
 * and flattering the ratios. `node --import tsx test/bench/referenceOnce.ts <file> <reps>`;
 * prints one JSON line.
 */
import { readFile } from 'node:fs/promises';

async function main(): Promise<void> {
  const [file, repsArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: referenceOnce.ts <JSON log> [reps]');
  const runs: number[] = [];
  for (let i = 0; i < Number(repsArg ?? 3); i++) {
    const t0 = performance.now();
    JSON.parse(await readFile(file, 'utf8'));
    runs.push((performance.now() - t0) / 1000);
  }
  console.log(JSON.stringify({ runs }));
}

await main();
