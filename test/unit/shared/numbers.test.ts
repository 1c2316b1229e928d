import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../shared/canonical';
import { decodeNumber, encodeNonFinite, encodeNumber, num, stringifyJson } from '../../../shared/numbers';

describe('non-finite number codec', () => {
  it.each([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('writes %s as the string %s and reads it back', (value, text) => {
    expect(encodeNumber(value)).toBe(text);
    expect(Object.is(decodeNumber(text as 'NaN'), value)).toBe(true);
    expect(Object.is(num().parse(text), value)).toBe(true);
  });

  it('leaves finite numbers, including -0 and tiny values, as numbers', () => {
    for (const n of [0, 1, -1.5, 1e-300, Number.MAX_SAFE_INTEGER]) {
      expect(encodeNumber(n)).toBe(n);
      expect(num().parse(n)).toBe(n);
    }
  });

  it('round-trips nested records through JSON text', () => {
    const record = { metrics: [{ accuracy: Number.NaN, stderr: Number.POSITIVE_INFINITY }], score: 0.41, name: 'NaN' };
    const text = stringifyJson(record);
    expect(text).toBe('{"metrics":[{"accuracy":"NaN","stderr":"Infinity"}],"score":0.41,"name":"NaN"}');
    const back = JSON.parse(text) as { metrics: { accuracy: string; stderr: string }[]; score: number };
    expect(Number.isNaN(num().parse(back.metrics[0]?.accuracy))).toBe(true);
    expect(num().parse(back.metrics[0]?.stderr)).toBe(Number.POSITIVE_INFINITY);
  });

  it('never lets the canonicalizer see a raw NaN', () => {
    expect(canonicalJson({ b: Number.NaN, a: -Infinity })).toBe('{"a":"-Infinity","b":"NaN"}');
    expect(encodeNonFinite([1, Number.NaN])).toEqual([1, 'NaN']);
  });

  it('refuses strings that are not one of the three forms', () => {
    for (const bad of ['nan', 'inf', '1', '', null, undefined, {}]) expect(num().safeParse(bad).success).toBe(false);
  });
});
