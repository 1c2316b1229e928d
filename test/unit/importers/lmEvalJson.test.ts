import { describe, expect, it } from 'vitest';
import { parseJsonWithNonFinite } from '../../../main/importers/jsonWithNonFinite';
import { JsonByteScanner } from '../../../main/importers/lmEval/jsonByteScanner';

describe('parseJsonWithNonFinite', () => {
  it('reads bare NaN, Infinity and -Infinity as non-finite numbers, not null or 0', () => {
    const v = parseJsonWithNonFinite('{"a": NaN, "b": Infinity, "c": -Infinity, "d": [NaN, 1, -Infinity]}') as Record<string, unknown>;
    expect(v.a).toBeNaN();
    expect(v.b).toBe(Number.POSITIVE_INFINITY);
    expect(v.c).toBe(Number.NEGATIVE_INFINITY);
    expect(v.d).toEqual([Number.NaN, 1, Number.NEGATIVE_INFINITY]);
  });

  it('leaves the words inside strings alone, escaped quotes and backslashes included', () => {
    const text = String.raw`{"s": "NaN", "t": "say \"Infinity\" -Infinity", "u": "C:\\", "v": NaN, "w": "NaNNaN"}`;
    const v = parseJsonWithNonFinite(text) as Record<string, unknown>;
    expect(v.s).toBe('NaN');
    expect(v.t).toBe('say "Infinity" -Infinity');
    expect(v.u).toBe('C:\\');
    expect(v.v).toBeNaN();
    expect(v.w).toBe('NaNNaN');
  });

  it('is plain JSON.parse for ordinary JSON and still rejects broken JSON', () => {
    expect(parseJsonWithNonFinite('{"a": [1, "x", null, true]}')).toEqual({ a: [1, 'x', null, true] });
    expect(() => parseJsonWithNonFinite('{"a": NaN,')).toThrow(SyntaxError);
    expect(() => parseJsonWithNonFinite('{"a": nan}')).toThrow(SyntaxError);
  });

  it('does not confuse a string that happens to look like its internal marker with a number', () => {
    const v = parseJsonWithNonFinite('{"a": "\\u0000nonfinite:0000000000000000:NaN", "b": NaN}') as Record<string, unknown>;
    expect(v.a).toBe('\u0000nonfinite:0000000000000000:NaN');
    expect(v.b).toBeNaN();
  });
});

describe('JsonByteScanner', () => {
  type Event = [string, number, number | string];
  const scan = (text: string, maxDepth: number, chunkSize: number): Event[] => {
    const events: Event[] = [];
    const s = new JsonByteScanner(
      {
        key: (d, k) => events.push(['key', d, k]),
        valueStart: (d, o) => events.push(['start', d, o]),
        valueEnd: (d, e) => events.push(['end', d, e]),
      },
      maxDepth,
    );
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i += chunkSize) s.feed(bytes.subarray(i, i + chunkSize), i);
    s.end(bytes.length);
    return events;
  };

  it('reports byte ranges that slice back to each value, whatever the chunking', () => {
    const text = '{"a": {"k\\"ey": "x}]\\\\", "n": -1.5e3}, "日本": [1, NaN, {"z": "Straße"}], "t": true}';
    const bytes = Buffer.from(text, 'utf8');
    const reference = scan(text, 2, bytes.length);
    for (const size of [1, 2, 3, 7]) expect(scan(text, 2, size)).toEqual(reference);

    // Pair starts and ends per depth and check each slice parses as JSON on its own.
    const open: number[][] = [];
    const slices: string[] = [];
    for (const [type, depth, pos] of reference) {
      if (type === 'start') (open[depth] ??= []).push(pos as number);
      if (type === 'end') slices.push(bytes.subarray(open[depth]!.pop(), pos as number).toString('utf8'));
    }
    expect(slices).toContain('"x}]\\\\"');
    expect(slices).toContain('-1.5e3');
    expect(slices).toContain('{"z": "Straße"}');
    expect(slices).toContain('NaN');
    expect(slices[slices.length - 1]).toBe(text);
    expect(reference.filter((e) => e[0] === 'key').map((e) => e[2])).toEqual(['a', 'k"ey', 'n', '日本', 't']);
  });
});
