import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/cli';

/** Every module the built CLI loads, following its relative imports. */
function moduleGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/(?:import|export)\s*(?:[^'"]*?from\s*)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
      visit(resolve(dirname(file), m[1] ?? m[2] ?? ''));
    }
  };
  visit(entry);
  return seen;
}

describe('the CLI bundle', () => {
  it('never loads electron (in plain Node it would try to download the binary)', () => {
    const graph = moduleGraph(CLI);
    expect(graph.size).toBeGreaterThan(0);
    for (const [file, text] of graph) {
      expect({ file, electron: /(?:from|import|require\()\s*\(?\s*['"]electron['"]/.test(text) }).toEqual({ file, electron: false });
    }
  });

  it('starts with a shebang so npm can link it as a command', () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(join(CLI)).toMatch(/out\/main\/cli\.js$/);
  });
});
