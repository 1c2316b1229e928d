/**
 * The report's charts as plain inline SVG. The app draws its charts with
 * recharts, but recharts 3 lays charts out in effects, so server-side
 * rendering yields an empty wrapper: these few bar charts are drawn by hand
 * with fixed sizes, text escaped by React like everything else.
 */
import { createElement as h, type ReactElement } from 'react';
import type { Severity } from '../../shared/domain/finding';
import type { ThresholdMark } from './reportData';

const FONT = { fontFamily: 'inherit', fontSize: 10 } as const;
const INK = '#1f2933';
const GRID = '#d8dde3';
const BAR = '#3b5b7a';

export const SEVERITY_COLOURS: Readonly<Record<Severity, string>> = {
  critical: '#7f1d1d',
  high: '#b45309',
  medium: '#a16207',
  low: '#3f6212',
  informational: '#475569',
};

/** Findings by severity: one horizontal bar per severity, most severe on top, zeros shown. */
export function severityChart(counts: Readonly<Record<Severity, number>>, order: readonly Severity[]): ReactElement {
  const width = 520;
  const row = 22;
  const left = 110;
  const right = 40;
  const height = order.length * row + 10;
  const max = Math.max(1, ...order.map((s) => counts[s]));
  const scale = (n: number) => ((width - left - right) * n) / max;
  return h(
    'svg',
    { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Findings by severity', className: 'chart' },
    order.map((s, i) => {
      const y = 5 + i * row;
      return h(
        'g',
        { key: s },
        h('text', { x: left - 8, y: y + row / 2 + 3, textAnchor: 'end', fill: INK, ...FONT }, s),
        h('rect', { x: left, y: y + 3, width: Math.max(scale(counts[s]), counts[s] > 0 ? 2 : 0), height: row - 6, fill: SEVERITY_COLOURS[s] }),
        h('text', { x: left + scale(counts[s]) + 6, y: y + row / 2 + 3, fill: INK, ...FONT }, String(counts[s])),
      );
    }),
  );
}

export type ChartRow = { label: string; value: number; stderr: number | null; threshold: ThresholdMark | null };

/** At most this many bars per chart; the table beside it lists every result. */
export const MAX_CHART_ROWS = 40;

/**
 * Results of one run: a bar per result with its ± stderr whisker and, only when
 * thresholds are included (the rows then carry them), a threshold tick.
 * Non-finite values (NaN is "unscored") get no bar, only their label.
 */
export function resultsChart(rows: readonly ChartRow[], title: string): ReactElement {
  const shown = rows.slice(0, MAX_CHART_ROWS);
  const width = 640;
  const row = 20;
  const left = 230;
  const right = 70;
  const top = 8;
  const axis = 18;
  const height = top + shown.length * row + axis;
  const [lo, hi] = domain(shown);
  const x = (v: number) => left + ((width - left - right) * (v - lo)) / (hi - lo);
  const ticks = niceTicks(lo, hi);
  return h(
    'svg',
    { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, className: 'chart' },
    ticks.map((t) =>
      h(
        'g',
        { key: `tick-${t}` },
        h('line', { x1: x(t), x2: x(t), y1: top, y2: top + shown.length * row, stroke: GRID, strokeWidth: 0.5 }),
        h('text', { x: x(t), y: height - 4, textAnchor: 'middle', fill: INK, ...FONT }, formatTick(t)),
      ),
    ),
    shown.map((r, i) => {
      const y = top + i * row;
      const mid = y + row / 2;
      const finite = Number.isFinite(r.value);
      const zero = x(Math.max(lo, Math.min(hi, 0)));
      const end = finite ? x(r.value) : zero;
      const err = finite && r.stderr !== null && Number.isFinite(r.stderr) && r.stderr > 0 ? r.stderr : null;
      return h(
        'g',
        { key: `row-${i}` },
        h('text', { x: left - 8, y: mid + 3, textAnchor: 'end', fill: INK, ...FONT }, clip(r.label, 38)),
        finite ? h('rect', { x: Math.min(zero, end), y: y + 4, width: Math.max(Math.abs(end - zero), 1), height: row - 8, fill: BAR }) : null,
        err !== null
          ? h('line', { x1: x(Math.max(lo, r.value - err)), x2: x(Math.min(hi, r.value + err)), y1: mid, y2: mid, stroke: INK, strokeWidth: 1.2 })
          : null,
        r.threshold
          ? h('line', {
              x1: x(r.threshold.value),
              x2: x(r.threshold.value),
              y1: y + 1,
              y2: y + row - 1,
              stroke: '#b91c1c',
              strokeWidth: 2,
              strokeDasharray: '3 2',
            })
          : null,
        h('text', { x: width - right + 6, y: mid + 3, fill: INK, ...FONT }, valueLabel(r.value)),
      );
    }),
  );
}

/** [0, 1] for the usual proportions; otherwise what the values, whiskers and thresholds need. */
function domain(rows: readonly ChartRow[]): [number, number] {
  const points: number[] = [0];
  for (const r of rows) {
    if (!Number.isFinite(r.value)) continue;
    const e = r.stderr !== null && Number.isFinite(r.stderr) ? Math.abs(r.stderr) : 0;
    points.push(r.value - e, r.value + e);
    if (r.threshold) points.push(r.threshold.value);
  }
  const lo = Math.min(...points);
  const hi = Math.max(...points);
  if (lo >= 0 && hi <= 1) return [0, 1];
  const [a, b] = [niceFloor(lo), niceCeil(hi)];
  return a === b ? [a, a + 1] : [a, b];
}

function step(span: number): number {
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

const niceFloor = (v: number) => (v >= 0 ? 0 : -step(-v) * Math.ceil(-v / step(-v)));
const niceCeil = (v: number) => (v <= 0 ? 0 : step(v) * Math.ceil(v / step(v)));

function niceTicks(lo: number, hi: number): number[] {
  const s = step(hi - lo);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / s) * s; t <= hi + s / 1e6; t += s) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** NaN is Inspect's "unscored"; infinities are named, never drawn. */
function valueLabel(v: number): string {
  if (Number.isNaN(v)) return 'unscored';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return formatTick(v);
}

function formatTick(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
