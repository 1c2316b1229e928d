import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLmEvalResults } from '../../../main/importers/lmEval/lmEvalResults';
import { LogFormatError } from '../../../main/importers/types';
import { filesIn, lmEvalDir, readJsonFile, readJsonIndependently, syntheticDir } from './lmEvalFixtures';
import { collect } from '../../helpers/importers';

type Entry = Record<string, unknown>;
const rec = (v: unknown): Entry => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Entry) : {});

const resultsFiles = [...filesIn(lmEvalDir, '.json'), join(syntheticDir, 'results_2024-01-02T03-04-05.123456.json')];


/** What the file states, read by the test: every numeric "<metric>[,<filter>]" key that is not a stderr. */
function statedMetrics(raw: Entry): { task: string; key: string; value: number }[] {
  const out: { task: string; key: string; value: number }[] = [];
  const seen = new Set<string>();
  for (const section of [rec(raw.results), rec(raw.groups)]) {
    for (const [task, entry] of Object.entries(section)) {
      for (const [key, value] of Object.entries(rec(entry))) {
        if (typeof value !== 'number' || key.split(',')[0]!.endsWith('_stderr') || key === 'sample_len') continue;
        if (seen.has(`${task}|${key}`)) continue;
        seen.add(`${task}|${key}`);
        out.push({ task, key, value });
      }
    }
  }
  return out;
}

describe('parseLmEvalResults on every public lm-eval results file', () => {
  it.each(resultsFiles.map((f) => [basename(f), f]))('%s yields the metrics, stderr and n the file states', async (_name, path) => {
    const raw = readJsonFile(path);
    const log = await parseLmEvalResults(path);
    const stated = statedMetrics(raw);
    expect(log.results).toHaveLength(stated.length);
    expect(log.meta.source).toBe('lm-eval-harness');
    expect(log.meta.format).toBe('lm-eval-results');
    expect(log.meta.status).toBe('success');

    for (const { task, key, value } of stated) {
      const [metric, filter = null] = key.split(',');
      const r = log.results.find((x) => x.task === task && x.metric === metric && x.scorer === (filter ?? 'none'));
      expect(r, `${task} ${key}`).toBeDefined();
      expect(Object.is(r!.value, value), `${task} ${key} value`).toBe(true);

      const entry = rec(rec(raw.results)[task] ?? rec(raw.groups)[task]);
      const se = entry[filter === null ? `${metric}_stderr` : `${metric}_stderr,${filter}`];
      const expectedStderr = typeof se === 'number' ? se : null; // "N/A" and missing → null
      expect(Object.is(r!.stderr, expectedStderr), `${task} ${key} stderr`).toBe(true);

      const ns = rec(rec(raw['n-samples'])[task]);
      if (typeof ns.effective === 'number') expect(r!.n).toBe(ns.effective);

      const hib = rec(rec(raw.higher_is_better)[task])[metric!];
      expect(r!.higher_is_better).toBe(typeof hib === 'boolean' ? hib : null);
    }

    // Run-level facts, read from the file by the test.
    if (typeof raw.date === 'number') expect(log.meta.created_at).toBe(new Date(raw.date * 1000).toISOString());
    else expect(log.meta.created_at).toBeNull();
    const statedName = [rec(raw.config).model_name, raw.model_name].find((v) => typeof v === 'string' && v !== '');
    if (statedName !== undefined) expect(log.meta.model).toBe(statedName);
    expect(log.meta.harness_version).toBe(typeof raw.lm_eval_version === 'string' ? raw.lm_eval_version : null);
    const effective = Object.values(rec(raw['n-samples'])).map((v) => rec(v).effective as number);
    expect(log.meta.sample_count).toBe(effective.length > 0 ? effective.reduce((a, b) => a + b, 0) : null);
    for (const t of Object.keys(rec(raw.results))) {
      const isSubtask = Object.values(rec(raw.group_subtasks)).some((l) => Array.isArray(l) && l.includes(t));
      expect(log.meta.task.split(', ').includes(t)).toBe(!isSubtask);
    }
  });

  it('reads the values written in asdiv, polymer and arc files exactly (spot checks against the files)', async () => {
    const asdiv = await parseLmEvalResults(join(lmEvalDir, 'pr2236__Llama-3-8B-Instruct_asdiv_results_2024-08-21T03-44-09.494230.json'));
    expect(asdiv.results).toEqual([
      { task: 'asdiv', scorer: 'none', metric: 'acc', value: 0.92, stderr: 0.0387561713321444, n: 50, higher_is_better: true },
    ]);
    expect(asdiv.meta.model).toBe('meta-llama/Meta-Llama-3-8B-Instruct');
    expect(asdiv.meta.config.model_args).toEqual({ pretrained: 'meta-llama/Meta-Llama-3-8B-Instruct' });
    expect(asdiv.meta.config.git_hash).toBe('59170e85');
    expect(asdiv.meta.config['n-shot']).toEqual({ asdiv: 8 });

    const polymer = await parseLmEvalResults(join(lmEvalDir, 'pr3144__gpt-4o-mini_tgpred_results_NaN-Infinity.json'));
    expect(polymer.results).toHaveLength(1);
    expect(polymer.results[0]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(polymer.results[0]!.stderr).toBeNaN();
    expect(polymer.results[0]!.higher_is_better).toBe(false);
    expect(polymer.meta.harness_version).toBe('0.4.8');

    // Very old file: "acc" without ",filter" → filter "none"; no date, no model.
    const arc = await parseLmEvalResults(join(lmEvalDir, 'testdata__arc_challenge-v2.0-res.json'));
    expect(arc.results.map((r) => [r.metric, r.scorer, r.value, r.stderr])).toEqual([
      ['acc', 'none', 0.26621160409556316, 0.01291577478152323],
      ['acc_norm', 'none', 0.28242320819112626, 0.01315545688409722],
    ]);
    expect(arc.meta.task_version).toBe('2.0');

    // model_name absent: the model comes from model_args like the harness derives it.
    const chat = await parseLmEvalResults(join(lmEvalDir, 'pr1668__2024-04_openai-chat_results.json'));
    expect(chat.meta.model).toBe('gpt-3.5-turbo-0125');
    expect(chat.meta.task).toBe('wmdp');
    expect(chat.results.filter((r) => r.task === 'wmdp')).toHaveLength(1); // listed in results and groups, counted once
  });

  it('gives a group the sum of its subtasks’ n when n-samples has no entry for it', async () => {
    const path = join(lmEvalDir, 'pr2809__qwen2.5-7B_results_2025-03-18T02-36-49.068653.json');
    const raw = readJsonFile(path);
    const log = await parseLmEvalResults(path);
    const subs = rec(raw.group_subtasks).xcopa as string[];
    const expected = subs.reduce((a, t) => a + (rec(rec(raw['n-samples'])[t]).effective as number), 0);
    expect(log.results.find((r) => r.task === 'xcopa')!.n).toBe(expected);
  });
});

describe('parseLmEvalResults on the synthetic edge cases', () => {
  const path = join(syntheticDir, 'results_2024-01-02T03-04-05.123456.json');

  it('keeps "N/A" stderr as null and NaN / ±Infinity as non-finite numbers', async () => {
    const log = await parseLmEvalResults(path);
    const get = (task: string, metric: string, filter: string) =>
      log.results.find((r) => r.task === task && r.metric === metric && r.scorer === filter)!;
    expect(get('gsm_tiny', 'exact_match', 'flexible-extract')).toMatchObject({ value: 0.75, stderr: null, n: 4 });
    expect(get('gsm_tiny', 'exact_match', 'strict-match')).toMatchObject({ value: 0.5, stderr: 0.25 });
    expect(get('gsm_tiny_hard', 'exact_match', 'strict-match').value).toBeNaN();
    expect(get('gsm_tiny_hard', 'exact_match', 'strict-match').stderr).toBeNaN();
    expect(get('gsm_tiny_hard', 'exact_match', 'flexible-extract').value).toBe(Number.NEGATIVE_INFINITY);
    expect(get('gsm_tiny_hard', 'exact_match', 'flexible-extract').stderr).toBe(Number.POSITIVE_INFINITY);
    expect(get('mathmix', 'exact_match', 'strict-match')).toMatchObject({ value: 0.25, stderr: null, n: 6 });
    expect(log.results.filter((r) => r.task === 'trivia').map((r) => r.metric)).toEqual(['acc']); // name/sample_len skipped
  });

  it('reads the run facts: model from dict model_args, date as RFC 3339 UTC, top-level tasks', async () => {
    const log = await parseLmEvalResults(path);
    expect(log.meta.model).toBe('example-org/Tiny-Model-1B');
    expect(log.meta.created_at).toBe('2024-01-02T03:04:05.500Z');
    expect(log.meta.completed_at).toBe('2024-01-02T03:04:18.000Z');
    expect(log.meta.task).toBe('mathmix, trivia');
    expect(log.meta.harness_version).toBe('0.4.9');
    expect(log.meta.sample_count).toBe(9);
    expect(log.meta.config).toMatchObject({ batch_size: 'auto', limit: 4, gen_kwargs: { max_gen_toks: 64 }, model: 'vllm' });
    expect(log.meta.config.model_args).toEqual({ pretrained: 'example-org/Tiny-Model-1B', tensor_parallel_size: 1, dtype: 'auto' });
    expect(log.meta.config).not.toHaveProperty('samples');
  });

  it('yields embedded samples whose byte ranges slice back to the same JSON, tricky strings included', async () => {
    const bytes = readFileSync(path);
    const raw = readJsonIndependently(bytes.toString('utf8')) as Entry;
    const stated = rec(raw.samples).trivia as Entry[];
    const samples = await collect(await parseLmEvalResults(path));
    expect(samples).toHaveLength(stated.length);
    samples.forEach((s, i) => {
      if (s.location.kind !== 'bytes') throw new Error('expected a byte range');
      const slice = bytes.subarray(s.location.offset, s.location.offset + s.location.length).toString('utf8');
      const fromSlice = readJsonIndependently(slice);
      expect(JSON.stringify(fromSlice)).toBe(JSON.stringify(stated[i]));
      expect(s.sample_id).toBe(String(stated[i]!.doc_id));
      expect(s.task).toBe('trivia');
      expect(s.target).toBe(stated[i]!.target);
    });
    expect(samples[0]!.input).toBe('Brackets { [ ] } and "quotes" inside a string');
    expect(samples[1]!.input).toBe('A path ending in a backslash: C:\\'); // old [[context, continuation]] form
    expect(samples[2]!.input).toBe('Straße — 日本語 — emoji 😀');
    expect(samples[0]!.scores).toEqual({ acc: { value: 1 } });
    expect((samples[2]!.scores.acc as { value: number }).value).toBeNaN();
    expect(samples[0]!.hashes).toEqual({ doc_hash: 'd0', prompt_hash: 'p0', target_hash: 't0' });
    expect(samples[0]!.output).toBe('-0.1, True');
  });
});

describe('parseLmEvalResults on the embedded-samples public file (pr2754)', () => {
  it('yields all 100 samples from their own bytes, matching the file', async () => {
    const path = join(lmEvalDir, 'pr2754__aibe_evaluation_results_embedded-samples.json');
    const bytes = readFileSync(path);
    const raw = readJsonIndependently(bytes.toString('utf8')) as Entry;
    const stated = rec(raw.samples).aibe as Entry[];
    const log = await parseLmEvalResults(path);
    const samples = await collect(log);
    expect(samples).toHaveLength(stated.length);
    expect(log.results).toHaveLength(1); // the samples do not leak into results or config
    expect(log.meta.config).not.toHaveProperty('samples');
    samples.forEach((s, i) => {
      const want = stated[i]!;
      if (s.location.kind !== 'bytes') throw new Error('expected a byte range');
      const slice = JSON.parse(bytes.subarray(s.location.offset, s.location.offset + s.location.length).toString('utf8')) as unknown;
      expect(slice).toEqual(want);
      expect(s.sample_id).toBe(String(want.doc_id));
      expect(s.input).toBe((want.arguments as string[][])[0]![0]);
      expect(s.target).toBe(want.target);
      expect(s.scores).toEqual({ acc: { value: want.acc } });
      expect(s.hashes.doc_hash).toBe(want.doc_hash);
    });
  });
});

describe('parseLmEvalResults refuses what is not a results file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmeval-results-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it.each([
    ['no-results.json', '{"configs": {}, "versions": {}}', /no-results\.json .*no "results" object/],
    ['broken.json', '{"results": {"a": {"acc,none": 0.5,}}\n}', /broken\.json is not valid JSON/],
    ['array.json', '[{"results": {}}]', /array\.json .*not an object/],
    ['empty.json', '', /empty\.json is empty/],
    ['cut.json', '{"results": {"t": {"acc,none": 1}}, "samples": {"t": [{"doc_id": 0}, {"doc_id"', /cut\.json ends inside its embedded samples/],
  ])('%s → one LogFormatError sentence naming the file', async (name, text, message) => {
    const err = await parseLmEvalResults(write(name, text)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LogFormatError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});
