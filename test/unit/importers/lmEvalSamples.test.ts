import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricNamesByTask, readLmEvalResultsFile } from '../../../main/importers/lmEval/lmEvalResults';
import {
  findSamplesBeside,
  pairSamplesWithResults,
  parseLmEvalSamples,
  readJsonlLines,
} from '../../../main/importers/lmEval/lmEvalSamples';
import { LogFormatError } from '../../../main/importers/types';
import { filesIn, lmEvalDir, readJsonIndependently, syntheticDir } from './lmEvalFixtures';
import { collect } from '../../helpers/importers';

type Entry = Record<string, unknown>;

const real = {
  asdiv: {
    results: join(lmEvalDir, 'pr2236__Llama-3-8B-Instruct_asdiv_results_2024-08-21T03-44-09.494230.json'),
    samples: join(lmEvalDir, 'pr2236__Llama-3-8B-Instruct_samples_asdiv_2024-08-21T03-44-09.494230.jsonl'),
    task: 'asdiv',
  },
  polymer: {
    results: join(lmEvalDir, 'pr3144__gpt-4o-mini_tgpred_results_NaN-Infinity.json'),
    samples: join(lmEvalDir, 'pr3144__gpt-4o-mini_samples_polymer_tg_prediction_Infinity.jsonl'),
    task: 'polymer_tg_prediction',
  },
  eqbench: {
    results: join(lmEvalDir, 'pr3168__FLOR-760M_results_2025-07-21T14-41-47.889425.json'),
    samples: join(lmEvalDir, 'pr3168__FLOR-760M_samples_eqbench_ca_2025-07-21T14-41-47.889425.jsonl'),
    task: 'eqbench_ca',
  },
};
const synthetic = {
  results: join(syntheticDir, 'results_2024-01-02T03-04-05.123456.json'),
  tiny: join(syntheticDir, 'samples_gsm_tiny_2024-01-02T03-04-05.123456.jsonl'),
  hard: join(syntheticDir, 'samples_gsm_tiny_hard_2024-01-02T03-04-05.123456.jsonl'),
  stale: join(syntheticDir, 'samples_gsm_tiny_2023-12-31T00-00-00.000000.jsonl'),
};


/** The test's own split: non-blank lines with their 1-based numbers. */
function statedLines(path: string): { line: number; value: Entry }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((text, i) => ({ line: i + 1, text: text.replace(/\r$/, '') }))
    .filter((l) => l.text.trim() !== '')
    .map((l) => ({ line: l.line, value: readJsonIndependently(l.text) as Entry }));
}

const jsonlFiles = [...filesIn(lmEvalDir, '.jsonl'), synthetic.tiny, synthetic.hard];

describe('parseLmEvalSamples', () => {
  it.each(jsonlFiles.map((f) => [basename(f), f]))('%s: every line, with offsets that slice back to the line', async (_n, path) => {
    const bytes = readFileSync(path);
    const stated = statedLines(path);
    const samples = await collect(parseLmEvalSamples(path, { task: 't' }));
    expect(samples).toHaveLength(stated.length);
    samples.forEach((s, i) => {
      const want = stated[i]!;
      if (s.location.kind !== 'jsonl-line') throw new Error('expected a jsonl-line location');
      expect(s.location.line).toBe(want.line);
      const slice = readJsonIndependently(bytes.subarray(s.location.offset, s.location.offset + s.location.length).toString('utf8')) as Entry;
      expect(slice.doc_id).toBe(want.value.doc_id);
      const filter = want.value.filter;
      expect(s.sample_id).toBe(typeof filter === 'string' && filter !== 'none' ? `${String(want.value.doc_id)},${filter}` : String(want.value.doc_id));
      expect(s.epoch).toBe(1);
      expect(s.target).toBe(want.value.target);
      for (const h of ['doc_hash', 'prompt_hash', 'target_hash']) if (typeof want.value[h] === 'string') expect(s.hashes[h]).toBe(want.value[h]);
      for (const m of (want.value.metrics as string[] | undefined) ?? []) {
        expect(Object.is((s.scores[m] as { value: unknown }).value, want.value[m])).toBe(true);
      }
    });
  });

  it('keeps Infinity scores from the polymer samples (never null or 0)', async () => {
    const text = readFileSync(real.polymer.samples, 'utf8');
    const infinite = (text.match(/"mae": Infinity/g) ?? []).length;
    expect(infinite).toBeGreaterThan(0);
    const samples = await collect(parseLmEvalSamples(real.polymer.samples, { task: real.polymer.task }));
    expect(samples.filter((s) => (s.scores.mae as { value: number }).value === Number.POSITIVE_INFINITY)).toHaveLength(infinite);
  });

  it('shows a chat prompt as role: text lines and the filtered response as output', async () => {
    const [first] = await collect(parseLmEvalSamples(real.polymer.samples, { task: real.polymer.task }));
    const line = statedLines(real.polymer.samples)[0]!.value;
    const chat = JSON.parse(((line.arguments as Entry).gen_args_0 as Entry).arg_0 as string) as { role: string; content: string }[];
    expect(first!.input).toBe(chat.map((m) => `${m.role}: ${m.content}`).join('\n'));
    expect(first!.output).toBe((line.filtered_resps as string[]).join('\n'));
    expect(first!.task).toBe(real.polymer.task);
  });

  it('scores old lines without a metrics list by the metrics the results state', async () => {
    const { raw } = await readLmEvalResultsFile(real.asdiv.results);
    const samples = await collect(parseLmEvalSamples(real.asdiv.samples, { task: 'asdiv', metricNames: metricNamesByTask(raw).get('asdiv') }));
    const stated = statedLines(real.asdiv.samples);
    expect(samples.map((s) => s.scores)).toEqual(stated.map((l) => ({ acc: { value: l.value.acc } })));
    expect(samples[0]!.input).toBe(((stated[0]!.value.arguments as Entry).gen_args_0 as Entry).arg_0);
  });

  it('counts CRLF, blank lines and multi-byte characters right, and gives each (doc, filter) its own id', async () => {
    const samples = await collect(parseLmEvalSamples(synthetic.tiny, { task: 'gsm_tiny' }));
    const locations = samples.map((s) => s.location);
    expect(locations.map((l) => (l.kind === 'jsonl-line' ? l.line : -1))).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    const bytes = readFileSync(synthetic.tiny);
    for (const l of locations) {
      if (l.kind !== 'jsonl-line') continue;
      expect(bytes[l.offset]).toBe(0x7b); // "{"
      expect(bytes[l.offset + l.length - 1]).toBe(0x7d); // "}" — no \r in the range
    }
    expect(new Set(samples.map((s) => s.sample_id)).size).toBe(8);
    expect(samples[4]!.sample_id).toBe('0,flexible-extract');
  });

  it('reads a last line without a final newline, NaN scores included', async () => {
    const samples = await collect(parseLmEvalSamples(synthetic.hard, { task: 'gsm_tiny_hard' }));
    expect(samples).toHaveLength(4);
    for (const s of samples) expect((s.scores.exact_match as { value: number }).value).toBeNaN();
  });

  describe('bad lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmeval-samples-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('stops with one sentence naming the file and line', async () => {
      const p = join(dir, 'samples_bad.jsonl');
      writeFileSync(p, '{"doc_id": 0, "target": "a"}\n{"doc_id": 1, "target": \n');
      const err = await collect(parseLmEvalSamples(p, { task: 't' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LogFormatError);
      expect((err as Error).message).toMatch(/^samples_bad\.jsonl line 2 is not valid JSON/);
      expect((err as Error).message).not.toContain('\n');

      const q = join(dir, 'samples_nodoc.jsonl');
      writeFileSync(q, '{"target": "a"}\n');
      await expect(collect(parseLmEvalSamples(q, { task: 't' }))).rejects.toThrow(/samples_nodoc\.jsonl line 1 is not an lm-evaluation-harness sample/);
    });
  });

  it('splits lines exactly even when a line spans many read chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmeval-lines-'));
    try {
      const long = JSON.stringify({ doc_id: 1, target: 'é'.repeat(1_500_000) }); // ~3 MB line, > one 1 MiB chunk
      const p = join(dir, 's.jsonl');
      writeFileSync(p, `{"doc_id": 0}\n${long}\n{"doc_id": 2}`);
      const lines: { line: number; offset: number; length: number }[] = [];
      for await (const l of readJsonlLines(p)) lines.push({ line: l.line, offset: l.offset, length: l.bytes.length });
      const first = Buffer.byteLength('{"doc_id": 0}\n');
      expect(lines).toEqual([
        { line: 1, offset: 0, length: first - 1 },
        { line: 2, offset: first, length: Buffer.byteLength(long) },
        { line: 3, offset: first + Buffer.byteLength(long) + 1, length: Buffer.byteLength('{"doc_id": 2}') },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pairSamplesWithResults', () => {
  const allSamples = [real.asdiv.samples, real.polymer.samples, real.eqbench.samples];

  it.each(Object.entries(real))('pairs the renamed %s samples file with its task by name, and no other file', async (_k, f) => {
    const pairs = await pairSamplesWithResults(f.results, allSamples);
    for (const p of pairs) {
      if (p.path === f.samples) expect(p).toMatchObject({ task: f.task, matchedBy: 'file-name' });
      else {
        expect(p.task).toBeNull();
        expect(p.reason).toContain(basename(p.path));
      }
    }
  });

  it('falls back to content when the name says nothing, and says so when content cannot decide', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmeval-pair-'));
    try {
      const copies = Object.fromEntries(
        Object.entries(real).map(([k, f]) => {
          const p = join(dir, `${k}-renamed.jsonl`);
          copyFileSync(f.samples, p);
          return [k, p];
        }),
      );
      expect(await pairSamplesWithResults(real.asdiv.results, [copies.asdiv!])).toEqual([
        { path: copies.asdiv, task: 'asdiv', matchedBy: 'content' },
      ]);
      expect(await pairSamplesWithResults(real.polymer.results, [copies.polymer!])).toEqual([
        { path: copies.polymer, task: 'polymer_tg_prediction', matchedBy: 'content' },
      ]);
      // eqbench_ca and eqbench_es share config and metrics: content alone cannot tell them apart.
      const [eq] = await pairSamplesWithResults(real.eqbench.results, [copies.eqbench!]);
      expect(eq!.task).toBeNull();
      expect(eq!.reason).toMatch(/eqbench_ca.*eqbench_es|eqbench_es.*eqbench_ca/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prefers the longest task name that fits (gsm_tiny_hard over gsm_tiny)', async () => {
    const pairs = await pairSamplesWithResults(synthetic.results, [synthetic.tiny, synthetic.hard]);
    expect(pairs.map((p) => [basename(p.path), p.task])).toEqual([
      [basename(synthetic.tiny), 'gsm_tiny'],
      [basename(synthetic.hard), 'gsm_tiny_hard'],
    ]);
  });
});

describe('findSamplesBeside', () => {
  it('lists samples files in the same folder with the same timestamp, not older runs', async () => {
    expect(await findSamplesBeside(synthetic.results)).toEqual([synthetic.hard, synthetic.tiny].sort());
    expect(await findSamplesBeside(real.asdiv.results)).toEqual([real.asdiv.samples]);
    expect(await findSamplesBeside(real.eqbench.results)).toEqual([real.eqbench.samples]);
    // Renamed without a timestamp: nothing can be found by name.
    expect(await findSamplesBeside(real.polymer.results)).toEqual([]);
  });
});
