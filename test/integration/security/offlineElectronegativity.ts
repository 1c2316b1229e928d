import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { vi } from 'vitest';
import { z } from 'zod';

/**
 * Doyensec's electronegativity, driven through its programmatic runner. Its CLI
 * cannot be used here (it loads our commander 14 and breaks), and the runner
 * reaches for the internet twice: it downloads translations on every run, and
 * AvailableSecurityFixesGlobalCheck downloads Electron's release list. This
 * module keeps it offline in-process: `got` (its only HTTP client) is replaced
 * in the require cache by a stub that refuses at once, and while the runner
 * works every TCP connect in this process is refused and recorded, so a new
 * network path in a later version shows up as a failed test, not a hang.
 */

const require = createRequire(import.meta.url);
const RUNNER = require.resolve('@doyensec/electronegativity/dist/runner.js');
const ELECTRON_VERSION = (require('electron/package.json') as { version: string }).version;

/** Needs the internet (Electron's release list on GitHub); the machine has none. */
export const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'] as const;

const Named = z.object({ name: z.string() });
const Finding = z.object({
  id: z.string(),
  file: z.string(),
  description: z.string(),
  severity: z.object({ name: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH']) }),
  confidence: Named,
  location: z.object({ line: z.number(), column: z.number() }),
  manualReview: z.boolean(),
});
export type Finding = z.infer<typeof Finding>;
const RunnerResult = z.object({
  globalChecks: z.number(),
  atomicChecks: z.number(),
  errors: z.array(z.object({ file: z.string(), message: z.string(), tolerable: z.boolean() })),
  issues: z.array(Finding),
});
export type ScanResult = z.infer<typeof RunnerResult> & {
  /** URLs the runner asked `got` for (answered by the stub, never fetched). */
  httpAsked: string[];
  /** TCP connections it tried to open anyway (refused). */
  connectAttempts: string[];
};

type Runner = (options: Record<string, unknown>) => Promise<unknown>;

const httpAsked: string[] = [];

/** Both modules that load `got` resolve it from the package root; stub every path they could get. */
function stubGot(): void {
  const requesters = [join(dirname(RUNNER), 'locales/i18n.js'), join(dirname(RUNNER), 'finder/checks/GlobalChecks/AvailableSecurityFixesGlobalCheck.js')];
  for (const from of requesters) {
    const path = createRequire(from).resolve('got');
    const offline = (url: unknown): Promise<never> => {
      httpAsked.push(String(url));
      return Promise.reject(new Error('offline: this machine has no internet'));
    };
    require.cache[path] = { id: path, filename: path, loaded: true, exports: offline } as unknown as NodeJS.Module;
  }
}

let runner: Runner | undefined;

function loadRunner(): Runner {
  if (!runner) {
    stubGot();
    runner = require(RUNNER) as Runner;
  }
  return runner;
}

function refuseConnections(): { attempts: string[]; restore(): void } {
  const attempts: string[] = [];
  const spy = vi.spyOn(Socket.prototype, 'connect').mockImplementation((...args: unknown[]) => {
    attempts.push(JSON.stringify(args[0] ?? null));
    throw new Error('electronegativity tried to open a network connection; this scan runs offline');
  });
  return { attempts, restore: () => spy.mockRestore() };
}

/** Scans a folder (or file) as electronegativity would, for this project's Electron version, offline. */
export async function scanOffline(input: string): Promise<ScanResult> {
  const run = loadRunner();
  const asked = httpAsked.length;
  const guard = refuseConnections();
  // i18n prints one line when the (stubbed) translation download fails; keep the test output clean.
  const log = console.log;
  console.log = () => {};
  try {
    const raw = await run({
      input,
      electronVersionOverride: ELECTRON_VERSION,
      isRelative: true,
      excludeFromScan: [...EXCLUDED_CHECKS],
    });
    return { ...RunnerResult.parse(raw), httpAsked: httpAsked.slice(asked), connectAttempts: guard.attempts };
  } finally {
    console.log = log;
    guard.restore();
  }
}
