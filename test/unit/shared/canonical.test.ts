import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../shared/canonical';
import { encodeNonFinite } from '../../../shared/numbers';
import { seededRandom } from '../../helpers/rng';

/** What canonicalJson wrote before its own serializer: the package over the encoded copy. */
function reference(value: unknown): string {
  const text = canonicalize(encodeNonFinite(value));
  if (text === undefined) throw new Error('Value cannot be represented as canonical JSON');
  return text;
}


const NUMBERS = [
  0, -0, 1, -1, 0.1, 0.2 + 0.1, 1e21, 1e20, -1e21, 1e-6, 1e-7, 1.5e-7, 123456789012345680000, 5e-324, -5e-324,
  Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53 + 2, 333333333.3333333,
  Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
];
// Quotes, backslashes, controls, DEL, Latin-1, BMP (incl. U+2028/9, U+FFFF) and astral characters as surrogate pairs.
const PIECES = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\b', '\f', '\r', '\u0000', '\u001f', '\u007f', 'é', '\u00ff', '€',
  '\u2028', '\u2029', '\ufeff', '\uffff', '日本', '😀', '\u{10ffff}', 'ü', 'NaN', '-Infinity'];

function randomString(r: () => number, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

function randomNumber(r: () => number): number {
  const pick = r();
  if (pick < 0.4) return NUMBERS[Math.floor(r() * NUMBERS.length)]!;
  if (pick < 0.6) return Math.floor((r() - 0.5) * 2 ** 40);
  // Any double from random bits (exponent anywhere), skipping non-finite ones the list already covers.
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, Math.floor(r() * 2 ** 32));
  view.setUint32(4, Math.floor(r() * 2 ** 32));
  const d = view.getFloat64(0);
  return Number.isFinite(d) ? d : r();
}

function randomValue(r: () => number, depth: number): unknown {
  const pick = r() * (depth > 3 ? 6 : 8);
  if (pick < 1) return null;
  if (pick < 2) return r() < 0.5;
  if (pick < 3.5) return randomNumber(r);
  if (pick < 6) return randomString(r, 12);
  if (pick < 7) return Array.from({ length: Math.floor(r() * 5) }, () => (r() < 0.05 ? undefined : randomValue(r, depth + 1)));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) o[randomString(r, 4)] = r() < 0.05 ? undefined : randomValue(r, depth + 1);
  return o;
}

describe('canonicalJson', () => {
  it('writes the same bytes as the canonicalize package on varied data', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const value = randomValue(seededRandom(seed), 0);
      expect(canonicalJson(value), `seed ${seed}`).toBe(reference(value));
    }
  });

  it('matches the package on the edge cases RFC 8785 names', () => {
    const cases: unknown[] = [
      NUMBERS,
      { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\u{1f600}': 'Emoji', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' },
      { b: { d: [3, { z: 1, a: -0 }], c: 1e21 }, a: [0.1, 1e-7, 'x'] },
      { kept: 1, skipped: undefined, list: [undefined, 2] },
      Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
      'plain', 42, true, null, [],
      {},
    ];
    for (const value of cases) expect(canonicalJson(value)).toBe(reference(value));
  });

  it('rejects what the package rejects: lone surrogates and undefined', () => {
    for (const bad of ['\ud800', 'a\udc00b', { ['\ud83d']: 1 }, ['ok', '\udfff']]) {
      expect(() => reference(bad)).toThrow();
      expect(() => canonicalJson(bad)).toThrow();
    }
    expect(() => canonicalJson(undefined)).toThrow();
  });
});

describe('canonicalJson beyond plain data', () => {
  it('hands other values to the package and keeps its answers', () => {
    class Point {
      constructor(
        readonly y: number,
        readonly x: number,
      ) {}
    }
    const odd: unknown[] = [new Point(2, 1), { at: new Point(0, -0) }, [new Point(1, 2)], { f: () => 1 }, [() => 1, 2], { n: 1, toJSON: () => ({ b: 1, a: 2 }) }];
    for (const value of odd) expect(canonicalJson(value)).toBe(reference(value));
    for (const bad of [() => 1, Symbol('s'), 10n, { big: 1n }]) {
      expect(() => reference(bad)).toThrow();
      expect(() => canonicalJson(bad)).toThrow();
    }
  });
});

describe('canonicalJson of data already in canonical order', () => {
  it('writes canonical text parsed back exactly as it was, as the package does', () => {
    let checked = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const value = randomValue(seededRandom(seed), 0);
      let text: string;
      try {
        text = canonicalJson(value);
      } catch {
        continue; // lone surrogates: no canonical text
      }
      // A verifier's case: the record's text parsed, its keys in the text's order.
      const parsed: unknown = JSON.parse(text);
      expect(canonicalJson(parsed), `seed ${seed}`).toBe(text);
      expect(reference(parsed), `seed ${seed}`).toBe(text);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('still sorts, encodes and refuses where the text was not canonical', () => {
    const cases: [string, string][] = [
      ['{"b":1,"a":2}', '{"a":2,"b":1}'],
      ['{"a":1,"a":2}', '{"a":2}'],
      ['{"a": 1.0}', '{"a":1}'],
      ['{"a":-0}', '{"a":0}'],
      ['{"a":1e999}', '{"a":"Infinity"}'],
      ['{"a":"\\u0041"}', '{"a":"A"}'],
      ['{"9":2,"10":1}', '{"10":1,"9":2}'], // "10" sorts first by code unit, though the runtime iterates 9 first
      ['{"b":[{"d":1,"c":2}],"a":null}', '{"a":null,"b":[{"c":2,"d":1}]}'],
    ];
    for (const [text, canonical] of cases) {
      const parsed: unknown = JSON.parse(text);
      expect([text, canonicalJson(parsed)]).toEqual([text, canonical]);
      expect(reference(parsed)).toBe(canonical);
    }
    expect(() => canonicalJson(JSON.parse('{"a":"\\ud800"}'))).toThrow(/Lone surrogate/);
  });
});
