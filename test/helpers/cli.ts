import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '../../out/main/cli.js');

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs the built CLI as a user would: a separate process, its own environment. */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): CliResult {
  if (!existsSync(CLI)) throw new Error('out/main/cli.js is missing: run `npm run build` first');
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A success: nothing on stderr, exit 0; gives stdout. */
export function ok(r: CliResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** Failures are one line on stderr, no stack, the given exit code, nothing on stdout. */
export function expectOneLineFailure(r: CliResult, code: number, text: RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.code).toBe(code);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(text);
  expect(r.stderr).not.toMatch(/\s+at .+:\d+/);
}
