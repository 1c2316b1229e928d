/**
 * The one table `npm run bench` ends with: every bench's rows in one shape,
 * each judged against its targets, then the machine the figures came from.
 * The verdict is computed here, from the row's figure or ratio, so no bench
 * can print "met" for a figure its target does not allow.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

/** A bound on the row's figure (in its unit) or on its ratio to the reference. */
export type Target = { of: 'figure' | 'ratio'; op: '<' | '<=' | '>=' | '>'; value: number };

export type BenchRow = {
  bench: string;
  name: string;
  /** null: the bench ran but could not measure this (say why in its detailed lines). */
  figure: number | null;
  unit: string;
  /** The same measure of the floor it is compared with, in the same unit, measured in the same run. */
  reference: number | null;
  /** figure / reference unless the bench computes it otherwise (e.g. the median of per-pair ratios). */
  ratio: number | null;
  targets: Target[];
};

export type Verdict = 'met' | 'gap' | '-' | 'not measured';

export type Machine = {
  cores: number;
  model: string;
  ramBytes: number;
  node: string;
  kernel: string;
  loadBefore: number[];
  loadAfter: number[];
  browser?: string;
};

/** A row with its ratio computed from figure and reference (none when either is missing or the reference is 0). */
export function benchRow(r: Omit<BenchRow, 'ratio' | 'targets' | 'reference'> & { reference?: number | null; ratio?: number | null; targets?: Target[] }): BenchRow {
  const reference = r.reference ?? null;
  const ratio = r.ratio !== undefined ? r.ratio : r.figure !== null && reference !== null && reference !== 0 ? r.figure / reference : null;
  return { ...r, reference, ratio: ratio !== null && Number.isFinite(ratio) ? ratio : null, targets: r.targets ?? [] };
}

function holds(value: number, t: Target): boolean {
  switch (t.op) {
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
    case '>=':
      return value >= t.value;
    case '>':
      return value > t.value;
  }
}

export function verdictOf(row: BenchRow): Verdict {
  if (row.targets.length === 0) return row.figure === null ? 'not measured' : '-';
  const values = row.targets.map((t) => (t.of === 'figure' ? row.figure : row.ratio));
  if (values.some((v) => v === null || !Number.isFinite(v))) return 'not measured';
  return row.targets.every((t, i) => holds(values[i]!, t)) ? 'met' : 'gap';
}

/** Three significant figures or so, without exponent notation for the sizes benches meet. */
export function formatNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a === 0 ? 0 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Ratios with two decimals, as the benches' own lines print them. */
export function formatRatio(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  return `${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}x`;
}

export function formatTarget(row: BenchRow): string {
  const value = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 3 });
  return row.targets.map((t) => `${t.op} ${value(t.value)}${t.of === 'ratio' ? 'x' : ` ${row.unit}`}`).join(' and ');
}

const COLUMNS = ['bench', 'row', 'figure', 'unit', 'target', 'reference', 'ratio', 'verdict'] as const;
const RIGHT = new Set<string>(['figure', 'reference', 'ratio']);

export function formatTable(rows: BenchRow[]): string[] {
  const cells = rows.map((r) => [r.bench, r.name, formatNumber(r.figure), r.unit, formatTarget(r), formatNumber(r.reference), formatRatio(r.ratio), verdictOf(r)]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (RIGHT.has(COLUMNS[i]!) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const met = rows.filter((r) => verdictOf(r) === 'met').length;
  const gaps = rows.filter((r) => verdictOf(r) === 'gap').length;
  const unmeasured = rows.filter((r) => verdictOf(r) === 'not measured').length;
  return [
    line(COLUMNS),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    `${rows.length} rows: ${met} targets met, ${gaps} gaps${unmeasured ? `, ${unmeasured} not measured` : ''}; ratio = figure / reference unless the bench's lines above say otherwise`,
  ];
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux: the runtime's name for it
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function machineBefore(): Machine {
  return { cores: availableParallelism(), model: cpuModel(), ramBytes: totalmem(), node: process.version, kernel: release(), loadBefore: loadavg(), loadAfter: [] };
}

export function formatMachine(m: Machine): string[] {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  return [
    `machine: ${m.cores} cores, ${m.model}, ${(m.ramBytes / 2 ** 30).toFixed(1)} GiB RAM; Node ${m.node}; Linux ${m.kernel}${m.browser ? `; ${m.browser}` : ''}`,
    `load average (1, 5, 15 min): ${load(m.loadBefore)} before, ${load(m.loadAfter)} after (other work on the machine slows every figure)`,
  ];
}
