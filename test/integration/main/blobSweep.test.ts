import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestApp, tempDir, type TestApp } from '../../helpers/app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('temp files a crashed writer left in the blob store', () => {
  it('are removed when the app opens once they are a day old; a fresh one (a live writer’s) stays', async () => {
    const dir = tempDir('evalnotes-blob-sweep-');
    const dataDir = join(dir.path, 'workspace');
    const tmp = join(dataDir, 'blobs', 'tmp');
    mkdirSync(tmp, { recursive: true });
    const stale = join(tmp, 'abandoned.part');
    const fresh = join(tmp, 'being-written.part');
    writeFileSync(stale, 'half a blob');
    writeFileSync(fresh, 'half a blob');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(stale, twoDaysAgo, twoDaysAgo);

    t = makeTestApp({ dataDir });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    await t.cleanup();
    t = undefined;
    dir.cleanup();
  });
});
