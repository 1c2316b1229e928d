/**
 * lm-evaluation-harness `samples_<task>_<ts>.jsonl`: streamed line by line
 * with byte offsets, and paired with the task of a results file.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseJsonWithNonFinite } from '../jsonWithNonFinite';
import { LogFormatError, type ParsedSample } from '../types';
import { asRecord, metricNamesByTask, oneLine, readLmEvalResultsFile } from './lmEvalResults';
import { isRecord, lmEvalSampleToParsed } from './sampleRecord';

export type JsonlLine = {
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** The line's bytes, without the line break (LF or CRLF). */
  bytes: Buffer;
};

/**
 * Every non-blank line of a file, split by hand on LF so byte offsets are
 * exact (readline gives strings, not positions). Memory: one chunk plus the
 * line in progress.
 */
export async function* readJsonlLines(path: string): AsyncGenerator<JsonlLine> {
  let carry: Buffer[] = [];
  let lineStart = 0;
  let lineNo = 0;
  let base = 0;
  const emit = (piece: Buffer): JsonlLine | null => {
    let bytes = carry.length > 0 ? Buffer.concat([...carry, piece]) : piece;
    carry = [];
    lineNo++;
    let offset = lineStart;
    if (lineNo === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3);
      offset += 3;
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    return isBlank(bytes) ? null : { line: lineNo, offset, bytes };
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl === -1) {
        if (from < chunk.length) carry.push(chunk.subarray(from));
        break;
      }
      const line = emit(chunk.subarray(from, nl));
      if (line) yield line;
      lineStart = base + nl + 1;
      from = nl + 1;
    }
    base += chunk.length;
  }
  if (carry.length > 0) {
    const line = emit(Buffer.alloc(0));
    if (line) yield line;
  }
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

export type LmEvalSamplesOptions = {
  /** The task these samples belong to (see pairSamplesWithResults). */
  task: string;
  /** Metric names the results state for the task; used for old lines without a `metrics` list. */
  metricNames?: ReadonlySet<string>;
};

/** Streams a samples JSONL file as ParsedSamples, one line at a time. */
export async function* parseLmEvalSamples(path: string, opts: LmEvalSamplesOptions): AsyncGenerator<ParsedSample> {
  const name = basename(path);
  for await (const { line, offset, bytes } of readJsonlLines(path)) {
    const where = `${name} line ${line}`;
    let value: unknown;
    try {
      value = parseJsonWithNonFinite(bytes.toString('utf8'));
    } catch (e) {
      throw new LogFormatError(`${where} is not valid JSON (${oneLine(e)}).`);
    }
    yield lmEvalSampleToParsed(value, {
      task: opts.task,
      location: { kind: 'jsonl-line', line, offset, length: bytes.length },
      metricNames: opts.metricNames,
      where,
    });
  }
}

// ---------------------------------------------------------------- pairing

export type SamplesPairing = {
  path: string;
  /** The results task this file holds samples of, or null when it cannot be told. */
  task: string | null;
  matchedBy: 'file-name' | 'content' | null;
  /** Why no task was chosen (one sentence), when task is null. */
  reason?: string;
};

/**
 * Which task of a results file each samples file belongs to.
 *  1. The harness names them `samples_<task>_<ts>.jsonl`; renamed copies keep
 *     `samples_<task>` inside the name. The longest task name that fits wins
 *     (so `xnli_en` beats `xnli`), unless the file's first line contradicts it
 *     (its metrics are not the task's).
 *  2. Otherwise the first line is compared with each task's config: its
 *     metrics must be among the task's, and its `doc` must carry the fields the
 *     config's doc_to_target / doc_to_text read (the target itself when
 *     doc_to_target is a plain field). A unique best match wins.
 */
export async function pairSamplesWithResults(resultsPath: string, samplesPaths: readonly string[]): Promise<SamplesPairing[]> {
  const { raw } = await readLmEvalResultsFile(resultsPath);
  const metrics = metricNamesByTask(raw);
  const configs = asRecord(raw.configs);
  const groups = new Set(Object.keys(asRecord(raw.group_subtasks)).filter((g) => {
    const subs = asRecord(raw.group_subtasks)[g];
    return Array.isArray(subs) && subs.length > 0;
  }));
  const candidates = [...new Set([...Object.keys(configs), ...Object.keys(asRecord(raw.results))])].filter((t) => !groups.has(t));

  const out: SamplesPairing[] = [];
  for (const path of samplesPaths) {
    const first = await firstSample(path);
    const byName = taskFromFileName(basename(path), candidates);
    if (byName !== null && (first === null || metricsFit(first, metrics.get(byName)) !== 'misfit')) {
      out.push({ path, task: byName, matchedBy: 'file-name' });
      continue;
    }
    if (first === null) {
      out.push({ path, task: null, matchedBy: null, reason: `${basename(path)} has no sample to compare with the results' tasks.` });
      continue;
    }
    // Metrics that fit count as one point of evidence; at least one point is needed.
    const scored = candidates
      .map((t) => ({ task: t, fit: metricsFit(first, metrics.get(t)) }))
      .filter((c) => c.fit !== 'misfit')
      .map((c) => ({ task: c.task, score: (c.fit === 'fit' ? 1 : 0) + contentScore(first, asRecord(configs[c.task])) }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score);
    const best = scored[0];
    if (best && (scored.length === 1 || best.score > scored[1]!.score)) {
      out.push({ path, task: best.task, matchedBy: 'content' });
    } else if (best) {
      const tied = scored.filter((s) => s.score === best.score).map((s) => s.task);
      out.push({ path, task: null, matchedBy: null, reason: `${basename(path)} could belong to any of ${tied.join(', ')}; name it samples_<task>_….jsonl to choose.` });
    } else {
      out.push({ path, task: null, matchedBy: null, reason: `${basename(path)} matches none of the tasks in ${basename(resultsPath)}.` });
    }
  }
  return out;
}

/** The task named in `samples_<task>_…` / `samples_<task>.…`, longest first. */
export function taskFromFileName(fileName: string, tasks: readonly string[]): string | null {
  let best: string | null = null;
  for (const t of tasks) {
    const at = fileName.indexOf(`samples_${t}`);
    if (at === -1) continue;
    const next = fileName[at + 'samples_'.length + t.length];
    if (next !== '_' && next !== '.') continue;
    if (best === null || t.length > best.length) best = t;
  }
  return best;
}

async function firstSample(path: string): Promise<Record<string, unknown> | null> {
  for await (const { line, bytes } of readJsonlLines(path)) {
    let value: unknown;
    try {
      value = parseJsonWithNonFinite(bytes.toString('utf8'));
    } catch (e) {
      throw new LogFormatError(`${basename(path)} line ${line} is not valid JSON (${oneLine(e)}).`);
    }
    return isRecord(value) ? value : null;
  }
  return null;
}

const SAMPLE_FIELDS = new Set(['doc_id', 'doc', 'target', 'arguments', 'resps', 'filtered_resps', 'filter', 'metrics', 'doc_hash', 'prompt_hash', 'target_hash']);

/** Whether the sample's metrics are all among the task's ('unknown' when either side states none). */
function metricsFit(sample: Record<string, unknown>, taskMetrics: ReadonlySet<string> | undefined): 'fit' | 'misfit' | 'unknown' {
  const named = Array.isArray(sample.metrics)
    ? sample.metrics.filter((m): m is string => typeof m === 'string')
    : Object.keys(sample).filter((k) => !SAMPLE_FIELDS.has(k) && (typeof sample[k] === 'number' || typeof sample[k] === 'boolean'));
  if (!taskMetrics || taskMetrics.size === 0 || named.length === 0) return 'unknown';
  return named.every((m) => taskMetrics.has(m)) ? 'fit' : 'misfit';
}

function contentScore(sample: Record<string, unknown>, config: Record<string, unknown>): number {
  const doc = asRecord(sample.doc);
  let score = 0;
  const target = config.doc_to_target;
  if (typeof target === 'string') {
    if (/^\w+$/.test(target) && target in doc) score += String(doc[target]) === String(sample.target) ? 2 : 1;
    else if (fieldsOf(target).length > 0 && fieldsOf(target).every((f) => f in doc)) score += 1;
  }
  const text = config.doc_to_text;
  if (typeof text === 'string') {
    if (/^\w+$/.test(text) && text in doc) score += 1;
    else if (fieldsOf(text).length > 0 && fieldsOf(text).every((f) => f in doc)) score += 1;
  }
  return score;
}

/** Fields a Jinja template reads: the first name in each {{ … }}. */
function fieldsOf(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z_]\w*)/g)].map((m) => m[1]!);
}

/**
 * samples_*.jsonl files in the results file's folder that share its timestamp
 * suffix (`results_<ts>.json` / `<stem>_<ts>.json` ↔ `samples_<task>_<ts>.jsonl`).
 */
export async function findSamplesBeside(resultsPath: string): Promise<string[]> {
  const ts = /_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)\.json$/.exec(basename(resultsPath))?.[1];
  if (ts === undefined) return [];
  const dir = dirname(resultsPath);
  const names = await readdir(dir);
  return names
    .filter((n) => n.endsWith(`_${ts}.jsonl`) && /(^|_)samples_/.test(n))
    .sort()
    .map((n) => join(dir, n));
}
