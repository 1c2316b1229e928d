/**
 * Fixture locations and an independent reader for the lm-eval / detection tests.
 * Real public logs stay in ../shared/fixtures (never copied into the repo);
 * synthetic edge cases live in test/fixtures/lm_eval.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const sharedFixtures = resolve(repoRoot, '../shared/fixtures');
export const lmEvalDir = join(sharedFixtures, 'lm_eval_harness');
export const syntheticDir = join(repoRoot, 'test/fixtures/lm_eval');

export const filesIn = (dir: string, ext?: string): string[] =>
  readdirSync(dir)
    .filter((f) => (ext === undefined ? true : f.endsWith(ext)))
    .sort()
    .map((f) => join(dir, f));

const MARK = '__test_nonfinite__:';

/**
 * The test's own reading of a JSON file that may hold bare NaN / Infinity (as
 * Python writes them): the constants in value position become marker strings
 * by a regular expression, then plain JSON.parse, then markers become numbers.
 * Deliberately a different technique from the importer's.
 */
export function readJsonIndependently(text: string): unknown {
  const marked = text.replace(/([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, `$1"${MARK}$2"`);
  return JSON.parse(marked, (_k, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith(MARK)) return v;
    const t = v.slice(MARK.length);
    return t === 'NaN' ? Number.NaN : t === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }) as unknown;
}

export const readJsonFile = (path: string): Record<string, unknown> =>
  readJsonIndependently(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** Same-value comparison that treats NaN as equal to NaN (Object.is). */
export const sameNumber = (a: number | null, b: number | null): boolean => Object.is(a, b);
