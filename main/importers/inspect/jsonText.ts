/**
 * JSON helpers for logs that are too big to parse whole and not quite JSON:
 * a byte scanner that finds where a value ends without building it (so a
 * 200 MB log can be cut into per-sample slices for `JSON.parse`), and a
 * parse that accepts the bare NaN / Infinity / -Infinity constants Python
 * writes (Inspect marks unscored samples with NaN) and keeps them non-finite.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const UPPER_N = 0x4e;
const UPPER_I = 0x49;

/** Thrown by the scanner; callers turn it into a sentence naming their file. */
export class JsonScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** The bytes ran out (more of the file may complete the value), as opposed to a wrong byte. */
    readonly ranOut = false,
  ) {
    super(message);
  }
}

/** What the scanner noticed while skipping a value. */
export type ScanFlags = { nonFinite: boolean };

export function isJsonSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isJsonSpace(b[i])) i++;
  return i;
}

/** `i` is at an opening quote; returns the index just past the closing quote. */
export function skipString(b: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    // indexOf is native (memchr): long strings, the bulk of a log, cost little.
    const q = b.indexOf(QUOTE, from);
    if (q < 0) throw new JsonScanError('the text ends inside a string', i, true);
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    // An even run of backslashes escapes itself, not the quote.
    if ((q - 1 - k) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/**
 * `i` is at the first byte of a value; returns the index just past it. Only
 * strings and nesting are tracked: `JSON.parse` of the slice checks the rest.
 */
export function skipValue(b: Buffer, i: number, flags: ScanFlags): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    const n = b.length;
    while (i < n) {
      const x = b[i]!;
      if (x === QUOTE) {
        i = skipString(b, i);
        continue;
      }
      if (x === OPEN_BRACE || x === OPEN_BRACKET) depth++;
      else if (x === CLOSE_BRACE || x === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      } else if (x === UPPER_N || x === UPPER_I) flags.nonFinite = true;
      i++;
    }
    throw new JsonScanError('the text ends inside an object or list', n, true);
  }
  const start = i;
  while (i < b.length) {
    const x = b[i]!;
    if (x === COMMA || x === CLOSE_BRACE || x === CLOSE_BRACKET || isJsonSpace(x)) break;
    if (x === UPPER_N || x === UPPER_I) flags.nonFinite = true;
    i++;
  }
  if (i === start) throw new JsonScanError('a value is missing', start);
  return i;
}
