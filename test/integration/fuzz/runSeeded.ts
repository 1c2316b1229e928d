/**
 * The seeded CI subset: the same targets as `npm run fuzz`, a fixed seed and
 * a few hundred cases each, stopping at (and shrinking) the first failure.
 */
import fc from 'fast-check';
import { propertyOf, type FuzzTarget } from '../../fuzz/target';

export const CI_SEED = 20260307;

export async function assertTarget(t: FuzzTarget, numRuns: number): Promise<void> {
  await fc.assert(propertyOf(t), { numRuns, seed: CI_SEED });
}
