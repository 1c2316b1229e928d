/**
 * Inspect's JSON log (`*.json`, one EvalLog object). One JSON document, but
 * never held whole: a byte scanner slides a window over the file to find each
 * top-level value and each element of `"samples": [...]` (offsets only), then
 * the header values are read and parsed, and each sample is read from its own
 * byte range and parsed only when the caller reaches it. Memory stays near one
 * window (or the largest single value) whatever the file's size, and
 * `JSON.parse` does the work at native speed.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LogFormatError, type ParsedLog, type ParsedSample } from '../types';
import { parseJsonWithNonFinite } from '../jsonWithNonFinite';
import { JsonScanError, skipSpace, skipString, skipValue, type ScanFlags } from './jsonText';
import { mapResults, mapRunMeta, mapSample } from './mapInspect';

export type InspectJsonOptions = {
  /** The name used in error sentences (default: the file's base name). */
  label?: string;
  /** Refuse larger files (default 16 GiB). */
  maxBytes?: number;
  /** Bytes read at a time (default 8 MiB); a value larger than this widens the window to hold it. */
  windowBytes?: number;
};

/** Top-level values the header needs; `reductions` and anything newer are skipped unparsed. */
const HEADER_KEYS = new Set(['version', 'status', 'eval', 'plan', 'results', 'stats', 'error']);

// About 15 ms of JSON.parse on these machines.
const YIELD_EVERY_BYTES = 4 * 1024 * 1024;

// V8 cannot build a string longer than this (about 512 MiB of UTF-16 units).
const MAX_SLICE_BYTES = 0x1fffffe8;

const WINDOW_BYTES = 8 * 1024 * 1024;

export async function parseInspectJson(path: string, options: InspectJsonOptions = {}): Promise<ParsedLog> {
  const label = options.label ?? basename(path);
  const maxBytes = options.maxBytes ?? 16 * 1024 ** 3;
  const size = (await stat(path)).size;
  if (size > maxBytes) throw new LogFormatError(`${label} is ${size} bytes, larger than the ${maxBytes} bytes a JSON log may be.`);
  const windowBytes = Math.max(1, options.windowBytes ?? WINDOW_BYTES);
  const file = new FileWindow(openSync(path, 'r'), size, windowBytes);
  try {
    const layout = scanTopLevel(file, label);

    // A log's header is a few known keys; without "eval" it is some other JSON
    // (a logs.json index, say) and every value is read to say which.
    const isLog = layout.values.has('eval');
    const header: Record<string, unknown> = {};
    for (const [key, range] of layout.values) {
      if (isLog && !HEADER_KEYS.has(key)) continue;
      header[key] = parseSlice(file, range, label, `the "${key}" section`);
    }
    const meta = mapRunMeta(header, 'inspect-json', label);
    const results = mapResults(header, meta.task);
    return { meta, results, samples: () => samples(new FileWindow(openSync(path, 'r'), size, windowBytes), layout.samples, label, meta.task) };
  } finally {
    file.close();
  }
}

async function* samples(file: FileWindow, ranges: SampleRanges, label: string, task: string): AsyncGenerator<ParsedSample> {
  const { starts, ends } = ranges;
  try {
    let sinceTurn = 0;
    for (let k = 0; k < starts.length; k++) {
      // Parsing is synchronous: give the event loop a turn every few megabytes
      // so progress events and cancellation get through.
      if (sinceTurn > YIELD_EVERY_BYTES) {
        await nextTurn();
        sinceTurn = 0;
      }
      const range = { start: starts[k]!, end: ends[k]! };
      sinceTurn += range.end - range.start;
      const raw = parseSlice(file, range, label, `sample ${k + 1}`);
      yield mapSample(raw, { label, task, location: { kind: 'bytes', offset: range.start, length: range.end - range.start } });
    }
  } finally {
    file.close();
  }
}

/** Bytes [base, base + bytes.length) of a file, read forward a window at a time. */
class FileWindow {
  bytes: Buffer = Buffer.alloc(0);
  base = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly windowBytes: number,
  ) {}

  get end(): number {
    return this.base + this.bytes.length;
  }
  get atEof(): boolean {
    return this.end >= this.size;
  }

  /** Byte at absolute `pos`, reading on as needed; undefined past the end of the file. */
  at(pos: number): number | undefined {
    if (pos >= this.end && !this.atEof) this.extend(pos);
    return this.bytes[pos - this.base];
  }

  /** Keeps the bytes from `from` on and reads more after them: a window's worth, or as much again as is kept. */
  extend(from: number): void {
    const keep = from < this.end ? this.bytes.subarray(Math.max(0, from - this.base)) : Buffer.alloc(0);
    const start = Math.max(from, this.end);
    const more = Math.min(this.size - start, Math.max(this.windowBytes, keep.length));
    const next = Buffer.allocUnsafe(keep.length + more);
    keep.copy(next);
    this.readInto(next, keep.length, more, start);
    this.bytes = next;
    this.base = start - keep.length;
  }

  /** The bytes [start, end), from the window when it holds them. */
  slice(start: number, end: number): Buffer {
    if (start < this.base || end > this.end) {
      const length = Math.min(this.size - start, Math.max(this.windowBytes, end - start));
      const next = Buffer.allocUnsafe(length);
      this.readInto(next, 0, length, start);
      this.bytes = next;
      this.base = start;
    }
    return this.bytes.subarray(start - this.base, end - this.base);
  }

  close(): void {
    closeSync(this.fd);
  }

  private readInto(buf: Buffer, offset: number, length: number, position: number): void {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, offset + done, length - done, position + done);
      if (n === 0) throw new LogFormatError('The log changed size while it was being read.');
      done += n;
    }
  }
}

/**
 * Runs a scanner (skipString, skipValue, skipSpace) at absolute `pos` and
 * returns the absolute end. Where the window ran out before the file did, the
 * value may go on: widen the window and scan it again.
 */
function scanAt(w: FileWindow, pos: number, scan: (b: Buffer, i: number) => number): number {
  for (;;) {
    if (pos >= w.end && !w.atEof) w.extend(pos);
    try {
      const end = scan(w.bytes, pos - w.base);
      if (end < w.bytes.length || w.atEof) return end + w.base;
    } catch (err) {
      if (!(err instanceof JsonScanError)) throw err;
      if (!err.ranOut || w.atEof) throw new JsonScanError(err.message, err.offset + w.base, err.ranOut);
    }
    w.extend(pos);
  }
}

type Range = { start: number; end: number };

function parseSlice(file: FileWindow, range: Range, label: string, what: string): unknown {
  const length = range.end - range.start;
  if (length > MAX_SLICE_BYTES) {
    throw new LogFormatError(`${label} has ${what} of ${length} bytes, more than can be read as one JSON value.`);
  }
  try {
    return parseJsonWithNonFinite(file.slice(range.start, range.end).toString('utf8'));
  } catch (err) {
    throw new LogFormatError(`${label} has malformed JSON in ${what} (${(err as Error).message.replace(/\s+/g, ' ').replace(/\.$/, '')}).`);
  }
}

type SampleRanges = { starts: number[]; ends: number[] };
type Layout = { values: Map<string, Range>; samples: SampleRanges };

/** Walks the top-level object: key → value range, and the byte range of every sample. */
function scanTopLevel(file: FileWindow, label: string): Layout {
  try {
    return walk(file, label);
  } catch (err) {
    if (err instanceof JsonScanError) {
      const where = err.offset >= file.size ? 'at its end' : `at byte ${err.offset}`;
      throw new LogFormatError(`${label} is not complete JSON: ${err.message} ${where}.`);
    }
    if (err instanceof SyntaxError) throw new LogFormatError(`${label} is not valid JSON (${err.message.replace(/\.$/, '')}).`);
    throw err;
  }
}

const ignored: ScanFlags = { nonFinite: false };
const space = (f: FileWindow, i: number) => scanAt(f, i, skipSpace);
const value = (f: FileWindow, i: number) => scanAt(f, i, (b, j) => skipValue(b, j, ignored));

function walk(f: FileWindow, label: string): Layout {
  let i = f.at(0) === 0xef && f.at(1) === 0xbb && f.at(2) === 0xbf ? 3 : 0;
  i = space(f, i);
  if (i >= f.size) throw new LogFormatError(`${label} is empty.`);
  if (f.at(i) !== 0x7b) throw new LogFormatError(`${label} is not an Inspect log: it holds ${describeJsonStart(f.at(i)!)}, not a JSON object.`);

  const values = new Map<string, Range>();
  let samples: SampleRanges = { starts: [], ends: [] };
  i = space(f, i + 1);
  if (f.at(i) === 0x7d) return finish(f, i + 1, label, { values, samples });
  for (;;) {
    if (f.at(i) !== 0x22) throw new JsonScanError('expected a key', i);
    const keyEnd = scanAt(f, i, skipString);
    const key = JSON.parse(f.slice(i, keyEnd).toString('utf8')) as string;
    i = space(f, keyEnd);
    if (f.at(i) !== 0x3a) throw new JsonScanError('expected ":"', i);
    i = space(f, i + 1);
    if (i >= f.size) throw new JsonScanError('a value is missing', i);
    if (key === 'samples' && f.at(i) === 0x5b) {
      const found = scanArray(f, i);
      samples = found.ranges;
      values.delete(key);
      i = found.end;
    } else {
      const end = value(f, i);
      if (key === 'samples') {
        if (f.slice(i, end).toString('utf8') !== 'null') throw new LogFormatError(`${label} is not an Inspect log: its "samples" is not a list.`);
        samples = { starts: [], ends: [] };
      } else {
        values.set(key, { start: i, end });
      }
      i = end;
    }
    i = space(f, i);
    if (f.at(i) === 0x2c) {
      i = space(f, i + 1);
      continue;
    }
    if (f.at(i) === 0x7d) return finish(f, i + 1, label, { values, samples });
    throw new JsonScanError(i >= f.size ? 'the text ends inside the log object' : 'expected "," or "}"', i);
  }
}

function scanArray(f: FileWindow, i: number): { ranges: SampleRanges; end: number } {
  const ranges: SampleRanges = { starts: [], ends: [] };
  i = space(f, i + 1);
  if (f.at(i) === 0x5d) return { ranges, end: i + 1 };
  for (;;) {
    if (i >= f.size) throw new JsonScanError('the text ends inside the samples list', i);
    const end = value(f, i);
    ranges.starts.push(i);
    ranges.ends.push(end);
    i = space(f, end);
    if (f.at(i) === 0x2c) {
      i = space(f, i + 1);
      continue;
    }
    if (f.at(i) === 0x5d) return { ranges, end: i + 1 };
    throw new JsonScanError(i >= f.size ? 'the text ends inside the samples list' : 'expected "," or "]" in the samples list', i);
  }
}

function finish(f: FileWindow, i: number, label: string, layout: Layout): Layout {
  if (space(f, i) !== f.size) throw new LogFormatError(`${label} has data after the end of its JSON object.`);
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
