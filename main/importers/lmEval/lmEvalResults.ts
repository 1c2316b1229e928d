/**
 * lm-evaluation-harness `results_<ts>.json` (or `<stem>_<ts>.json` when
 * --output_path ends in .json) → ParsedLog.
 *
 * The file is read once as a stream. A structure scanner notes where a
 * top-level `samples{task:[…]}` object sits (some forks embed the samples) and
 * where each of its elements starts and ends; those bytes are left out of the
 * metadata parse (replaced by `null`), and each sample is later read back from
 * its own byte range. So embedded samples are never all held as objects.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseJsonWithNonFinite } from '../jsonWithNonFinite';
import { LogFormatError, type ParsedLog, type ParsedResult, type ParsedRunMeta, type ParsedSample } from '../types';
import { JsonByteScanner } from './jsonByteScanner';
import { isRecord, lmEvalSampleToParsed } from './sampleRecord';
import { MAX_NESTING, nestedDeeperThan } from '../nesting';

/** Where one embedded sample's JSON sits in the results file. */
export type EmbeddedSampleRange = { task: string; index: number; offset: number; length: number };

export type LmEvalResultsFile = {
  /** The results JSON with any embedded `samples` replaced by null. */
  raw: Record<string, unknown>;
  embedded: EmbeddedSampleRange[];
};

/** Keys of a results/groups entry that are not metrics. */
const NON_METRIC_KEYS = new Set(['alias', 'name', 'sample_len', 'sample_count', 'samples']);

/** Strings longer than this in `config` (task code, chat templates, env dumps) are cut. */
const MAX_CONFIG_STRING = 4000;

/** Read size when walking embedded samples. */
const WINDOW = 1 << 20;

export async function parseLmEvalResults(path: string): Promise<ParsedLog> {
  const file = await readLmEvalResultsFile(path);
  const name = basename(path);
  const { raw } = file;
  const meta = buildMeta(raw);
  const results = buildResults(raw);
  const metricNames = metricNamesByTask(raw);
  return {
    meta,
    results,
    samples: () => embeddedSamples(path, name, file.embedded, metricNames),
  };
}

/** Reads the results JSON (without embedded sample bodies) and locates embedded samples. */
export async function readLmEvalResultsFile(path: string): Promise<LmEvalResultsFile> {
  const name = basename(path);
  const embedded: EmbeddedSampleRange[] = [];
  let topKind: string | null = null;
  let samplesStart = -1;
  let samplesEnd = -1;
  let elementStart = -1;
  let elementIndex = 0;
  let elementTask = '';

  const scanner: JsonByteScanner = new JsonByteScanner(
    {
      valueStart(depth, offset, kind) {
        if (depth === 0) topKind ??= kind;
        else if (depth === 1 && kind === 'object' && samplesStart === -1 && scanner.keyAt(1) === 'samples') samplesStart = offset;
        else if (depth === 2 && samplesStart !== -1 && samplesEnd === -1) {
          elementTask = scanner.keyAt(2) ?? '';
          elementIndex = 0;
        } else if (depth === 3 && samplesStart !== -1 && samplesEnd === -1 && kind === 'object') elementStart = offset;
      },
      valueEnd(depth, end) {
        if (samplesStart === -1 || samplesEnd !== -1) return;
        if (depth === 1) samplesEnd = end;
        else if (depth === 3 && elementStart !== -1) {
          embedded.push({ task: elementTask, index: elementIndex++, offset: elementStart, length: end - elementStart });
          elementStart = -1;
        }
      },
    },
    3,
  );

  // Keep every byte except the embedded samples' own.
  const before: Buffer[] = [];
  const after: Buffer[] = [];
  let base = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    scanner.feed(chunk, base);
    const chunkEnd = base + chunk.length;
    if (samplesStart === -1 || samplesStart >= chunkEnd) before.push(chunk);
    else {
      if (samplesStart > base) before.push(chunk.subarray(0, samplesStart - base));
      if (samplesEnd !== -1 && samplesEnd < chunkEnd) after.push(chunk.subarray(Math.max(0, samplesEnd - base)));
    }
    base = chunkEnd;
  }
  scanner.end(base);

  if (base === 0) throw new LogFormatError(`${name} is empty.`);
  if (samplesStart !== -1 && samplesEnd === -1) {
    throw new LogFormatError(`${name} ends inside its embedded samples (the file is truncated).`);
  }
  const bytes = samplesStart === -1 ? Buffer.concat(before) : Buffer.concat([...before, Buffer.from('null'), ...after]);
  let raw: unknown;
  try {
    raw = parseJsonWithNonFinite(stripBom(bytes.toString('utf8')));
  } catch (e) {
    throw new LogFormatError(`${name} is not valid JSON (${oneLine(e)}).`);
  }
  if (topKind !== 'object' || !isRecord(raw)) {
    throw new LogFormatError(`${name} is not an lm-evaluation-harness results file: its JSON is not an object.`);
  }
  if (!isRecord(raw.results)) {
    throw new LogFormatError(`${name} is not an lm-evaluation-harness results file: it has no "results" object.`);
  }
  if (nestedDeeperThan(raw, MAX_NESTING)) throw new LogFormatError(`${name} nests values more than ${MAX_NESTING} levels deep, which no harness writes.`);
  return { raw, embedded };
}

async function* embeddedSamples(
  path: string,
  name: string,
  ranges: readonly EmbeddedSampleRange[],
  metricNames: ReadonlyMap<string, ReadonlySet<string>>,
): AsyncGenerator<ParsedSample> {
  if (ranges.length === 0) return;
  const handle = await open(path, 'r');
  // Ranges come in file order: read windows of about 1 MiB and slice them,
  // rather than one read per sample.
  let window = Buffer.alloc(0);
  let windowStart = 0;
  try {
    for (const r of ranges) {
      const where = `${name} sample ${r.index} of task ${r.task}`;
      if (r.offset < windowStart || r.offset + r.length > windowStart + window.length) {
        const size = Math.max(r.length, WINDOW);
        const next = Buffer.allocUnsafe(size);
        const { bytesRead } = await handle.read(next, 0, size, r.offset);
        if (bytesRead < r.length) throw new LogFormatError(`${where} could not be read (the file changed while importing).`);
        window = next.subarray(0, bytesRead);
        windowStart = r.offset;
      }
      const buf = window.subarray(r.offset - windowStart, r.offset - windowStart + r.length);
      let value: unknown;
      try {
        value = parseJsonWithNonFinite(buf.toString('utf8'));
      } catch (e) {
        throw new LogFormatError(`${where} is not valid JSON (${oneLine(e)}).`);
      }
      yield lmEvalSampleToParsed(value, {
        task: r.task,
        location: { kind: 'bytes', offset: r.offset, length: r.length },
        metricNames: metricNames.get(r.task),
        where,
      });
    }
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------- meta

function buildMeta(raw: Record<string, unknown>): ParsedRunMeta {
  const top = topLevelTasks(raw);
  const versions = asRecord(raw.versions);
  const single = top.length === 1 ? top[0]! : null;
  const version = single !== null ? versions[single] : undefined;
  const created = epochToIso(raw.date);
  const seconds = Number(raw.total_evaluation_time_seconds);
  const completed =
    typeof raw.date === 'number' && Number.isFinite(raw.date) && raw.total_evaluation_time_seconds !== undefined && Number.isFinite(seconds)
      ? epochToIso(raw.date + seconds)
      : null;

  return {
    source: 'lm-eval-harness',
    format: 'lm-eval-results',
    task: top.join(', '),
    task_version: typeof version === 'string' || typeof version === 'number' ? String(version) : null,
    model: modelName(raw),
    dataset: datasetOf(raw),
    harness_version: typeof raw.lm_eval_version === 'string' ? raw.lm_eval_version : null,
    status: 'success',
    created_at: created,
    completed_at: completed,
    config: buildConfig(raw),
    token_usage: {},
    error: null,
    sample_count: sampleCount(raw),
  };
}

/**
 * Top-level entries: groups and stand-alone tasks that are no group's subtask,
 * in the order the results list them.
 */
export function topLevelTasks(raw: Record<string, unknown>): string[] {
  const all = unique([...Object.keys(asRecord(raw.results)), ...Object.keys(asRecord(raw.groups))]);
  const subtasks = new Set<string>();
  for (const list of Object.values(asRecord(raw.group_subtasks))) {
    if (Array.isArray(list)) for (const t of list) if (typeof t === 'string') subtasks.add(t);
  }
  const top = all.filter((t) => !subtasks.has(t));
  return top.length > 0 ? top : all;
}

/**
 * The model: the harness's own model_name when set, else what lm-eval's
 * get_model_name derives from model_args (peft, delta, pretrained, model,
 * path, engine), else the backend name. Files with and without model_name
 * thus name the same model the same way.
 */
function modelName(raw: Record<string, unknown>): string {
  const cfg = asRecord(raw.config);
  for (const v of [cfg.model_name, raw.model_name]) if (typeof v === 'string' && v !== '') return v;
  const args = parseModelArgs(cfg.model_args);
  if (isRecord(args)) {
    for (const k of ['peft', 'delta', 'pretrained', 'model', 'path', 'engine']) {
      const v = args[k];
      if (typeof v === 'string' && v !== '') return v;
    }
  }
  return typeof cfg.model === 'string' && cfg.model !== '' ? cfg.model : 'unknown';
}

/** "k=v,k2=v2" → object with lm-eval's own value coercion (true/false, numbers); dicts pass through. */
export function parseModelArgs(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? null;
  const out: Record<string, unknown> = {};
  for (const part of args.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).trim();
    const value = eq === -1 ? '' : part.slice(eq + 1).trim();
    out[key] = coerceArg(value);
  }
  return out;
}

function coerceArg(v: string): unknown {
  const lower = v.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return Number(v);
  return v;
}

function datasetOf(raw: Record<string, unknown>): string | null {
  const paths = new Set<string>();
  for (const c of Object.values(asRecord(raw.configs))) {
    if (isRecord(c) && typeof c.dataset_path === 'string') paths.add(c.dataset_path);
  }
  return paths.size === 1 ? [...paths][0]! : null;
}

/** Sum of n-samples[task].effective (the samples actually scored, after --limit). */
function sampleCount(raw: Record<string, unknown>): number | null {
  const ns = asRecord(raw['n-samples']);
  let total = 0;
  let any = false;
  for (const v of Object.values(ns)) {
    const eff = isRecord(v) ? v.effective : undefined;
    if (typeof eff === 'number') {
      total += eff;
      any = true;
    }
  }
  return any ? total : null;
}

function buildConfig(raw: Record<string, unknown>): Record<string, unknown> {
  const skip = new Set(['results', 'groups', 'samples', 'config', 'date', 'lm_eval_version']);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!skip.has(k)) out[k] = v;
  const cfg = asRecord(raw.config);
  for (const [k, v] of Object.entries(cfg)) out[k] = k === 'model_args' ? parseModelArgs(v) : v;
  return trimStrings(out, MAX_CONFIG_STRING) as Record<string, unknown>;
}

function trimStrings(v: unknown, max: number): unknown {
  if (typeof v === 'string') return v.length > max ? `${v.slice(0, max)}… (${v.length} characters)` : v;
  if (Array.isArray(v)) return v.map((x) => trimStrings(x, max));
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = trimStrings(x, max);
    return out;
  }
  return v;
}

// ---------------------------------------------------------------- results

/** Every "<metric>,<filter>" value of results{} and groups{} (a group listed in both counts once). */
function buildResults(raw: Record<string, unknown>): ParsedResult[] {
  const out: ParsedResult[] = [];
  const seen = new Set<string>();
  const hib = asRecord(raw.higher_is_better);
  for (const section of [asRecord(raw.results), asRecord(raw.groups)]) {
    for (const [task, entry] of Object.entries(section)) {
      if (!isRecord(entry)) continue;
      const n = sampleCountOf(raw, task, entry, new Set());
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value !== 'number') continue;
        const { metric, filter } = splitMetricKey(key);
        if (NON_METRIC_KEYS.has(metric) || metric.endsWith('_stderr')) continue;
        const id = `${task}\u0000${filter}\u0000${metric}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const better = asRecord(hib[task])[metric];
        out.push({
          task,
          scorer: filter,
          metric,
          value,
          stderr: stderrOf(entry, metric, filter, key.includes(',')),
          n,
          higher_is_better: typeof better === 'boolean' ? better : null,
        });
      }
    }
  }
  return out;
}

/** "acc,none" → acc / none; very old files write "acc" alone (filter "none"). */
export function splitMetricKey(key: string): { metric: string; filter: string } {
  const comma = key.indexOf(',');
  return comma === -1 ? { metric: key, filter: 'none' } : { metric: key.slice(0, comma), filter: key.slice(comma + 1) };
}

function stderrOf(entry: Record<string, unknown>, metric: string, filter: string, withFilter: boolean): number | null {
  const v = entry[withFilter ? `${metric}_stderr,${filter}` : `${metric}_stderr`];
  if (typeof v === 'number') return v; // NaN / Infinity stay as they are
  if (typeof v === 'string' && v.trim() !== '' && v !== 'N/A') {
    const n = Number(v);
    return Number.isNaN(n) && v.trim() !== 'NaN' ? null : n;
  }
  return null; // missing, null or "N/A" (the harness writes that when no stderr was computed)
}

/**
 * n for a task: n-samples[task].effective; for a group (no n-samples entry)
 * its own sample_count, else the sum of its subtasks' n.
 */
function sampleCountOf(raw: Record<string, unknown>, task: string, entry: Record<string, unknown>, visiting: Set<string>): number | null {
  const ns = asRecord(raw['n-samples'])[task];
  if (isRecord(ns) && typeof ns.effective === 'number') return ns.effective;
  const own = entry.sample_count ?? entry.sample_len;
  if (typeof own === 'number') return own;
  if (isRecord(own) && typeof own.effective === 'number') return own.effective;
  const subs = asRecord(raw.group_subtasks)[task];
  if (!Array.isArray(subs) || subs.length === 0 || visiting.has(task)) return null;
  visiting.add(task);
  let total = 0;
  for (const s of subs) {
    if (typeof s !== 'string') return null;
    const subEntry = asRecord(asRecord(raw.results)[s] ?? asRecord(raw.groups)[s]);
    const n = sampleCountOf(raw, s, subEntry, visiting);
    if (n === null) return null;
    total += n;
  }
  return total;
}

/** Metric names each task states (results keys, higher_is_better, metric_list). */
export function metricNamesByTask(raw: Record<string, unknown>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (task: string, metric: string) => {
    let set = out.get(task);
    if (!set) out.set(task, (set = new Set()));
    set.add(metric);
  };
  for (const section of [asRecord(raw.results), asRecord(raw.groups)]) {
    for (const [task, entry] of Object.entries(section)) {
      for (const [key, value] of Object.entries(asRecord(entry))) {
        const { metric } = splitMetricKey(key);
        if (typeof value === 'number' && !NON_METRIC_KEYS.has(metric) && !metric.endsWith('_stderr')) add(task, metric);
      }
    }
  }
  for (const [task, m] of Object.entries(asRecord(raw.higher_is_better))) for (const metric of Object.keys(asRecord(m))) add(task, metric);
  for (const [task, c] of Object.entries(asRecord(raw.configs))) {
    const list = asRecord(c).metric_list;
    if (Array.isArray(list)) for (const item of list) if (isRecord(item) && typeof item.metric === 'string') add(task, item.metric);
  }
  return out;
}

// ---------------------------------------------------------------- helpers

function epochToIso(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    const d = new Date(v * 1000);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  if (typeof v === 'string' && v.trim() !== '') {
    const asNumber = Number(v);
    if (Number.isFinite(asNumber)) return epochToIso(asNumber);
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  return null;
}

export function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** An error's message on one short line (V8 quotes source text, newlines included). */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const flat = msg.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}
