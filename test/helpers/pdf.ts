import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/** A tool the test needs; missing means a broken test machine, said plainly (CI installs them). */
export function requireTool(name: string, pkg: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || !path) throw new Error(`${name} is not installed: install ${pkg} (CI does); the report PDF tests need it.`);
  return path;
}

/** One page's text as poppler's pdftotext lays it out. */
export function pdfText(pdf: string, page: number): string {
  const r = spawnSync('pdftotext', ['-layout', '-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout;
}

export function pdfPages(pdf: string): number {
  const r = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return Number(/^Pages:\s+(\d+)/m.exec(r.stdout)?.[1]);
}

/** The non-empty lines of a page, trimmed: the first and the last are the marking. */
export const pdfLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** Every page of the PDF starts and ends with the marking; returns the whole text. */
export function expectMarkingOnEveryPage(pdf: string, marking: string): string {
  const pages = pdfPages(pdf);
  const texts: string[] = [];
  for (let page = 1; page <= pages; page++) {
    const text = pdfText(pdf, page);
    const lines = pdfLines(text);
    expect(lines[0], `top of page ${page}`).toBe(marking);
    expect(lines.at(-1), `bottom of page ${page}`).toBe(marking);
    texts.push(text);
  }
  return texts.join('\n');
}
