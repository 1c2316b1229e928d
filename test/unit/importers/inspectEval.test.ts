import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInspectEval } from '../../../main/importers/inspect/inspectEval';
import { type ParsedSample } from '../../../main/importers/types';
import { unzipIndependently, writeZip } from '../../helpers/zipWriter';
import { collect, refusal } from '../../helpers/importers';

const shared = join(import.meta.dirname, '../../../../shared/fixtures');
const synthetic = join(import.meta.dirname, '../../fixtures/inspect');
const realEval = (file: string) => join(shared, 'inspect_eval', file);

type Json = Record<string, unknown> & {
  id?: string | number;
  epoch?: number;
  input?: unknown;
  output?: { completion?: string; choices?: { message?: { content?: unknown } }[] };
  scores?: Record<string, { value: unknown }>;
};



const SAMPLE_MEMBER = /^samples\/[^/]+_epoch_\d+(\.json|\/sample\.json)$/;

describe('every real Inspect .eval log in ../shared/fixtures', () => {
  const files = readdirSync(join(shared, 'inspect_eval')).filter((f) => f.endsWith('.eval'));

  it('covers the fixture folder', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s: run, metrics and samples match what the file holds', async (file) => {
    const { members } = await unzipIndependently(realEval(file));
    const header = JSON.parse(members.get('header.json')!.toString()) as {
      status: string;
      eval: { task: string; model: string; task_version: unknown; packages?: { inspect_ai?: string }; created: string };
      results?: { scores: { name: string; reducer?: string; metrics: Record<string, { value: number }> }[] };
      stats: { model_usage: Record<string, { input_tokens: number; output_tokens: number; total_tokens: number }>; completed_at: string };
    };
    const log = await parseInspectEval(realEval(file));

    expect(log.meta.format).toBe('inspect-eval');
    expect(log.meta.status).toBe(header.status);
    expect(log.meta.task).toBe(header.eval.task);
    expect(log.meta.model).toBe(header.eval.model);
    expect(log.meta.task_version).toBe(String(header.eval.task_version));
    expect(log.meta.harness_version).toBe(header.eval.packages?.inspect_ai ?? null);
    expect(log.meta.created_at).toBe(new Date(header.eval.created).toISOString());
    expect(log.meta.completed_at).toBe(header.stats.completed_at ? new Date(header.stats.completed_at).toISOString() : null);
    for (const [model, usage] of Object.entries(header.stats.model_usage)) {
      expect(log.meta.token_usage[model]).toMatchObject({
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        total_tokens: usage.total_tokens,
      });
    }

    let expectedResults = 0;
    for (const score of header.results?.scores ?? []) {
      const scorer = score.reducer ? `${score.name}/${score.reducer}` : score.name;
      for (const [metric, m] of Object.entries(score.metrics)) {
        if (metric === 'stderr') continue;
        expectedResults++;
        const got = log.results.find((r) => r.scorer === scorer && r.metric === metric);
        expect(got, `${scorer}/${metric}`).toBeDefined();
        expect(got!.value).toBe(m.value);
        expect(got!.stderr).toBe(metric === 'std' ? null : (score.metrics.stderr?.value ?? null));
      }
    }
    expect(log.results).toHaveLength(expectedResults);

    const raw = new Map<string, Json>();
    for (const [name, bytes] of members) if (SAMPLE_MEMBER.test(name)) raw.set(name, JSON.parse(bytes.toString()) as Json);
    const samples = await collect(log);
    expect(samples).toHaveLength(raw.size);
    const expectedOrder = [...raw.values()]
      .map((s) => ({ id: String(s.id), epoch: s.epoch! }))
      .sort((a, b) => a.epoch - b.epoch || (Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    expect(samples.map((s) => ({ id: s.sample_id, epoch: s.epoch }))).toEqual(expectedOrder);

    for (const s of samples) {
      expect(s.location.kind).toBe('zip-member');
      const source = raw.get((s.location as { member: string }).member)!;
      expect(String(source.id)).toBe(s.sample_id);
      if (typeof source.input === 'string') expect(s.input.startsWith(source.input)).toBe(true);
      const content = source.output?.choices?.[0]?.message?.content;
      if (typeof content === 'string' && !content.startsWith('attachment://')) expect(s.output).toBe(content);
      for (const [scorer, score] of Object.entries(source.scores ?? {})) {
        expect((s.scores[scorer] as { value: unknown }).value).toEqual(score.value);
      }
    }
  });

  it('decodes the Zstandard (method 93) logs', async () => {
    for (const file of ['inspect_ai__retry-2-then-success_legacy_ZSTD.eval', 'ts-mono__ais-decoder_monolith_ZSTD.eval']) {
      const { methods, members } = await unzipIndependently(realEval(file));
      expect(methods.get('samples/1_epoch_1.json')).toBe(93);
      const sample = JSON.parse(members.get('samples/1_epoch_1.json')!.toString()) as Json;
      const [parsed] = await collect(await parseInspectEval(realEval(file)));
      expect(parsed!.output).toBe(sample.output!.completion);
    }
  });

  it('reads the chunked layout and gets what the monolith version of the same log holds', async () => {
    const chunked = await collect(await parseInspectEval(realEval('ts-mono__log_streaming_CHUNKED.eval')));
    const monolith = await collect(await parseInspectEval(realEval('inspect_ai__log_streaming.eval')));
    const strip = (s: ParsedSample) => ({ ...s, location: undefined });
    expect(chunked.map(strip)).toEqual(monolith.map(strip));
    expect(chunked.map((s) => `${s.sample_id}/${s.epoch}`)).toEqual(['1/1', '2/1', '1/2', '2/2']);
    expect(chunked[0]!.location).toEqual({ kind: 'zip-member', member: 'samples/1_epoch_1/sample.json' });
  });

  it('reads a log without reductions.json', async () => {
    const file = realEval('inspect_ai__2025-02-11_popularity_no-reductions.eval');
    const { members } = await unzipIndependently(file);
    expect(members.has('reductions.json')).toBe(false);
    const log = await parseInspectEval(file);
    expect(log.results).toEqual([]);
    expect(await collect(log)).toHaveLength(10);
  });

  it('reads the short-lived version 3 log with a message_pool', async () => {
    const file = realEval('inspect_ai__log_message_deduplication_v3.eval');
    const { members } = await unzipIndependently(file);
    const header = JSON.parse(members.get('header.json')!.toString()) as { version: number };
    const sample = JSON.parse(members.get('samples/0_epoch_1.json')!.toString()) as Json;
    expect(header.version).toBe(3);
    expect(sample.message_pool).toBeDefined();
    const [parsed] = await collect(await parseInspectEval(file));
    expect(parsed!.output).toBe(sample.output!.completion);
    expect(parsed!.input).toBe(sample.input);
  });

  it('names a reduced scorer with its reducer and keeps std apart from stderr', async () => {
    const log = await parseInspectEval(realEval('metr__2025-12-13_class-eval.eval'));
    expect(log.results.map((r) => `${r.scorer} ${r.metric} ${r.stderr}`)).toEqual([
      'class_eval_scorer/pass_at_1 mean null',
      'class_eval_scorer/pass_at_1 std null',
    ]);
  });
});

describe('synthetic .eval edge cases', () => {
  const synth = (file: string) => join(synthetic, file);

  it('reads a log without header.json as started, from the journal', async () => {
    const { members } = await unzipIndependently(synth('no-header.eval'));
    const start = JSON.parse(members.get('_journal/start.json')!.toString()) as { eval: { task: string; model: string } };
    const log = await parseInspectEval(synth('no-header.eval'));
    expect(log.meta.status).toBe('started');
    expect(log.meta.task).toBe(start.eval.task);
    expect(log.meta.model).toBe(start.eval.model);
    expect(log.results).toEqual([]);
    const samples = await collect(log);
    expect(samples.map((s) => [s.sample_id, s.output, s.location])).toEqual([
      ['1', 'yes', { kind: 'zip-member', member: 'samples/1_epoch_1.json' }],
      // Only the journal knows sample 2: no output, but its scores.
      ['2', '', { kind: 'zip-member', member: '_journal/summaries/1.json' }],
    ]);
    expect(samples[1]!.scores).toEqual({ match: { value: 'I', answer: 'no' } });
  });

  it('lets the last of duplicate sample members win', async () => {
    const samples = await collect(await parseInspectEval(synth('duplicate-sample.eval')));
    expect(samples.map((s) => [s.sample_id, s.output])).toEqual([
      ['1', 'yes'],
      ['2', 'no'],
    ]);
  });

  it('resolves attachment://<index> across attachment chunks in the chunked layout, mixed with a monolith sample', async () => {
    const samples = await collect(await parseInspectEval(synth('chunked-attachments.eval')));
    expect(samples.map((s) => s.sample_id)).toEqual(['1', '2']);
    const [chunked, monolith] = samples;
    expect(chunked!.input).toBe('system: You answer in one line.\nuser: What colour is the sky?');
    expect(chunked!.target).toBe('blue');
    expect(chunked!.output).toBe('Blue, mostly.');
    expect(chunked!.scores).toEqual({ match: { value: 'C', answer: 'Blue, mostly.' } });
    expect(chunked!.location).toEqual({ kind: 'zip-member', member: 'samples/1_epoch_1/sample.json' });
    expect(monolith!.output).toBe('no');
  });

  it.each([
    ['truncated.eval', /not a complete ZIP archive/],
    ['evil-path.eval', /unsafe name/],
    ['symlink.eval', /symbolic link/],
    ['encrypted.eval', /encrypted/],
    ['zstd-bomb.eval', /ZIP bomb/],
    ['deflate-bomb.eval', /ZIP bomb/],
    ['not-inspect.eval', /neither header\.json nor _journal\/start\.json/],
  ])('refuses %s with one sentence', async (file, pattern) => {
    expect(await refusal(parseInspectEval(synth(file)), file)).toMatch(pattern);
  });

  it('stops at the sample whose Zstandard member lies about its size', async () => {
    const log = await parseInspectEval(synth('zstd-bomb-lying.eval'));
    expect(await refusal(collect(log), 'zstd-bomb-lying.eval')).toMatch(/expands past/);
  });

  describe('generated files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inspect-eval-test-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const header = (extra: Record<string, unknown> = {}) => ({
      version: 2,
      status: 'success',
      eval: { task: 't', model: 'm/m', created: '2025-01-01T00:00:00+00:00', dataset: { samples: 1 } },
      results: { total_samples: 1, completed_samples: 1, scores: [] },
      stats: { completed_at: '2025-01-01T00:01:00+00:00', model_usage: {} },
      ...extra,
    });

    it('parses a 20 MB single sample and points at its member', async () => {
      const big = 'x'.repeat(20 * 1024 * 1024);
      const path = join(dir, 'huge.eval');
      const sample = { id: 'big', epoch: 1, input: 'say x a lot', target: '', output: { completion: big, choices: [] }, scores: {} };
      writeFileSync(
        path,
        writeZip([
          { name: 'header.json', data: JSON.stringify(header()) },
          { name: 'samples/big_epoch_1.json', data: JSON.stringify(sample), method: 0 },
        ]),
      );
      const [parsed] = await collect(await parseInspectEval(path));
      expect(parsed!.output.length).toBe(big.length);
      expect(parsed!.location).toEqual({ kind: 'zip-member', member: 'samples/big_epoch_1.json' });
    });

    it.each([
      ['no task', header({ eval: { model: 'm/m' } }), /missing the task name \(eval\.task\)/],
      ['no model', header({ eval: { task: 't' } }), /missing the model name/],
      ['odd status', header({ status: 'paused' }), /unknown run status \("paused"\)/],
      ['header a list', [1, 2], /header\.json is not a JSON object/],
    ])('refuses a header with %s', async (_what, bad, pattern) => {
      const path = join(dir, 'bad-header.eval');
      writeFileSync(path, writeZip([{ name: 'header.json', data: JSON.stringify(bad) }]));
      expect(await refusal(parseInspectEval(path), 'bad-header.eval')).toMatch(pattern);
    });

    it('keeps bare NaN in a member as NaN', async () => {
      const path = join(dir, 'nan.eval');
      const headerText = JSON.stringify(header()).replace(
        '"scores":[]',
        '"scores":[{"name":"s","metrics":{"mean":{"name":"mean","value":NaN},"stderr":{"name":"stderr","value":Infinity}}}]',
      );
      writeFileSync(
        path,
        writeZip([
          { name: 'header.json', data: headerText },
          { name: 'samples/1_epoch_1.json', data: '{"id":1,"epoch":1,"input":"q","target":"a","scores":{"s":{"value":NaN}}}' },
        ]),
      );
      const log = await parseInspectEval(path);
      expect(log.results).toHaveLength(1);
      expect(log.results[0]!.value).toBeNaN();
      expect(log.results[0]!.stderr).toBe(Number.POSITIVE_INFINITY);
      const [sample] = await collect(log);
      expect((sample!.scores.s as { value: number }).value).toBeNaN();
    });

    it('refuses malformed JSON in a sample member, naming the member', async () => {
      const path = join(dir, 'broken.eval');
      writeFileSync(
        path,
        writeZip([
          { name: 'header.json', data: JSON.stringify(header()) },
          { name: 'samples/1_epoch_1.json', data: '{"id": 1, "epoch": ' },
        ]),
      );
      const log = await parseInspectEval(path);
      expect(await refusal(collect(log), 'broken.eval')).toMatch(/samples\/1_epoch_1\.json/);
    });
  });
});
