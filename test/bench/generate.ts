/**
 * Writes a large synthetic Inspect log twice, as a `.eval` ZIP (deflated
 * members, the layout inspect_ai's eval recorder writes: journal, one member
 * per sample in finishing order, summaries, reductions, header.json last) and
 * as a JSON log (one EvalLog with `samples: [...]`). Both hold byte-identical
 * sample JSON, so their throughputs compare. Deterministic for a given seed.
 */
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { writeZip, type ZipEntrySpec } from '../helpers/zipWriter';
import { seededRandom } from '../helpers/rng';

export type GeneratedLogs = {
  evalPath: string;
  jsonPath: string;
  samples: number;
  /** Bytes of the JSON log (= the uncompressed content both files carry). */
  jsonBytes: number;
  evalBytes: number;
  /** Uncompressed bytes of every .eval member. */
  evalUncompressedBytes: number;
};

export type GenerateOptions = { samples: number; seed: number; epochs?: number };


const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she ' +
  'there been one all we their has would when if so no what up out more about into than them can only other time new some could ' +
  'these two may first then do any like my now over such our man me even most made after also did many off before must well back ' +
  'through years much where your way down should because each just those people how too little state good very make world still ' +
  'own see men work long get here between both life being under never day same another know while last might us great old year ' +
  'model answer question reasoning evaluation sample score correct incorrect token context prompt system user assistant function ' +
  'variable compute matrix protein molecule enzyme reaction voltage circuit theorem proof integer prime sequence probability ' +
  'distribution estimate hypothesis experiment measurement temperature pressure velocity energy momentum electron photon ' +
  'historical treaty empire dynasty revolution parliament economy inflation market contract liability statute precedent'
).split(' ');
const ACCENTED = ['naïve', 'café', 'façade', 'résumé', 'Zürich', '—', 'São Paulo', 'déjà vu'];
const LETTERS = ['A', 'B', 'C', 'D'];
const ID_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

class TextMaker {
  constructor(readonly rand: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }
  /** Inspect's shortuuid-style ids (22 characters). */
  id(n = 22): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ID_CHARS[Math.floor(this.rand() * ID_CHARS.length)];
    return s;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.rand() * 16).toString(16);
    return s;
  }
  sentence(): string {
    const n = this.int(6, 22);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(this.rand() < 0.004 ? this.pick(ACCENTED) : this.rand() < 0.03 ? String(this.int(0, 9999)) : this.pick(WORDS));
    const s = words.join(' ');
    return `${s[0]!.toUpperCase()}${s.slice(1)}${this.rand() < 0.1 ? '?' : '.'}`;
  }
  /** About `chars` characters of sentences, in paragraphs. */
  prose(chars: number): string {
    let out = '';
    while (out.length < chars) out += (out === '' ? '' : this.rand() < 0.15 ? '\n\n' : ' ') + this.sentence();
    return out;
  }
}

const MODEL = 'openai/gpt-4o-mini';
const SYSTEM_PROMPTS = [
  'You are a careful assistant answering multiple-choice questions. Think step by step, show your reasoning briefly, and end with a line of the form "ANSWER: X" where X is one of A, B, C or D. Do not refuse; if unsure, choose the most likely option.',
  'You are an expert evaluator. Read the question and the options, reason about each option in turn, and finish with "ANSWER: X" on its own line. Keep the reasoning under two hundred words.',
  'Answer the following question. The entire content of your response should be of the following format: a short justification followed by "ANSWER: $LETTER" (without quotes) where LETTER is one of ABCD.',
];

/**
 * JSON with non-ASCII characters escaped (\u00e9), as Python's json module
 * writes by default. The file stays ASCII, which is the reference's fastest
 * case (V8 keeps one-byte strings): the stricter comparison.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

type Built = { json: string; summary: Record<string, unknown>; value: 'C' | 'I'; id: number; epoch: number };

function buildSample(t: TextMaker, id: number, epoch: number, clock: { ms: number }): Built {
  const system = t.pick(SYSTEM_PROMPTS);
  const question = `${t.prose(t.int(400, 750))}\n\nA) ${t.sentence()}\nB) ${t.sentence()}\nC) ${t.sentence()}\nD) ${t.sentence()}`;
  const target = t.pick(LETTERS);
  const chosen = t.rand() < 0.7 ? target : t.pick(LETTERS);
  const answer = `${t.prose(t.int(380, 700))}\n\nANSWER: ${chosen}`;
  const value = chosen === target ? 'C' : 'I';
  const explanation = `The model answered ${chosen}; the target is ${target}. ${t.prose(t.int(60, 220))}`;
  const sysMsg = { id: t.id(), content: system, source: 'input', role: 'system' };
  const userMsg = { id: t.id(), content: question, source: 'input', role: 'user' };
  const assistant = { id: t.id(), content: answer, source: 'generate', role: 'assistant', model: 'gpt-4o-mini-2024-07-18' };
  const inTok = t.int(300, 900);
  const outTok = t.int(200, 500);
  const usage = { input_tokens: inTok, output_tokens: outTok, total_tokens: inTok + outTok, input_tokens_cache_read: 0, reasoning_tokens: 0 };
  const output = { model: 'gpt-4o-mini-2024-07-18', choices: [{ message: assistant, stop_reason: 'stop' }], completion: answer, usage, time: t.rand() * 5 };
  // Inspect moves long text in events to attachments and refers to it by hash.
  const [hSys, hQ, hA] = [t.hex(32), t.hex(32), t.hex(32)];
  const ref = (h: string) => `attachment://${h}`;
  const start = clock.ms;
  const at = (offsetMs: number) => new Date(start + offsetMs).toISOString().replace('Z', '+00:00');
  clock.ms += t.int(500, 8000);
  const span = t.hex(32);
  const common = (ms: number) => ({ uuid: t.id(), span_id: span, timestamp: at(ms), working_start: (start + ms) / 1000, pending: false });
  const refMsgs = [
    { ...sysMsg, content: ref(hSys) },
    { ...userMsg, content: ref(hQ) },
  ];
  const events = [
    { ...common(0), event: 'span_begin', id: span, type: 'init', name: 'init' },
    {
      ...common(1),
      event: 'sample_init',
      sample: { input: refMsgs, target, id },
      state: { messages: refMsgs, tools: [], tool_choice: null, store: {}, output: { model: MODEL, choices: [], completion: '' }, completed: false, metadata: {} },
    },
    {
      ...common(2),
      event: 'model',
      model: MODEL,
      role: null,
      input: refMsgs,
      tools: [],
      tool_choice: 'none',
      config: { max_tokens: 1024, temperature: 0 },
      output: { ...output, choices: [{ message: { ...assistant, content: ref(hA) }, stop_reason: 'stop' }], completion: ref(hA) },
      retries: 0,
      error: null,
      cache: null,
      call: null,
      completed: at(1500),
      working_time: 1.5,
    },
    {
      ...common(1600),
      event: 'score',
      score: { value, answer: chosen, explanation, metadata: {} },
      target,
      intermediate: false,
    },
  ];
  const sample = {
    id,
    epoch,
    input: [sysMsg, userMsg],
    target,
    messages: [sysMsg, userMsg, assistant],
    output,
    scores: { match: { value, answer: chosen, explanation, history: [] } },
    metadata: { subject: t.pick(['biology', 'chemistry', 'physics', 'law', 'history', 'economics']), difficulty: t.int(1, 5), source_id: `q-${t.hex(8)}` },
    store: {},
    events,
    model_usage: { [MODEL]: usage },
    total_time: 1.7,
    working_time: 1.6,
    uuid: t.id(),
    error_retries: [],
    attachments: { [hSys]: system, [hQ]: question, [hA]: answer },
  };
  const summary = { id, epoch, input: question.slice(0, 100), target, scores: { match: { value, answer: chosen } }, model_usage: { [MODEL]: usage }, retries: 0, completed: true };
  return { json: asciiJson(sample), summary, value, id, epoch };
}

function headerParts(samples: number, correct: number, epochs: number) {
  const accuracy = correct / samples;
  const stderr = Math.sqrt((accuracy * (1 - accuracy)) / (samples - 1));
  const evalSpec = {
    eval_id: 'benchEvalId0000000000a',
    run_id: 'benchRunId00000000000a',
    created: '2026-03-01T10:00:00+00:00',
    task: 'bench_mcq',
    task_id: 'benchTaskId000000000a',
    task_version: 0,
    dataset: { name: 'bench_mcq', location: 'bench_mcq.jsonl', samples: samples / epochs, shuffled: false },
    model: MODEL,
    model_args: {},
    config: { epochs },
    packages: { inspect_ai: '0.3.240' },
  };
  const plan = { name: 'plan', steps: [{ solver: 'multiple_choice', params: {} }], config: { max_tokens: 1024, temperature: 0 } };
  const results = {
    total_samples: samples,
    completed_samples: samples,
    scores: [
      {
        name: 'match',
        scorer: 'match',
        params: {},
        metrics: { accuracy: { name: 'accuracy', value: accuracy, params: {} }, stderr: { name: 'stderr', value: stderr, params: {} } },
      },
    ],
  };
  const stats = { started_at: '2026-03-01T10:00:00+00:00', completed_at: '2026-03-02T10:00:00+00:00', model_usage: { [MODEL]: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } } };
  return { version: 2, status: 'success', eval: evalSpec, plan, results, stats };
}

export function generateInspectLogs(dir: string, opts: GenerateOptions): GeneratedLogs {
  const epochs = opts.epochs ?? 1;
  const t = new TextMaker(seededRandom(opts.seed));
  const perEpoch = Math.ceil(opts.samples / epochs);
  const clock = { ms: Date.parse('2026-03-01T10:00:00Z') };

  const jsonPath = join(dir, 'bench-log.json');
  const fd = openSync(jsonPath, 'w');
  // The header goes first in a JSON log, but its results need every sample: leave room and write it at the end.
  const members: ZipEntrySpec[] = [];
  const summaries: Record<string, unknown>[] = [];
  const jsonChunks: string[] = [];
  let pending = 0;
  let correct = 0;
  let n = 0;
  let uncompressed = 0;
  const built: Built[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let id = 1; id <= perEpoch && n < opts.samples; id++, n++) {
      built.push(buildSample(t, id, epoch, clock));
    }
  }
  for (const b of built) if (b.value === 'C') correct += 1;
  const header = headerParts(n, correct, epochs);
  const head = JSON.stringify(header);
  writeSync(fd, `${head.slice(0, -1)},"samples":[`);

  // The .eval holds samples in the order they finished, not by id: shuffle a copy.
  const order = built.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(t.rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const member = (name: string, text: string): ZipEntrySpec => {
    const data = Buffer.from(text);
    uncompressed += data.length;
    return { name, method: 8, compressed: deflateRawSync(data), crc32: crc32(data), uncompressedSize: data.length };
  };
  members.push(member('_journal/start.json', JSON.stringify({ version: 2, eval: header.eval, plan: header.plan })));
  let journal = 0;
  for (const [k, i] of order.entries()) {
    const b = built[i]!;
    members.push(member(`samples/${b.id}_epoch_${b.epoch}.json`, b.json));
    summaries.push(b.summary);
    if ((k + 1) % 1000 === 0 || k === order.length - 1) {
      journal += 1;
      members.push(member(`_journal/summaries/${journal}.json`, JSON.stringify(summaries.slice(-((k % 1000) + 1)))));
    }
  }
  for (const [i, b] of built.entries()) {
    jsonChunks.push(i === 0 ? b.json : `,${b.json}`);
    pending += b.json.length;
    if (pending > 8 * 1024 * 1024) {
      writeSync(fd, jsonChunks.join(''));
      jsonChunks.length = 0;
      pending = 0;
    }
  }
  const reductions = [{ scorer: 'match', reducer: 'mean', samples: built.map((b) => ({ value: b.value === 'C' ? 1 : 0, answer: null, explanation: null, sample_id: b.id })) }];
  jsonChunks.push(`],"reductions":${JSON.stringify(reductions)}}`);
  writeSync(fd, jsonChunks.join(''));
  closeSync(fd);

  members.push(member('summaries.json', JSON.stringify(summaries)));
  members.push(member('reductions.json', JSON.stringify(reductions)));
  members.push(member('header.json', head));
  const evalPath = join(dir, 'bench-log.eval');
  const zip = writeZip(members);
  writeFileSync(evalPath, zip);

  return { evalPath, jsonPath, samples: n, jsonBytes: statSync(jsonPath).size, evalBytes: zip.length, evalUncompressedBytes: uncompressed };
}
