// `npm run rebuild:electron`: builds better-sqlite3-multiple-ciphers against Electron's headers
// into out/native/electron/better_sqlite3.node for `npm start` (dev runs).
// node_modules/better-sqlite3-multiple-ciphers is never touched: tests and the CLI keep the Node
// build. The package is copied to a temp dir and built there with node-gyp.
// Needs the Electron headers from electronjs.org and a C++ toolchain, so it only
// works on a connected machine. Packaged apps do not use this (electron-builder
// rebuilds native modules for Electron at pack time).
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const outDir = join(root, 'out', 'native', 'electron');
const target = join(outDir, 'better_sqlite3.node');
const logFile = join(outDir, 'build.log');
const TIMEOUT_MS = 15 * 60 * 1000;

function fail(sentence) {
  process.stderr.write(`${sentence}\n`);
  process.exit(1);
}

function electronVersion() {
  try {
    // Only the package.json: loading `electron` itself would try to download the binary.
    return JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** node-gyp from the project (a dependency of @electron/rebuild) or the one bundled with npm. */
function findNodeGyp() {
  const candidates = [];
  try {
    candidates.push(join(dirname(require.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js'));
  } catch {
    // not installed in the project; try npm's copy
  }
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** npm exports its config (e.g. `nodedir`) to scripts; node-gyp would then build against Node's headers. */
function cleanEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|devdir)$/i.test(key)) delete env[key];
  }
  return env;
}

const version = electronVersion();
if (!version) fail('Cannot build better-sqlite3-multiple-ciphers for Electron: the electron package is not installed (run `npm ci`).');

const nodeGyp = findNodeGyp();
if (!nodeGyp) fail('Cannot build better-sqlite3-multiple-ciphers for Electron: node-gyp was not found (it ships with npm; reinstall npm or run `npm ci`).');

let sourceDir;
try {
  sourceDir = dirname(require.resolve('better-sqlite3-multiple-ciphers/package.json'));
} catch {
  fail('Cannot build better-sqlite3-multiple-ciphers for Electron: better-sqlite3-multiple-ciphers is not installed (run `npm ci`).');
}

mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'evalnotes-electron-native-'));
let failure = null;
try {
  // The existing build/ holds Node-ABI objects; leave it behind.
  const staleBuild = join(sourceDir, 'build');
  cpSync(sourceDir, join(work, 'better-sqlite3-multiple-ciphers'), { recursive: true, filter: (src) => src !== staleBuild && !src.startsWith(staleBuild + sep) });
  const args = [
    nodeGyp,
    'rebuild',
    '--release',
    `--target=${version}`,
    '--runtime=electron',
    '--dist-url=https://electronjs.org/headers',
    `--arch=${process.arch}`,
    `--devdir=${join(homedir(), '.electron-gyp')}`,
  ];
  process.stderr.write(`Building better-sqlite3-multiple-ciphers for Electron ${version} (log: ${logFile}) ...\n`);
  const run = spawnSync(process.execPath, args, { cwd: join(work, 'better-sqlite3-multiple-ciphers'), env: cleanEnv(), encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(logFile, `${run.stdout ?? ''}\n${run.stderr ?? ''}\n${run.error ? String(run.error) : ''}\n`);
  const built = join(work, 'better-sqlite3-multiple-ciphers', 'build', 'Release', 'better_sqlite3.node');
  if (run.status !== 0 || !existsSync(built)) {
    failure = `Could not build better-sqlite3-multiple-ciphers for Electron ${version}: node-gyp needs the Electron headers from electronjs.org and a C++ toolchain, so run \`npm run rebuild:electron\` on a connected machine (details in ${logFile}).`;
  } else {
    copyFileSync(built, target);
    // start-desktop rebuilds when Electron is upgraded.
    writeFileSync(join(outDir, 'ELECTRON_VERSION'), `${version} better-sqlite3-multiple-ciphers\n`);
    process.stderr.write(`Built ${target} for Electron ${version}.\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failure) fail(failure);
