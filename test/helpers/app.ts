import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type AppOptions, type EvalNotesApp } from '../../main/app/createApp';
import type { Platform } from '../../main/platform/platform';
import type { Clock } from '../../shared/reviewWindow';

/** scrypt at N = 2^10: fast enough for tests; real workspaces use 2^17. */
export const TEST_KDF = { N: 2 ** 10, r: 8, p: 1 };
export const TEST_PASSPHRASE = 'correct horse battery staple';

export const browserPlatform: Platform = {
  transport: 'browser',
  openFiles: () => Promise.reject(new Error('no dialogs in tests')),
  saveFile: () => Promise.reject(new Error('no dialogs in tests')),
};

export function fixedClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (next) => (now = new Date(next)) };
}

export function tempDir(prefix = 'evalnotes-test-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export type TestApp = { app: EvalNotesApp; dataDir: string; cleanup(): Promise<void> };

/** A real app over a fresh temp workspace, with contract-checked answers. */
export function makeTestApp(opts: Partial<AppOptions> = {}): TestApp {
  const dir = tempDir();
  const dataDir = opts.dataDir ?? join(dir.path, 'workspace');
  const app = createApp({
    platform: browserPlatform,
    appVersion: '0.0.0-test',
    kdf: TEST_KDF,
    validateOutput: true,
    watchIntervalMs: 0,
    tempRoot: dir.path,
    ...opts,
    dataDir,
  });
  return {
    app,
    dataDir,
    async cleanup() {
      await app.close();
      dir.cleanup();
    },
  };
}

/** A test app with an identity, unlocked. */
export async function makeReadyApp(opts: Partial<AppOptions> = {}): Promise<TestApp> {
  const t = makeTestApp(opts);
  const r = await t.app.dispatch('workspace:create', { name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE });
  if (!r.ok) throw new Error(r.error.message);
  return t;
}
