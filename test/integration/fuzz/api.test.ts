import { afterAll, beforeAll, describe, it } from 'vitest';
import { apiSuite } from '../../fuzz/api';
import type { FuzzSuite } from '../../fuzz/target';
import { assertTarget } from './runSeeded';

let suite: FuzzSuite;
beforeAll(async () => {
  suite = await apiSuite();
}, 60_000);
afterAll(() => suite.close());

describe('every API call under arbitrary input (seeded)', () => {
  it('answers ok or a known error in one line, and a refused call writes nothing', async () => {
    await assertTarget(suite.targets[0]!, 1500);
  }, 90_000);
});
