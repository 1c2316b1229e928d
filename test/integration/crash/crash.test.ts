import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAfterKill, newMemo } from '../../crash/checks';
import { runCrashHarness } from '../../crash/harness';
import { prepareCrashWorkspace } from '../../crash/setup';
import { tempDir } from '../../helpers/app';

/** CRASH_SEED replays a failure: every assertion names its kill, lane and seeds. */
const SEED = Number(process.env.CRASH_SEED ?? 20260307);
const KILLS = 200;
const dir = tempDir('evalnotes-crash-');
afterAll(() => dir.cleanup());

describe('crash safety', () => {
  it(
    `survives ${KILLS} SIGKILLs at random points of imports, edits, attachments and ingests`,
    async () => {
      // Three lanes: each child spends part of its life waiting on fsync, so two cores run three.
      const figures = await runCrashHarness({ kills: KILLS, lanes: 3, seed: SEED, dir: join(dir.path, 'lanes'), maxDelayMs: 300 });
      expect(figures.kills).toBe(KILLS);
      // The kills landed in real work, not only in start-up: most rounds committed operations first.
      expect(figures.kills - figures.killedDuringStartup).toBeGreaterThan(KILLS / 2);
      expect(figures.committedOperations).toBeGreaterThan(KILLS);
      expect(figures.records).toBeGreaterThan(0);
      expect(figures.blobs).toBeGreaterThan(0);
    },
    240_000,
  );
});

describe('the crash checks', () => {
  it('catch a lost commit, a stray file among the blobs and a half-written blob', async () => {
    const setup = await prepareCrashWorkspace(join(dir.path, 'checks'));
    await expect(checkAfterKill(setup, newMemo(), 'baseline')).resolves.toMatchObject({ journalRecords: 0 });

    // The journal claims a revision the database does not have.
    appendFileSync(setup.journal, JSON.stringify({ op: 'forged', records: [['00000000-0000-4000-8000-000000000000', 3]], blobs: [] }) + '\n');
    await expect(checkAfterKill(setup, newMemo(), 'kill 1')).rejects.toThrow(/^kill 1: record 00000000-0000-4000-8000-000000000000 was committed at revision 3/);
    rmSync(setup.journal);

    // A temp file renamed into the store under a name that is no digest.
    const blobDir = join(setup.dataDir, 'blobs');
    mkdirSync(join(blobDir, 'ab'), { recursive: true });
    writeFileSync(join(blobDir, 'ab', 'c.part'), 'partial');
    await expect(checkAfterKill(setup, newMemo(), 'kill 2')).rejects.toThrow(/^kill 2: blobs\/ab\/c\.part is not named by a SHA-256/);
    rmSync(join(blobDir, 'ab', 'c.part'));

    // Bytes that do not hash to the blob's name.
    writeFileSync(join(blobDir, 'ab', 'c'.repeat(62)), 'half of it');
    await expect(checkAfterKill(setup, newMemo(), 'kill 3')).rejects.toThrow(/^kill 3: blobs\/ab\/c+ hashes to [0-9a-f]{64}: a half-written blob is visible/);
  });
});
