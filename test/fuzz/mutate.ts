/**
 * Mutations of real input bytes for the fuzz targets: blind byte mutations
 * (flips, truncation, insertion, duplication) and JSON-aware ones that keep
 * the text parseable often enough to reach the mappers behind the parser
 * (wrong types, dropped keys, huge numbers, NaN/Infinity literals, deep
 * nesting, long strings).
 */
import fc from 'fast-check';
import { parseJsonWithNonFinite } from '../../main/importers/jsonWithNonFinite';

type ByteEdit =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'remove'; at: number; length: number };

// Bytes that matter to parsers more than random ones do.
const interesting = fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x0a, 0x50, 0x4b);

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: interesting }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 256 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }) },
);

function applyByteEdit(b: Buffer, e: ByteEdit): Buffer {
  if (e.kind === 'append') return Buffer.concat([b, e.bytes]);
  if (b.length === 0) return e.kind === 'insert' ? Buffer.from(e.bytes) : b;
  const at = e.at % b.length;
  switch (e.kind) {
    case 'flip': {
      const out = Buffer.from(b);
      out[at] = out[at]! ^ e.xor;
      return out;
    }
    case 'set': {
      const out = Buffer.from(b);
      out[at] = e.byte;
      return out;
    }
    case 'truncate':
      return b.subarray(0, at);
    case 'insert':
      return Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)]);
    case 'duplicate':
      return Buffer.concat([b.subarray(0, at + e.length), b.subarray(at)]);
    case 'remove':
      return Buffer.concat([b.subarray(0, at), b.subarray(at + e.length)]);
  }
}

/** One to four blind byte edits of `base`. */
export function mutatedBytes(base: Buffer): fc.Arbitrary<Buffer> {
  return fc.array(byteEdit, { minLength: 1, maxLength: 4 }).map((edits) => edits.reduce(applyByteEdit, base));
}

// ---------------------------------------------------------------- JSON

/** A value spliced into JSON text as it is (placeholders survive JSON.stringify). */
const RAW = '\u0000raw:';
const raw = (text: string) => `${RAW}${text}`;

const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    [],
    {},
    [null],
    { '': null },
    '1970-01-01T00:00:00Z',
    'not a date',
    '__proto__',
    'constructor',
    raw('NaN'),
    raw('Infinity'),
    raw('-Infinity'),
    raw('1e999999'),
    raw('-0'),
    raw('123456789012345678901234567890'),
  ),
  fc.integer({ min: 1, max: 5000 }).map((n) => raw('['.repeat(n) + ']'.repeat(n))),
  fc.integer({ min: 1, max: 5000 }).map((n) => raw('{"a":'.repeat(n) + '0' + '}'.repeat(n))),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Path = (string | number)[];

function pathsOf(value: unknown, limit = 2000): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: Path, depth: number) => {
    if (out.length >= limit || depth > 12) return;
    out.push(path);
    if (ArrayBuffer.isView(v)) return; // bytes are one value: replaced or dropped whole
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i], depth + 1));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k], depth + 1);
  };
  walk(value, [], 0);
  return out;
}

type JsonEdit = { kind: 'replace'; value: unknown } | { kind: 'drop' } | { kind: 'wrap' } | { kind: 'addKey'; key: string; value: unknown };

const jsonEdit: fc.Arbitrary<{ pick: number; edit: JsonEdit }> = fc.record({
  pick: fc.nat(),
  edit: fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), value: nasty }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('addKey' as const), key: fc.string({ maxLength: 12 }), value: nasty }) },
  ),
});

function applyJsonEdit(root: unknown, pick: number, edit: JsonEdit): unknown {
  const paths = pathsOf(root);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) {
    if (edit.kind === 'replace') return edit.value;
    if (edit.kind === 'wrap') return [root];
    if (edit.kind === 'addKey' && root && typeof root === 'object' && !Array.isArray(root)) return { ...root, [edit.key]: edit.value };
    return root;
  }
  const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (edit.kind === 'replace') parent[key] = edit.value;
  else if (edit.kind === 'wrap') parent[key] = [parent[key]];
  else if (edit.kind === 'addKey') {
    const target = parent[key];
    if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[edit.key] = edit.value;
  } else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return root;
}

/** JSON text with non-finite numbers and raw splices written as bare tokens. */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? raw(String(v)) : v)) ?? 'null';
  // A placeholder is a JSON string "\u0000raw:…": put its content back unquoted.
  return text.replace(/"\\u0000raw:((?:[^"\\]|\\.)*)"/g, (_m, body: string) => JSON.parse(`"${body}"`) as string);
}

/** One to three JSON-aware edits of the JSON value in `text`. */
export function mutatedJson(text: string): fc.Arbitrary<Buffer> {
  const base = parseJsonWithNonFinite(text);
  return fc.array(jsonEdit, { minLength: 1, maxLength: 3 }).map((edits) => {
    const value = edits.reduce((v, { pick, edit }) => applyJsonEdit(v, pick, edit), structuredClone(base));
    return Buffer.from(jsonText(value));
  });
}

/** JSON Lines: one line edited JSON-aware, the rest kept. */
export function mutatedJsonl(text: string): fc.Arbitrary<Buffer> {
  const lines = text.split('\n');
  const nonEmpty = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim() !== '');
  return fc.record({ line: fc.nat(), edits: fc.array(jsonEdit, { minLength: 1, maxLength: 3 }) }).map(({ line, edits }) => {
    const [l, i] = nonEmpty[line % nonEmpty.length]!;
    const value = edits.reduce((v, { pick, edit }) => applyJsonEdit(v, pick, edit), parseJsonWithNonFinite(l));
    const out = [...lines];
    out[i] = jsonText(value);
    return Buffer.from(out.join('\n'));
  });
}

/** Blind and JSON-aware mutations of a JSON (or JSON Lines) file, half each. */
export function mutatedJsonFile(bytes: Buffer, lines = false): fc.Arbitrary<Buffer> {
  const text = bytes.toString('utf8');
  return fc.oneof(mutatedBytes(bytes), lines ? mutatedJsonl(text) : mutatedJson(text));
}

/** One to three edits of a JS value (an API input), as JSON-aware mutation does to a file; non-finite numbers stay numbers. */
export function mutatedValue(value: unknown): fc.Arbitrary<unknown> {
  const unraw = (v: unknown): unknown => {
    if (typeof v !== 'string' || !v.startsWith(RAW)) return v;
    const text = v.slice(RAW.length);
    return text === 'NaN' ? Number.NaN : text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : text;
  };
  return fc.array(jsonEdit, { minLength: 1, maxLength: 3 }).map((edits) =>
    edits.reduce<unknown>((v, { pick, edit }) => applyJsonEdit(v, pick, 'value' in edit ? { ...edit, value: unraw(edit.value) } : edit), structuredClone(value)),
  );
}
