import { describe, expect, it } from 'vitest';
import { countFrames } from '../../bench/browserTools';
import { benchRow, formatMachine, formatTable, verdictOf, type BenchRow } from '../../bench/table';

/** Rows as the benches make them: one per kind of verdict the table can give. */
const ROWS: BenchRow[] = [
  benchRow({ bench: 'coldstart', name: 'serve host start → first render', figure: 1.8, unit: 's', reference: 0.6, targets: [{ of: 'figure', op: '<', value: 3 }] }),
  benchRow({ bench: 'import', name: '(c) parse and rows, JSON log', figure: 40, unit: 'MB/s', reference: 100, targets: [{ of: 'ratio', op: '>=', value: 0.5 }] }),
  benchRow({
    bench: 'search',
    name: 'query p95, all',
    figure: 11,
    unit: 'ms',
    reference: 5,
    targets: [
      { of: 'figure', op: '<', value: 16 },
      { of: 'ratio', op: '<=', value: 1.5 },
    ],
  }),
  benchRow({ bench: 'bundles', name: 'export throughput', figure: 460, unit: 'MB/s', reference: 1000, ratio: 0.47, targets: [{ of: 'ratio', op: '>=', value: 0.5 }] }),
  benchRow({ bench: 'table', name: 'frames dropped scrolling it', figure: 2, unit: '%', reference: 0, targets: [{ of: 'figure', op: '<', value: 5 }] }),
  benchRow({ bench: 'table', name: 'serve RSS', figure: null, unit: 'MB', targets: [{ of: 'figure', op: '<', value: 300 }] }),
  benchRow({ bench: 'summary', name: "(a') the same without the summary's index", figure: 88, unit: 'ms', reference: 10.5 }),
  benchRow({ bench: 'summary', name: 'did not complete (see above)', figure: null, unit: '' }),
];

describe('the one bench table', () => {
  it('prints every row with its figure, target, reference, ratio and verdict', () => {
    const lines = formatTable(ROWS);
    const body = lines.slice(2, -1);
    expect(lines[0]).toMatch(/^bench\s+row\s+figure\s+unit\s+target\s+reference\s+ratio\s+verdict$/);
    expect(body).toHaveLength(ROWS.length);
    const cells = (line: string) => line.split(/\s{2,}/);
    expect(cells(body[0]!)).toEqual(['coldstart', 'serve host start → first render', '1.80', 's', '< 3 s', '0.600', '3.00x', 'met']);
    // 40 MB/s against 100 is 0.4x: below the 0.5x the target asks.
    expect(cells(body[1]!)).toEqual(['import', '(c) parse and rows, JSON log', '40.0', 'MB/s', '>= 0.5x', '100', '0.40x', 'gap']);
    expect(cells(body[2]!)).toEqual(['search', 'query p95, all', '11.0', 'ms', '< 16 ms and <= 1.5x', '5.00', '2.20x', 'gap']);
    // The bench's own ratio (a median of pairs) is printed and judged, not figure / reference.
    expect(cells(body[3]!)).toEqual(['bundles', 'export throughput', '460', 'MB/s', '>= 0.5x', '1,000', '0.47x', 'gap']);
    // Nothing to divide by: no ratio, but the figure's own target still judges it.
    expect(cells(body[4]!)).toEqual(['table', 'frames dropped scrolling it', '2.00', '%', '< 5 %', '0', '-', 'met']);
    expect(cells(body[5]!)).toEqual(['table', 'serve RSS', '-', 'MB', '< 300 MB', '-', '-', 'not measured']);
    expect(cells(body[6]!)).toEqual(['summary', "(a') the same without the summary's index", '88.0', 'ms', '10.5', '8.38x', '-']);
    expect(body[7]).toMatch(/^summary\s+did not complete \(see above\)\s+-\s+-\s+-\s+not measured$/);
    expect(lines.at(-1)).toMatch(/^8 rows: 2 targets met, 3 gaps, 2 not measured;/);
  });

  it('judges a row only by its targets, each on the figure or the ratio it names', () => {
    const row = (figure: number, reference: number) =>
      benchRow({
        bench: 'search',
        name: 'p95',
        figure,
        unit: 'ms',
        reference,
        targets: [
          { of: 'figure', op: '<', value: 16 },
          { of: 'ratio', op: '<=', value: 1.5 },
        ],
      });
    expect(verdictOf(row(12, 10))).toBe('met');
    expect(verdictOf(row(16, 20))).toBe('gap');
    expect(verdictOf(row(12, 6))).toBe('gap');
    expect(verdictOf(row(15, 10))).toBe('met');
    // A ratio target with no reference cannot be judged.
    expect(verdictOf(row(12, 0))).toBe('not measured');
  });

  it('names the machine and the load before and after', () => {
    const lines = formatMachine({ cores: 2, model: 'AMD EPYC', ramBytes: 8 * 2 ** 30, node: 'v20.19.0', kernel: '6.1.0', loadBefore: [1.5, 1, 0.5], loadAfter: [2.25, 1.5, 1], browser: 'Chromium 156.0' });
    expect(lines[0]).toBe('machine: 2 cores, AMD EPYC, 8.0 GiB RAM; Node v20.19.0; Linux 6.1.0; Chromium 156.0');
    expect(lines[1]).toMatch(/^load average \(1, 5, 15 min\): 1\.50 1\.00 0\.50 before, 2\.25 1\.50 1\.00 after/);
  });
});

describe('counting dropped frames', () => {
  it('counts each 60 Hz frame missing from a gap over 1.5 frames', () => {
    // Six frames on time, then gaps of 2, 3 and 1.4 frames.
    const f = 1000 / 60;
    const stamps = [0, 1, 2, 3, 4, 5, 7, 10, 11.4].map((k) => k * f);
    const frames = countFrames(stamps, 1000);
    expect(frames.frames).toBe(9);
    expect(frames.dropped).toBe(1 + 2);
    expect(frames.droppedPct).toBeCloseTo((100 * 3) / 12, 6);
    expect(frames.worstGapMs).toBeCloseTo(3 * f, 6);
  });
});
