/**
 * Fuzz targets for every importer: format detection, Inspect JSON, Inspect
 * .eval, lm-eval results and lm-eval samples. Each starts from real fixture
 * bytes (../shared/fixtures, test/fixtures) and mutates them; the parser must
 * return a log whose samples all stream, or refuse with one readable line
 * (LogFormatError / AppError), within the case limit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { detectFormat } from '../../main/importers/detectFormat';
import { parseInspectEval } from '../../main/importers/inspect/inspectEval';
import { parseInspectJson } from '../../main/importers/inspect/inspectJson';
import { parseLmEvalResults } from '../../main/importers/lmEval/lmEvalResults';
import { parseLmEvalSamples } from '../../main/importers/lmEval/lmEvalSamples';
import { LogFormatError, type ParsedLog } from '../../main/importers/types';
import { AppError } from '../../shared/result';
import { fixture } from '../helpers/fixtures';
import { unzipIndependently, writeZip, type ZipEntrySpec } from '../helpers/zipWriter';
import { mutatedBytes, mutatedJson, mutatedJsonFile } from './mutate';
import { bounded, refusalProblem, target, type FuzzSuite } from './target';

const local = (...parts: string[]) => join(import.meta.dirname, '../fixtures', ...parts);

const INSPECT_JSON = [
  fixture('inspect_json/inspect_ai__2024-08-29_popularity_status-success_stub.json'),
  fixture('inspect_json/inspect_ai__2025-05-12_no-samples_cancelled.json'),
  fixture('inspect_json/inspect_ai__log_tool_call_error.json'),
  fixture('inspect_json/inspect_ai__log_formats.json'),
  fixture('inspect_json/inspect_ai__log_read_sample.json'),
  local('inspect/references.json'),
  local('inspect/nan-scores.json'),
];
const INSPECT_EVAL = [
  fixture('inspect_eval/inspect_ai__log_formats.eval'),
  fixture('inspect_eval/inspect_ai__retry-2-then-success_postfix_ZSTD.eval'),
  fixture('inspect_eval/inspect_ai__log_read_sample.eval'),
  fixture('inspect_eval/scout__2025-11-07_websearch.eval'),
  local('inspect/chunked-attachments.eval'),
  local('inspect/duplicate-sample.eval'),
];
const LM_RESULTS = [
  fixture('lm_eval_harness/testdata__arc_challenge-v2.0-res.json'),
  fixture('lm_eval_harness/pr1668__2024-04_openai-chat_results.json'),
  fixture('lm_eval_harness/pr3144__gpt-4o-mini_tgpred_results_NaN-Infinity.json'),
  local('lm_eval/results_2024-01-02T03-04-05.123456.json'),
];
const LM_SAMPLES = [
  local('lm_eval/samples_gsm_tiny_2024-01-02T03-04-05.123456.jsonl'),
  local('lm_eval/samples_gsm_tiny_hard_2024-01-02T03-04-05.123456.jsonl'),
];

const REFUSALS = [LogFormatError, AppError];

/** Parses, then streams every sample, as an import would. */
async function consume(log: ParsedLog): Promise<void> {
  for await (const s of log.samples()) void s;
}

type ZipEdit = { kind: 'json'; member: number; mutated: Buffer } | { kind: 'drop'; member: number } | { kind: 'rename'; member: number; name: string } | { kind: 'method'; member: number; method: number };

/** .eval archives rebuilt from a fixture's members with one member changed. */
async function rebuiltEval(path: string): Promise<fc.Arbitrary<Buffer>> {
  const { members } = await unzipIndependently(path);
  const names = [...members.keys()];
  const jsonNames = names.filter((n) => n.endsWith('.json'));
  const build = (edit: ZipEdit): Buffer => {
    const entries: ZipEntrySpec[] = names.map((name) => ({ name, data: members.get(name)! }));
    const i = edit.member % entries.length;
    if (edit.kind === 'drop') entries.splice(i, 1);
    else if (edit.kind === 'rename') entries[i] = { ...entries[i]!, name: edit.name };
    else if (edit.kind === 'method') entries[i] = { ...entries[i]!, method: edit.method };
    else {
      const name = jsonNames[edit.member % jsonNames.length]!;
      const at = entries.findIndex((e) => e.name === name);
      entries[at] = { name, data: edit.mutated };
    }
    return writeZip(entries);
  };
  const jsonEdits = jsonNames.map((name) =>
    mutatedJson(members.get(name)!.toString('utf8')).map((mutated): ZipEdit => ({ kind: 'json', member: jsonNames.indexOf(name), mutated })),
  );
  const memberName = fc.oneof(
    fc.constantFrom('header.json', '_journal/start.json', 'samples/1_epoch_1.json', 'samples/1_epoch_1/sample.json', 'samples/a/attachments/0.json', '../evil.json', 'samples/x_epoch_99999999999999999999.json'),
    fc.string({ maxLength: 40 }),
  );
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.oneof(...jsonEdits) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), member: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), member: fc.nat(), name: memberName }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('method' as const), member: fc.nat(), method: fc.constantFrom(0, 8, 93) }) },
    )
    .map(build);
}

const read = (paths: string[]) => paths.map((p) => readFileSync(p));

export async function importerSuite(): Promise<FuzzSuite> {
  const dir = mkdtempSync(join(tmpdir(), 'evalnotes-fuzz-importers-'));
  /** A fresh folder per case, the file named like the fixture kind (some parsers read the name). */
  const fileOf = (bytes: Buffer, name: string) => {
    const path = join(mkdtempSync(join(dir, 'case-')), name);
    writeFileSync(path, bytes);
    return path;
  };

  const parserTarget = (name: string, file: string, arbitrary: fc.Arbitrary<Buffer>, parse: (path: string) => Promise<unknown>) =>
    target<Buffer>({
      name,
      arbitrary,
      async check(bytes) {
        const path = fileOf(bytes, file);
        try {
          const outcome = await bounded(() => parse(path));
          if ('hung' in outcome) return `no answer within the case limit (${bytes.length} bytes)`;
          return outcome.ok ? null : refusalProblem(outcome.error, REFUSALS);
        } finally {
          rmSync(join(path, '..'), { recursive: true, force: true });
        }
      },
    });

  const jsonSeeds = read(INSPECT_JSON).map((b) => mutatedJsonFile(b));
  const evalSeeds = [...read(INSPECT_EVAL).map((b) => mutatedBytes(b)), ...(await Promise.all(INSPECT_EVAL.map(rebuiltEval)))];
  const resultsSeeds = read(LM_RESULTS).map((b) => mutatedJsonFile(b));
  const samplesSeeds = read(LM_SAMPLES).map((b) => mutatedJsonFile(b, true));

  const targets = [
    parserTarget('detect format', 'log.json', fc.oneof(...jsonSeeds, ...evalSeeds, ...resultsSeeds, ...samplesSeeds), async (path) => {
      const { format } = await detectFormat(path);
      if (!['inspect-json', 'inspect-eval', 'lm-eval-results', 'lm-eval-samples'].includes(format)) throw new Error(`unknown format ${format}`);
    }),
    parserTarget('inspect json', 'log.json', fc.oneof(...jsonSeeds), async (path) => consume(await parseInspectJson(path))),
    parserTarget('inspect eval', 'log.eval', fc.oneof(...evalSeeds), async (path) => consume(await parseInspectEval(path))),
    parserTarget('lm-eval results', 'results_2024-01-02T03-04-05.123456.json', fc.oneof(...resultsSeeds), async (path) => consume(await parseLmEvalResults(path))),
    parserTarget('lm-eval samples', 'samples_gsm_tiny_2024-01-02T03-04-05.123456.jsonl', fc.oneof(...samplesSeeds), async (path) => {
      for await (const s of parseLmEvalSamples(path, { task: 'gsm_tiny', metricNames: new Set(['exact_match']) })) void s;
    }),
  ];
  return { targets, close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
}

