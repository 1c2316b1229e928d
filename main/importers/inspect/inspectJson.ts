/**
 * Inspect's JSON log (`*.json`, one EvalLog object). The file is read whole
 * (the format forces it: one JSON document), then a byte scanner finds each
 * top-level value and each element of `"samples": [...]`. The header values
 * are parsed on the spot; a sample is parsed only when the caller reaches it,
 * from its own slice, so memory stays near the file's size and `JSON.parse`
 * does the work at native speed.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LogFormatError, type ParsedLog, type ParsedSample } from '../types';
import { parseJsonWithNonFinite } from '../jsonWithNonFinite';
import { JsonScanError, skipSpace, skipString, skipValue, type ScanFlags } from './jsonText';
import { mapResults, mapRunMeta, mapSample } from './mapInspect';

export type InspectJsonOptions = {
  /** The name used in error sentences (default: the file's base name). */
  label?: string;
  /** Refuse larger files (default 2 GiB, about what Node reads into one Buffer). */
  maxBytes?: number;
};

/** Top-level values the header needs; `reductions` and anything newer are skipped unparsed. */
const HEADER_KEYS = new Set(['version', 'status', 'eval', 'plan', 'results', 'stats', 'error']);

// About 15 ms of JSON.parse on these machines.
const YIELD_EVERY_BYTES = 4 * 1024 * 1024;

// V8 cannot build a string longer than this (about 512 MiB of UTF-16 units).
const MAX_SLICE_BYTES = 0x1fffffe8;

export async function parseInspectJson(path: string, options: InspectJsonOptions = {}): Promise<ParsedLog> {
  const label = options.label ?? basename(path);
  const maxBytes = options.maxBytes ?? 2 * 1024 ** 3 - 1;
  const size = (await stat(path)).size;
  if (size > maxBytes) throw new LogFormatError(`${label} is ${size} bytes, larger than the ${maxBytes} bytes a JSON log may be.`);
  return parseInspectJsonBuffer(await readFile(path), label);
}

type Range = { start: number; end: number; nonFinite: boolean };

export function parseInspectJsonBuffer(buf: Buffer, label: string): ParsedLog {
  const layout = scanTopLevel(buf, label);

  // A log's header is a few known keys; without "eval" it is some other JSON
  // (a logs.json index, say) and every value is read to say which.
  const isLog = layout.values.has('eval');
  const header: Record<string, unknown> = {};
  for (const [key, range] of layout.values) {
    if (isLog && !HEADER_KEYS.has(key)) continue;
    header[key] = parseSlice(buf, range, label, `the "${key}" section`);
  }
  const meta = mapRunMeta(header, 'inspect-json', label);
  const results = mapResults(header, meta.task);
  const { starts, ends, nonFinite } = layout.samples;

  async function* samples(): AsyncGenerator<ParsedSample> {
    let sinceTurn = 0;
    for (let k = 0; k < starts.length; k++) {
      // Parsing is synchronous: give the event loop a turn every few megabytes
      // so progress events and cancellation get through.
      if (sinceTurn > YIELD_EVERY_BYTES) {
        await nextTurn();
        sinceTurn = 0;
      }
      const range = { start: starts[k]!, end: ends[k]!, nonFinite: nonFinite[k] === 1 };
      sinceTurn += range.end - range.start;
      const raw = parseSlice(buf, range, label, `sample ${k + 1}`);
      yield mapSample(raw, {
        label,
        task: meta.task,
        location: { kind: 'bytes', offset: range.start, length: range.end - range.start },
      });
    }
  }

  return { meta, results, samples };
}

function parseSlice(buf: Buffer, range: Range, label: string, what: string): unknown {
  const length = range.end - range.start;
  if (length > MAX_SLICE_BYTES) {
    throw new LogFormatError(`${label} has ${what} of ${length} bytes, more than can be read as one JSON value.`);
  }
  try {
    return parseJsonWithNonFinite(buf.toString('utf8', range.start, range.end));
  } catch (err) {
    throw new LogFormatError(`${label} has malformed JSON in ${what} (${(err as Error).message.replace(/\.$/, '')}).`);
  }
}

type SampleRanges = { starts: number[]; ends: number[]; nonFinite: number[] };
type Layout = { values: Map<string, Range>; samples: SampleRanges };

/** Walks the top-level object: key → value range, and the byte range of every sample. */
function scanTopLevel(buf: Buffer, label: string): Layout {
  try {
    return walk(buf, label);
  } catch (err) {
    if (err instanceof JsonScanError) {
      const where = err.offset >= buf.length ? 'at its end' : `at byte ${err.offset}`;
      throw new LogFormatError(`${label} is not complete JSON: ${err.message} ${where}.`);
    }
    if (err instanceof SyntaxError) throw new LogFormatError(`${label} is not valid JSON (${err.message.replace(/\.$/, '')}).`);
    throw err;
  }
}

function walk(buf: Buffer, label: string): Layout {
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  i = skipSpace(buf, i);
  if (i >= buf.length) throw new LogFormatError(`${label} is empty.`);
  if (buf[i] !== 0x7b) throw new LogFormatError(`${label} is not an Inspect log: it holds ${describeJsonStart(buf[i]!)}, not a JSON object.`);

  const values = new Map<string, Range>();
  let samples: SampleRanges = { starts: [], ends: [], nonFinite: [] };
  i = skipSpace(buf, i + 1);
  if (buf[i] === 0x7d) return finish(buf, i + 1, label, { values, samples });
  for (;;) {
    if (buf[i] !== 0x22) throw new JsonScanError('expected a key', i);
    const keyEnd = skipString(buf, i);
    const key = JSON.parse(buf.toString('utf8', i, keyEnd)) as string;
    i = skipSpace(buf, keyEnd);
    if (buf[i] !== 0x3a) throw new JsonScanError('expected ":"', i);
    i = skipSpace(buf, i + 1);
    if (i >= buf.length) throw new JsonScanError('a value is missing', i);
    if (key === 'samples' && buf[i] === 0x5b) {
      const found = scanArray(buf, i);
      samples = found.ranges;
      values.delete(key);
      i = found.end;
    } else {
      const flags: ScanFlags = { nonFinite: false };
      const end = skipValue(buf, i, flags);
      if (key === 'samples') {
        const word = buf.toString('utf8', i, end);
        if (word !== 'null') throw new LogFormatError(`${label} is not an Inspect log: its "samples" is not a list.`);
        samples = { starts: [], ends: [], nonFinite: [] };
      } else {
        values.set(key, { start: i, end, nonFinite: flags.nonFinite });
      }
      i = end;
    }
    i = skipSpace(buf, i);
    if (buf[i] === 0x2c) {
      i = skipSpace(buf, i + 1);
      continue;
    }
    if (buf[i] === 0x7d) return finish(buf, i + 1, label, { values, samples });
    throw new JsonScanError(i >= buf.length ? 'the text ends inside the log object' : 'expected "," or "}"', i);
  }
}

function scanArray(buf: Buffer, i: number): { ranges: SampleRanges; end: number } {
  const ranges: SampleRanges = { starts: [], ends: [], nonFinite: [] };
  i = skipSpace(buf, i + 1);
  if (buf[i] === 0x5d) return { ranges, end: i + 1 };
  for (;;) {
    if (i >= buf.length) throw new JsonScanError('the text ends inside the samples list', i);
    const flags: ScanFlags = { nonFinite: false };
    const end = skipValue(buf, i, flags);
    ranges.starts.push(i);
    ranges.ends.push(end);
    ranges.nonFinite.push(flags.nonFinite ? 1 : 0);
    i = skipSpace(buf, end);
    if (buf[i] === 0x2c) {
      i = skipSpace(buf, i + 1);
      continue;
    }
    if (buf[i] === 0x5d) return { ranges, end: i + 1 };
    throw new JsonScanError(i >= buf.length ? 'the text ends inside the samples list' : 'expected "," or "]" in the samples list', i);
  }
}

function finish(buf: Buffer, i: number, label: string, layout: Layout): Layout {
  if (skipSpace(buf, i) !== buf.length) throw new LogFormatError(`${label} has data after the end of its JSON object.`);
  return layout;
}

function describeJsonStart(c: number): string {
  if (c === 0x5b) return 'a JSON array';
  if (c === 0x22) return 'a JSON string';
  if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x4e || c === 0x49) return 'a JSON number';
  if (c === 0x74 || c === 0x66) return 'a JSON boolean';
  if (c === 0x6e) return 'JSON null';
  return 'something other than JSON';
}
