import { stringifyJson } from '../../shared/numbers';

/** Machine output: one JSON document on stdout, non-finite numbers as strings. */
export function printJson(value: unknown): void {
  process.stdout.write(`${stringifyJson(value, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** A plain aligned table for people; --json is the format for scripts. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  printLine(line(headers));
  for (const row of rows) printLine(line(row));
}
