import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInspectJson } from '../../../main/importers/inspect/inspectJson';
import { collect, refusal } from '../../helpers/importers';

const shared = join(import.meta.dirname, '../../../../shared/fixtures');
const synthetic = join(import.meta.dirname, '../../fixtures/inspect');

const scratch = mkdtempSync(join(tmpdir(), 'inspect-json-text-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let written = 0;

/** Parses JSON text as a log file named `label`. */
function parseText(text: string | Buffer, label: string, options: { windowBytes?: number } = {}) {
  const path = join(scratch, `${(written += 1)}.json`);
  writeFileSync(path, text);
  return parseInspectJson(path, { label, ...options });
}



type RawLog = {
  status: string;
  eval: { task: string; model: string; task_version: unknown; created: string; packages?: { inspect_ai?: string }; dataset?: { name?: string } };
  results?: { total_samples?: number; scores: { name: string; reducer?: string; metrics: Record<string, { value: number }> }[] };
  stats: { completed_at: string; model_usage: Record<string, { input_tokens: number; output_tokens: number; total_tokens: number }> };
  samples?: {
    id: string | number;
    epoch: number;
    input: unknown;
    output?: { choices?: { message?: { content?: unknown } }[] };
    scores?: Record<string, { value: unknown }>;
  }[];
};

describe('every real Inspect JSON log in ../shared/fixtures', () => {
  const dir = join(shared, 'inspect_json');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('covers the fixture folder', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s: run, metrics and samples match what the file holds', async (file) => {
    const path = join(dir, file);
    const bytes = readFileSync(path);
    const doc = JSON.parse(bytes.toString()) as RawLog;
    const log = await parseInspectJson(path);

    expect(log.meta.format).toBe('inspect-json');
    expect(log.meta.status).toBe(doc.status);
    expect(log.meta.task).toBe(doc.eval.task);
    expect(log.meta.model).toBe(doc.eval.model);
    expect(log.meta.task_version).toBe(String(doc.eval.task_version));
    expect(log.meta.harness_version).toBe(doc.eval.packages?.inspect_ai ?? null);
    expect(log.meta.created_at).toBe(new Date(doc.eval.created).toISOString());
    expect(log.meta.completed_at).toBe(doc.stats.completed_at ? new Date(doc.stats.completed_at).toISOString() : null);
    expect(log.meta.sample_count).toBe(doc.results?.total_samples ?? null);
    for (const [model, usage] of Object.entries(doc.stats.model_usage)) {
      expect(log.meta.token_usage[model]).toMatchObject({
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        total_tokens: usage.total_tokens,
      });
    }

    let expectedResults = 0;
    for (const score of doc.results?.scores ?? []) {
      for (const [metric, m] of Object.entries(score.metrics)) {
        if (metric === 'stderr') continue;
        expectedResults++;
        const got = log.results.find((r) => r.scorer === score.name && r.metric === metric);
        expect(got, `${score.name}/${metric}`).toBeDefined();
        expect(got!.value).toBe(m.value);
        expect(got!.stderr).toBe(score.metrics.stderr?.value ?? null);
      }
    }
    expect(log.results).toHaveLength(expectedResults);

    const samples = await collect(log);
    const raw = doc.samples ?? [];
    expect(samples).toHaveLength(raw.length);
    samples.forEach((s, k) => {
      const source = raw[k]!;
      expect(s.sample_id).toBe(String(source.id));
      expect(s.epoch).toBe(source.epoch);
      // The location is exactly the sample's bytes in the file.
      const loc = s.location as { kind: string; offset: number; length: number };
      expect(loc.kind).toBe('bytes');
      expect(JSON.parse(bytes.subarray(loc.offset, loc.offset + loc.length).toString())).toEqual(source);
      if (typeof source.input === 'string') expect(s.input).toBe(source.input);
      const content = source.output?.choices?.[0]?.message?.content;
      if (typeof content === 'string') expect(s.output).toBe(content);
      for (const [scorer, score] of Object.entries(source.scores ?? {})) {
        expect((s.scores[scorer] as { value: unknown }).value).toEqual(score.value);
      }
    });
  });

  it('replaces an image by [image] and keeps the question text', async () => {
    const [sample] = await collect(await parseInspectJson(join(dir, 'inspect_ai__log_images.json')));
    expect(sample!.input).toBe('user: What is this a picture of?\n[image]');
    expect(sample!.target).toBe('bike\nbicycle');
  });

  it.each([
    ['inspect_ai__log-sets_logs.json', /is an Inspect log-directory index \(logs\.json\), not a log\./],
    ['inspect_ai__log-sets_eval-set.json', /is an Inspect eval-set manifest \(eval-set\.json\), not a log\./],
  ])('refuses %s, which is not a log', async (file, pattern) => {
    expect(await refusal(parseInspectJson(join(dir, 'aux', file)), file)).toMatch(pattern);
  });
});

describe('synthetic JSON edge cases', () => {
  const synth = (file: string) => join(synthetic, file);

  it('keeps bare NaN, Infinity and -Infinity non-finite, and strings that spell them as strings', async () => {
    const log = await parseInspectJson(synth('nan-scores.json'));
    const byMetric = Object.fromEntries(log.results.map((r) => [r.metric, r]));
    expect(byMetric.accuracy!.value).toBeNaN();
    expect(byMetric.accuracy!.stderr).toBe(Number.POSITIVE_INFINITY);
    expect(byMetric.worst!.value).toBe(Number.NEGATIVE_INFINITY);
    expect(log.meta.completed_at).toBeNull();

    const [first, second] = await collect(log);
    const match = first!.scores.match as { value: number; answer: string };
    expect(match.value).toBeNaN();
    expect(match.answer).toBe('NaN');
    const spread = (first!.scores.spread as { value: number[] }).value;
    expect(spread[0]).toBeNaN();
    expect(spread.slice(1)).toEqual([Number.NEGATIVE_INFINITY, 1.5]);
    expect(first!.input).toBe('Is NaN a number? Infinity and -Infinity are words here');
    expect(first!.target).toBe('NaN');
    expect(first!.output).toBe('NaN ["Infinity"] {NaN}');
    expect((second!.scores.match as { value: number }).value).toBe(Number.NEGATIVE_INFINITY);
    expect(second!.output).toBe('done');
  });

  it('flattens chat input, resolves attachment:// and legacy tc:// references, and reads the legacy results layout', async () => {
    const log = await parseInspectJson(synth('references.json'));
    expect(log.meta).toMatchObject({
      status: 'error',
      error: 'RuntimeError: the sandbox died',
      task_version: '1.2',
      // 03:04:05.123456 at +05:30 is 21:34:05.123 the day before in UTC.
      created_at: '2024-01-01T21:34:05.123Z',
      completed_at: null,
      dataset: 'synthetic',
    });
    expect(log.meta.config).toMatchObject({ model_args: 'temperature=0', plan_config: { max_tokens: 16 }, started_at: '2024-01-01T21:34:05.000Z' });
    expect(log.meta.token_usage['mockllm/model']).toEqual({
      input_tokens: 10,
      output_tokens: 2,
      total_tokens: 12,
      other: { input_tokens_cache_read: 4, total_cost: 0.5 },
    });
    expect(log.results).toEqual([{ task: 'synthetic_task', scorer: 'includes', metric: 'accuracy', value: 0.25, stderr: 0.1, n: 1, higher_is_better: null }]);

    const [sample] = await collect(log);
    expect(sample!.sample_id).toBe('alpha');
    expect(sample!.input).toBe(
      [
        'system: You are a careful assistant.',
        'user: What is in the picture?',
        '[image]',
        'assistant: [tool call: bash({"cmd":"ls"})]',
        'tool: file.txt',
        '',
        'Choices:',
        'A) red',
        'B) blue',
      ].join('\n'),
    );
    expect(sample!.target).toBe('bike\nbicycle');
    expect(sample!.output).toBe('[reasoning redacted]\nA bicycle leaning on a wall.');
    expect(sample!.scores).toEqual({ includes: { value: 'I', answer: 'A bicycle leaning on a wall.', explanation: 'no match' } });
    expect(sample!.error).toBe('Timeout after 30s');
  });

  it('gives a sibling stderr to each metric but std, and names reduced scorers scorer/reducer', async () => {
    const text = JSON.stringify({
      version: 2,
      status: 'success',
      eval: { task: 't', model: 'm/m', task_version: 3 },
      results: {
        completed_samples: 7,
        scores: [
          {
            name: 'grader',
            scored_samples: 6,
            metrics: { accuracy: { value: 0.5 }, std: { value: 0.2 }, stderr: { value: 0.05 } },
          },
          { name: 'grader', reducer: 'max', metrics: { mean: { value: 0.75 } } },
          { name: 'lonely', metrics: { stderr: { value: 0.1 } } },
        ],
      },
    });
    const log = await parseText(text, 'stderr.json');
    expect(log.meta.task_version).toBe('3');
    expect(log.results.map((r) => [r.scorer, r.metric, r.value, r.stderr, r.n])).toEqual([
      ['grader', 'accuracy', 0.5, 0.05, 6],
      ['grader', 'std', 0.2, null, 6],
      ['grader/max', 'mean', 0.75, null, 7],
      // A stderr with nothing to attach to is kept as its own result.
      ['lonely', 'stderr', 0.1, null, 7],
    ]);
  });

  it('reads "samples": [] as a run with no samples', async () => {
    const doc = JSON.parse(readFileSync(synth('empty-samples.json'), 'utf8')) as { results: { scores: { metrics: { accuracy: { value: number } } }[] } };
    const log = await parseInspectJson(synth('empty-samples.json'));
    expect(await collect(log)).toEqual([]);
    expect(log.results.find((r) => r.metric === 'accuracy')?.value).toBe(doc.results.scores[0]!.metrics.accuracy.value);
  });

  it.each([
    ['wrong-type-array.json', /holds a JSON array, not a JSON object/],
    ['wrong-type-number.json', /holds a JSON number, not a JSON object/],
    ['missing-task.json', /missing the task name \(eval\.task\)/],
    ['truncated.json', /not complete JSON/],
  ])('refuses %s with one sentence', async (file, pattern) => {
    expect(await refusal(parseInspectJson(synth(file)), file)).toMatch(pattern);
  });

  it.each([
    ['', /is empty/],
    ['   \n', /is empty/],
    ['"a string"', /holds a JSON string/],
    ['null', /holds JSON null/],
    ['{}', /has no "eval" section/],
    ['{"eval": 3, "status": "success"}', /"eval" section is not an object/],
    ['{"eval": {"task": "t", "model": "m"}}', /missing the run status/],
    ['{"eval": {"task": "t", "model": "m"}, "status": "success"} trailing', /data after the end/],
    ['{"eval": {"task": "t", "model": "m"}, "status": "success", "samples": {"a": 1}}', /"samples" is not a list/],
    ['{"eval": {"task": "t", "model": "m"}, "status": "success", "samples": [{"id": 1}, {"id": }]}', /malformed JSON in sample 2/],
    ['{"eval": {"task": "t", "model": "m"}, "status": "success", "samples": [{NaN: 1}]}', /malformed JSON in sample 1/],
    ['{"eval": {"task": "t", "model": "m"}, "status": "success", "samples": [3]}', /sample that is not an object/],
    ['{"eval": {"task": "t", "model": "m"}, "status": "success", "samples": [{"epoch": 1}]}', /sample without an id/],
    ['{"eval": {"task": "t", "model": "m"} "status": "success"}', /not complete JSON: expected "," or "}"/],
    ['{"eval": {"task": "t", "model": "m"}, "status": "success", "samples": [{"id": "unterminated}]}', /not complete JSON: the text ends inside a string/],
  ])('refuses %j', async (text, pattern) => {
    const message = await refusal(
      (async () => {
        await collect(await parseText(text, 'inline.json'));
      })(),
      'inline.json',
    );
    expect(message).toMatch(pattern);
  });

  it('reads the same through any window size, however values straddle window edges', async () => {
    const dir = join(shared, 'inspect_json');
    // The smallest real logs: small windows mean many refills.
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir, f))
      .sort((a, b) => readFileSync(a).length - readFileSync(b).length)
      .slice(0, 3);
    for (const path of files) {
      const whole = await parseInspectJson(path);
      const wholeSamples = await collect(whole);
      for (const windowBytes of [1, 7, 4096]) {
        const windowed = await parseInspectJson(path, { windowBytes });
        expect(windowed.meta, `${path} window ${windowBytes}`).toEqual(whole.meta);
        expect(windowed.results).toEqual(whole.results);
        expect(await collect(windowed)).toEqual(wholeSamples);
      }
    }
  });

  it('is not fooled by brackets, quotes, escapes or a nested "samples" key inside strings', async () => {
    const tricky = 'he said \\"]}, \\"samples\\": [\\" and left \\\\';
    const text = `{
      "samples": [ {"id": "s1", "epoch": 1, "input": "${tricky}", "target": "[{", "metadata": {"samples": [1, 2, 3]}},
                   {"id": "s2", "epoch": 2, "input": "\\\\", "target": "\\u005d"} ],
      "eval": {"task": "t", "model": "m", "metadata": {"samples": "[\\"x\\"]"}}, "status": "started"
    }`;
    const bytes = Buffer.from(text);
    const doc = JSON.parse(text) as { samples: { input: string; target: string }[] };
    const samples = await collect(await parseText(bytes, 'tricky.json'));
    expect(samples.map((s) => [s.sample_id, s.epoch, s.input, s.target])).toEqual([
      ['s1', 1, doc.samples[0]!.input, '[{'],
      ['s2', 2, '\\', ']'],
    ]);
    for (const [k, s] of samples.entries()) {
      const loc = s.location as { offset: number; length: number };
      expect(JSON.parse(bytes.subarray(loc.offset, loc.offset + loc.length).toString())).toEqual(doc.samples[k]);
    }
  });

  describe('generated files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inspect-json-test-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('parses a 20 MB single sample and gives its exact byte range', async () => {
      const big = 'y'.repeat(20 * 1024 * 1024);
      const head = '{"version": 2, "status": "success", "eval": {"task": "t", "model": "m/m"}, "samples": [';
      const small = '{"id": 1, "epoch": 1, "input": "small", "target": "", "scores": {}}';
      const huge = JSON.stringify({ id: 2, epoch: 1, input: 'é'.repeat(10), target: '', output: { completion: big }, scores: {} });
      const path = join(dir, 'huge.json');
      writeFileSync(path, `${head}${small},\n  ${huge}]}`);
      const samples = await collect(await parseInspectJson(path));
      expect(samples.map((s) => s.sample_id)).toEqual(['1', '2']);
      expect(samples[1]!.output.length).toBe(big.length);
      expect(samples[1]!.input).toBe('é'.repeat(10));
      const hugeOffset = Buffer.byteLength(`${head}${small},\n  `);
      expect(samples[1]!.location).toEqual({ kind: 'bytes', offset: hugeOffset, length: Buffer.byteLength(huge) });
      expect(samples[0]!.location).toEqual({ kind: 'bytes', offset: Buffer.byteLength(head), length: small.length });
    });

    it('refuses a file over the size limit without reading it', async () => {
      const path = join(dir, 'limit.json');
      writeFileSync(path, '{"eval": {}}');
      expect(await refusal(parseInspectJson(path, { maxBytes: 5 }), 'limit.json')).toMatch(/larger than the 5 bytes/);
    });
  });
});
