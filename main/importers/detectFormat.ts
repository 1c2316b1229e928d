/**
 * Which log format a file holds, from its content (never its name):
 *  - ZIP (`PK\x03\x04`) holding header.json, _journal/start.json or samples/… → inspect-eval
 *  - JSON object with top-level `version` and `eval`                        → inspect-json
 *  - JSON object with `results` and `configs` | `versions` | `config`       → lm-eval-results
 *  - JSON (Lines) whose first object has `doc_id`                           → lm-eval-samples
 * Everything else is refused with one sentence naming the file, including
 * the two Inspect files people mistake for logs (logs.json, eval-set.json).
 *
 * Only the first bytes are read (64 KiB at a time, until the top-level keys
 * decide), plus a ZIP's central directory names.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import yauzl from 'yauzl';
import { parseJsonWithNonFinite } from './jsonWithNonFinite';
import { JsonByteScanner } from './lmEval/jsonByteScanner';
import { LogFormatError, type SourceFormat } from './types';

const CHUNK = 64 * 1024;
/** Give up looking for deciding keys after this many bytes. */
const MAX_SCAN = 8 * 1024 * 1024;
const FORMATS = 'Inspect .eval/.json, lm-eval results/samples';

export type DetectedFormat = { format: SourceFormat };

export async function detectFormat(path: string): Promise<DetectedFormat> {
  const name = basename(path);
  const handle = await open(path, 'r');
  try {
    if ((await handle.stat()).isDirectory()) throw new LogFormatError(`${name} is a folder, not a log file; import the log files inside it.`);
    const head = await readAt(handle, 0, CHUNK);
    if (head.length === 0 || isBlank(head)) throw new LogFormatError(`${name} is empty: there is nothing to import.`);
    // PK\x03\x04: a local file header; PK\x05\x06: an empty archive's end record.
    if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06))) {
      return await detectZip(path, name);
    }
    if (looksBinary(head)) throw new LogFormatError(`${name} is binary data, not a format EvalNotes imports (${FORMATS}).`);
    return await detectJson(handle, name, head);
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------- ZIP

async function detectZip(path: string, name: string): Promise<DetectedFormat> {
  let names: string[];
  try {
    names = await zipMemberNames(path);
  } catch {
    throw new LogFormatError(`${name} looks like a ZIP archive but its directory cannot be read (the file is truncated or damaged).`);
  }
  if (names.some((n) => n === 'header.json' || n === '_journal/start.json' || n.startsWith('samples/'))) {
    return { format: 'inspect-eval' };
  }
  if (names.includes('bundle.json') && names.includes('bundle.dsse.json')) {
    throw new LogFormatError(`${name} is an EvalNotes bundle, not a log; ingest it instead of importing it.`);
  }
  throw new LogFormatError(`${name} is a ZIP archive but not an Inspect .eval log (it has no header.json, _journal/ or samples/ inside).`);
}

/** Member names from the central directory, stopping early once an Inspect marker shows up. */
function zipMemberNames(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, decodeStrings: true, validateEntrySizes: false }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        if (entry.fileName === 'header.json' || entry.fileName === '_journal/start.json' || entry.fileName.startsWith('samples/')) {
          zip.close();
          resolve(names);
        } else zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

// ---------------------------------------------------------------- JSON

type Decision = { format: SourceFormat } | { refuse: string };

async function detectJson(handle: FileHandle, name: string, head: Buffer): Promise<DetectedFormat> {
  const first = firstNonSpace(head);
  const c = String.fromCharCode(head[first]!);
  if (c !== '{') {
    const kind = c === '[' ? 'array' : c === '"' ? 'string' : /[-0-9]/.test(c) ? 'number' : /[tfn]/.test(c) ? 'literal' : null;
    if (kind !== null && head.length < CHUNK && !isJson(head)) {
      throw new LogFormatError(`${name} is not a format EvalNotes imports (${FORMATS}).`);
    }
    if (kind === 'array' || kind === 'string' || kind === 'number') {
      throw new LogFormatError(`${name} holds a JSON ${kind}, not a format EvalNotes imports (${FORMATS}).`);
    }
    if (kind === 'literal') throw new LogFormatError(`${name} holds a bare JSON value, not a format EvalNotes imports (${FORMATS}).`);
    throw new LogFormatError(`${name} is not a format EvalNotes imports (${FORMATS}).`);
  }

  const top = new Set<string>();
  /** depth-2 keys per top-level key (to recognise logs.json: file name → log header). */
  const second = new Map<string, Set<string>>();
  let decision: Decision | null = null;
  const decide = (d: Decision) => {
    decision ??= d;
    scanner.stop();
  };
  const scanner: JsonByteScanner = new JsonByteScanner(
    {
      key(depth, key) {
        if (scanner.topLevelValuesEnded > 0) return; // JSON Lines: only the first object counts
        if (depth === 1) {
          top.add(key);
          const d = decideTop(top, name);
          if (d) decide(d);
        } else if (depth === 2) {
          const parent = scanner.keyAt(1) ?? '';
          let set = second.get(parent);
          if (!set) second.set(parent, (set = new Set()));
          set.add(key);
          if (parent !== 'eval' && set.has('eval') && (set.has('version') || set.has('status'))) {
            decide({ refuse: `${name} is an Inspect log-directory index (logs.json), not a log; import the .eval or .json files it lists.` });
          }
        }
      },
      valueEnd(depth) {
        if (depth === 0) scanner.stop();
      },
    },
    2,
  );

  let offset = 0;
  let chunk = head;
  for (;;) {
    scanner.feed(chunk, offset);
    offset += chunk.length;
    if (scanner.isStopped || chunk.length < CHUNK || offset >= MAX_SCAN) break;
    chunk = await readAt(handle, offset, CHUNK);
    if (chunk.length === 0) break;
  }
  scanner.end(offset);

  const d = decision as Decision | null;
  if (d && 'format' in d) return { format: d.format };
  if (d) throw new LogFormatError(d.refuse);
  // Scanned past the cap with `results` first: lm-eval writes results before everything else.
  if (offset >= MAX_SCAN && top.has('results')) return { format: 'lm-eval-results' };
  if (scanner.topLevelValuesEnded === 0 && scanner.depth > 0 && offset < MAX_SCAN) {
    throw new LogFormatError(`${name} ends before its JSON is complete, so its format cannot be recognised.`);
  }
  throw new LogFormatError(`${name} is a JSON object but not a format EvalNotes imports (${FORMATS}).`);
}

function decideTop(top: ReadonlySet<string>, name: string): Decision | null {
  if (top.has('version') && top.has('eval')) return { format: 'inspect-json' };
  if (top.has('results') && (top.has('configs') || top.has('versions') || top.has('config'))) return { format: 'lm-eval-results' };
  if (top.has('doc_id')) return { format: 'lm-eval-samples' };
  if (top.has('eval_set_id') && top.has('tasks')) {
    return { refuse: `${name} is an Inspect eval-set manifest (eval-set.json), not a log; import the .eval or .json files in its folder.` };
  }
  return null;
}

// ---------------------------------------------------------------- bytes

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

function firstNonSpace(buf: Buffer): number {
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  return i;
}

function isBlank(buf: Buffer): boolean {
  return firstNonSpace(buf) >= buf.length;
}

/** NUL bytes, or bytes that are not UTF-8 (a cut multi-byte character at the end is allowed). */
function looksBinary(buf: Buffer): boolean {
  if (buf.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: true });
    return false;
  } catch {
    return true;
  }
}

function isJson(buf: Buffer): boolean {
  try {
    parseJsonWithNonFinite(buf.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
