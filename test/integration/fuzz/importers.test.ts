import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInspectJson } from '../../../main/importers/inspect/inspectJson';
import { parseLmEvalResults } from '../../../main/importers/lmEval/lmEvalResults';
import { parseLmEvalSamples } from '../../../main/importers/lmEval/lmEvalSamples';
import { tempDir } from '../../helpers/app';
import { collect, refusal } from '../../helpers/importers';
import { importerSuite } from '../../fuzz/importers';
import type { FuzzSuite } from '../../fuzz/target';
import { assertTarget } from './runSeeded';

let suite: FuzzSuite;
beforeAll(async () => {
  suite = await importerSuite();
});
afterAll(() => suite.close());

describe('importers under mutated input (seeded)', () => {
  for (const name of ['detect format', 'inspect json', 'inspect eval', 'lm-eval results', 'lm-eval samples']) {
    it(`${name}: returns a log or refuses in one line`, async () => {
      await assertTarget(suite.targets.find((t) => t.name === name)!, 500);
    }, 60_000);
  }
});

// Regressions the fuzzer found.
describe('deeply nested values', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  let dir: { path: string; cleanup(): void };
  beforeAll(() => {
    dir = tempDir('evalnotes-fuzz-regress-');
  });
  afterAll(() => dir.cleanup());

  it('an lm-eval samples line nested 5,000 deep is refused in one line, not a stack overflow', async () => {
    const path = join(dir.path, 'samples_gsm_tiny_2024.jsonl');
    writeFileSync(path, `{"doc_id":0,"doc":{},"target":${deep(5000)},"resps":[],"filtered_resps":[],"exact_match":1}\n`);
    const message = await refusal(collect(parseLmEvalSamples(path, { task: 'gsm_tiny' })), 'samples_gsm_tiny_2024.jsonl line 1');
    expect(message).toMatch(/nests values more than 256 levels deep/);
  });

  it('an lm-eval results file with a config nested 5,000 deep is refused in one line', async () => {
    const path = join(dir.path, 'results_2024.json');
    writeFileSync(path, `{"results":{"gsm":{"acc,none":0.5}},"configs":{"gsm":{"x":${deep(5000)}}}}`);
    expect(await refusal(parseLmEvalResults(path), 'results_2024.json')).toMatch(/nests values more than 256 levels deep/);
  });

  it('an Inspect JSON log with a header value nested 5,000 deep is refused in one line', async () => {
    const path = join(dir.path, 'deep.json');
    writeFileSync(path, `{"version": 2, "status": "success", "eval": {"task": "t", "model": "m", "task_args": ${deep(5000)}}}`);
    expect(await refusal(parseInspectJson(path), 'deep.json')).toMatch(/nests values more than 256 levels deep/);
  });

  it('an unknown run status is quoted briefly, however long it is', async () => {
    const path = join(dir.path, 'status.json');
    writeFileSync(path, `{"version": 2, "status": "${'x'.repeat(100_000)}", "eval": {"task": "t", "model": "m"}}`);
    expect((await refusal(parseInspectJson(path), 'status.json')).length).toBeLessThan(200);
  });

  it('values nested 200 deep (deeper than real logs) still import', async () => {
    const path = join(dir.path, 'samples_ok.jsonl');
    writeFileSync(path, `{"doc_id":7,"doc":{},"target":${deep(200)},"resps":[],"filtered_resps":[],"exact_match":1}\n`);
    const [sample] = await collect(parseLmEvalSamples(path, { task: 'gsm_tiny' }));
    expect(sample?.sample_id).toBe('7');
  });
});

describe('malformed JSON spread over lines', () => {
  it('an Inspect JSON log whose broken spot spans a newline is refused in one line', async () => {
    const dir = tempDir('evalnotes-fuzz-regress-');
    try {
      const path = join(dir.path, 'log.json');
      // The parser's message quotes the text around the error, newline included.
      writeFileSync(path, '{"version": 2, "status": "success", "eval": {"task": "t", "task_args"\n {}}, "results": {}}');
      await refusal(parseInspectJson(path), 'log.json');
    } finally {
      dir.cleanup();
    }
  });
});
