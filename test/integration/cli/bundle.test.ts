import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
// The imports as the engine reads them: the bundled libraries quote imports in their messages.
import { init, parse } from 'es-module-lexer';
import { describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/cli';

/** Every module of the build the CLI loads (following relative imports, static and dynamic), and every package it imports. */
function moduleGraph(entry: string): { files: Map<string, string>; packages: Set<string> } {
  const files = new Map<string, string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    // The lexer reads modules, not scripts: the shebang line is blanked (same length, so offsets stay).
    const text = readFileSync(file, 'utf8').replace(/^#!.*/, (line) => ' '.repeat(line.length));
    files.set(file, text);
    for (const { n: specifier } of parse(text)[0]) {
      if (specifier === undefined) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the CLI bundle', () => {
  it('never loads electron (in plain Node it would try to download the binary)', async () => {
    await init;
    const { files, packages } = moduleGraph(CLI);
    expect(files.size).toBeGreaterThan(1);
    expect(packages).toContain('better-sqlite3-multiple-ciphers');
    expect([...packages].filter((p) => p === 'electron' || p.startsWith('electron/'))).toEqual([]);
    // Bundled CommonJS reaches packages through require(): none of it may name electron either.
    for (const [file, text] of files) expect({ file, electron: /require\(\s*['"]electron['"]\s*\)/.test(text) }).toEqual({ file, electron: false });
  });

  it('starts with a shebang so npm can link it as a command', () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(join(CLI)).toMatch(/out\/main\/cli\.js$/);
  });
});
