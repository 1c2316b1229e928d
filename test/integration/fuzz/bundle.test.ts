import { afterAll, beforeAll, describe, it } from 'vitest';
import { bundleSuite } from '../../fuzz/bundle';
import type { FuzzSuite } from '../../fuzz/target';
import { assertTarget } from './runSeeded';

let suite: FuzzSuite;
beforeAll(async () => {
  suite = await bundleSuite();
}, 60_000);
afterAll(() => suite.close());

describe('bundle verifier under mutated bundles (seeded)', () => {
  it('changed bytes never verify, and every refusal is one line', async () => {
    await assertTarget(suite.targets.find((t) => t.name === 'bundle bytes')!, 1000);
  }, 60_000);

  it('re-signed hostile content is answered with a report, never an exception', async () => {
    await assertTarget(suite.targets.find((t) => t.name === 'bundle content')!, 200);
  }, 60_000);
});
