/**
 * Electronegativity over the built app (out/main, out/preload, out/renderer): a
 * second opinion beside test/unit/shell/securityChecklist.test.ts, not a
 * replacement for it. Any HIGH finding fails; every lower finding must be one
 * README "Security" explains, so a new one cannot slip by unread.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanOffline, type Finding, type ScanResult } from './offlineElectronegativity';

const ROOT = join(import.meta.dirname, '../../..');
const OUT = join(ROOT, 'out');

/** Lower findings we accept, by check and file; README "Security" says why for each. */
const ACCEPTED = new Set(['AUXCLICK_JS_CHECK main/index.js', 'PRELOAD_JS_CHECK main/index.js', 'CSP_GLOBAL_CHECK renderer/index.html']);

const TRANSLATIONS = 'https://electronegativity-i18n.s3.us-west-2.amazonaws.com/';

const describeFinding = (f: Finding) => `${f.severity.name} ${f.id} ${f.file}:${f.location.line}:${f.location.column} (${f.description})`;

let built: ScanResult;
let insecure: ScanResult;
let fixtureDir = '';

beforeAll(async () => {
  if (!existsSync(join(OUT, 'main/index.js')) || !existsSync(join(OUT, 'preload')) || !existsSync(join(OUT, 'renderer/index.html'))) {
    throw new Error('out/ has no build to scan: run `npm run build` first (npm test builds before vitest).');
  }
  // The same scan over a window that turns isolation off and guards no navigation: proof the scan can fail.
  fixtureDir = mkdtempSync(join(tmpdir(), 'evalnotes-electronegativity-'));
  writeFileSync(
    join(fixtureDir, 'main.js'),
    "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { contextIsolation: false, nodeIntegration: true, sandbox: false } });\n",
  );
  insecure = await scanOffline(fixtureDir);
  built = await scanOffline(OUT);
}, 60_000);

afterAll(() => {
  if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
});

describe('electronegativity over the build', () => {
  it('reports HIGH findings for a window with isolation off and no navigation guard', () => {
    const highs = insecure.issues.filter((f) => f.severity.name === 'HIGH').map((f) => f.id);
    expect(highs).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']));
  });

  it('parses every built file and has no HIGH finding', () => {
    expect(built.errors).toEqual([]);
    // Non-vacuous: the main bundle was read (it creates two windows with a preload).
    expect(built.issues.some((f) => f.file === 'main/index.js')).toBe(true);
    expect(built.atomicChecks).toBeGreaterThan(30);
    expect(built.issues.filter((f) => f.severity.name === 'HIGH').map(describeFinding)).toEqual([]);
  });

  it('has only lower findings that README "Security" explains', () => {
    const unexplained = built.issues.filter((f) => f.severity.name !== 'HIGH' && !ACCEPTED.has(`${f.id} ${f.file}`));
    expect(unexplained.map(describeFinding)).toEqual([]);
    const security = readFileSync(join(ROOT, 'README.md'), 'utf8').split(/^## Security$/m)[1] ?? '';
    for (const accepted of ACCEPTED) expect(security, accepted).toContain(accepted.split(' ')[0]);
  });

  it('stays offline: the translation download is answered by a stub and no socket is opened', () => {
    for (const scan of [insecure, built]) {
      expect(scan.connectAttempts).toEqual([]);
      for (const url of scan.httpAsked) expect(url.startsWith(TRANSLATIONS), url).toBe(true);
    }
    // The stub is what stopped it: without it this run would have gone to the network.
    expect(built.httpAsked.length).toBeGreaterThan(0);
  });
});
