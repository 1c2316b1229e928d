/**
 * A streaming, structure-only JSON scanner over raw bytes. It does not build
 * values: it reports object keys and where values start and end (byte offsets),
 * down to a chosen depth. That is enough to find where each embedded sample
 * sits in a results file (so its bytes can be sliced and parsed on their own)
 * and to read a file's top-level keys from its first bytes (format detection).
 *
 * It is tolerant on purpose: bare NaN / Infinity are just scalars to it, and it
 * never validates; the real parse of each slice reports syntax errors.
 *
 * Depth: the top-level value is depth 0, members of the top-level object or
 * array are depth 1, and so on. Every structural character is ASCII, so byte
 * offsets work on UTF-8 without decoding.
 */

export type ValueKind = 'object' | 'array' | 'string' | 'scalar';

export type ScanListener = {
  /** A key of an object whose members are at `depth`. */
  key?: (depth: number, key: string) => void;
  /** A value at `depth` starts at byte `offset`. */
  valueStart?: (depth: number, offset: number, kind: ValueKind) => void;
  /** The value at `depth` ends just before byte `end` (exclusive). */
  valueEnd?: (depth: number, end: number) => void;
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_KEY_BYTES = 4096;

export class JsonByteScanner {
  /** Open containers: 0x7b '{' or 0x5b '['. */
  private readonly stack: number[] = [];
  /** Current key (objects) per depth, so listeners can ask where they are. */
  private readonly keys: (string | null)[] = [];
  private expectKey = false;
  private inString = false;
  private stringIsKey = false;
  private stringDepth = 0;
  private escape = false;
  private keyBytes: number[] = [];
  private inScalar = false;
  private stopped = false;
  private bsChunk: Uint8Array | null = null;
  private bsPos = -1;
  /** How many top-level values have ended (JSON Lines: one per line). */
  topLevelValuesEnded = 0;

  constructor(
    private readonly listener: ScanListener,
    /** Report events only for values and keys at depth ≤ this. */
    private readonly maxDepth: number,
  ) {}

  /** Key of the member at `depth` currently being read (null inside arrays). */
  keyAt(depth: number): string | null {
    return this.keys[depth] ?? null;
  }

  get depth(): number {
    return this.stack.length;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Ends the scan: later feed() calls return at once. */
  stop(): void {
    this.stopped = true;
  }

  /** Feeds the next bytes; `base` is the file offset of chunk[0]. */
  feed(chunk: Uint8Array, base: number): void {
    const n = chunk.length;
    // A UTF-8 byte order mark is not JSON but editors write it.
    let i = base === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
    while (i < n && !this.stopped) {
      if (this.inString) {
        i = this.continueString(chunk, i, base);
        continue;
      }
      const c = chunk[i]!;
      if (this.inScalar) {
        if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          this.inScalar = false;
          this.endValue(this.stack.length, base + i);
          continue; // the delimiter itself is handled below on the next turn
        }
        i++;
        continue;
      }
      switch (c) {
        case 0x20:
        case 0x0a:
        case 0x0d:
        case 0x09:
        case 0x3a /* : */:
          if (c === 0x3a) this.expectKey = false;
          break;
        case 0x2c /* , */:
          this.expectKey = this.stack[this.stack.length - 1] === 0x7b;
          break;
        case 0x7b /* { */:
        case 0x5b /* [ */: {
          const depth = this.stack.length;
          if (depth <= this.maxDepth) this.listener.valueStart?.(depth, base + i, c === 0x7b ? 'object' : 'array');
          this.stack.push(c);
          this.keys[depth + 1] = null;
          this.expectKey = c === 0x7b;
          break;
        }
        case 0x7d /* } */:
        case 0x5d /* ] */:
          this.stack.pop();
          this.expectKey = false;
          this.endValue(this.stack.length, base + i + 1);
          break;
        case QUOTE: {
          const depth = this.stack.length;
          this.inString = true;
          this.escape = false;
          this.stringDepth = depth;
          this.stringIsKey = this.expectKey && this.stack[depth - 1] === 0x7b;
          if (this.stringIsKey) this.keyBytes = [];
          else if (depth <= this.maxDepth) this.listener.valueStart?.(depth, base + i, 'string');
          break;
        }
        default: {
          const depth = this.stack.length;
          this.inScalar = true;
          if (depth <= this.maxDepth) this.listener.valueStart?.(depth, base + i, 'scalar');
        }
      }
      i++;
    }
  }

  /** Call at end of input: closes a scalar that ran to the last byte. */
  end(fileSize: number): void {
    if (this.inScalar && !this.stopped) {
      this.inScalar = false;
      this.endValue(this.stack.length, fileSize);
    }
  }

  private endValue(depth: number, end: number): void {
    if (depth <= this.maxDepth) this.listener.valueEnd?.(depth, end);
    if (depth === 0) this.topLevelValuesEnded++;
  }

  /** Reads string bytes from i; returns the index after what it consumed. */
  private continueString(chunk: Uint8Array, start: number, base: number): number {
    const n = chunk.length;
    const collect = this.stringIsKey && this.stringDepth <= this.maxDepth;
    let i = start;
    if (!collect && !this.escape) {
      // Fast path: jump to the next quote or backslash. The next backslash is
      // cached per chunk: searching for it from every string start would scan
      // the rest of a backslash-free chunk again and again.
      if (this.bsChunk !== chunk || (this.bsPos !== -1 && this.bsPos < i)) {
        this.bsChunk = chunk;
        this.bsPos = chunk.indexOf(BACKSLASH, i);
      }
      const q = chunk.indexOf(QUOTE, i);
      const b = this.bsPos;
      const next = q === -1 ? b : b === -1 ? q : Math.min(q, b);
      if (next === -1) return n;
      i = next;
    }
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (this.escape) {
        this.escape = false;
        if (collect) this.pushKeyByte(c);
        continue;
      }
      if (c === BACKSLASH) {
        this.escape = true;
        if (collect) this.pushKeyByte(c);
        continue;
      }
      if (c === QUOTE) {
        this.inString = false;
        if (this.stringIsKey) {
          if (collect) {
            const key = decodeKey(this.keyBytes);
            this.keys[this.stringDepth] = key;
            this.listener.key?.(this.stringDepth, key);
          }
        } else {
          this.endValue(this.stringDepth, base + i + 1);
        }
        return i + 1;
      }
      if (collect) this.pushKeyByte(c);
      else return i; // back to the fast path
    }
    return n;
  }

  private pushKeyByte(c: number): void {
    if (this.keyBytes.length < MAX_KEY_BYTES) this.keyBytes.push(c);
  }
}

function decodeKey(bytes: number[]): string {
  const raw = Buffer.from(bytes).toString('utf8');
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
