// `npm start`: launches the desktop app from this checkout.
// 1. Find the Electron runtime. From Electron 42 on, the npm package downloads it
//    on first use; without internet that fails, and we say so in one sentence
//    (never a stack trace) instead of hanging.
// 2. Build out/ with electron-vite if it is missing.
// 3. Make sure better-sqlite3-multiple-ciphers exists built for Electron's ABI
//    (out/native/electron, see build-electron-native.mjs).
// 4. Run Electron on the repo root (package.json "main" is out/main/index.js).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
/** Long enough for a first download on a slow link, short enough never to hang. */
const RUNTIME_TIMEOUT_MS = 5 * 60 * 1000;
const SERVE_HINT = 'run `npx evalnotes serve` to use EvalNotes in a browser instead';

function fail(sentence) {
  process.stderr.write(`${sentence}\n`);
  process.exit(1);
}

/**
 * Asks the electron package for its binary in a child process: loading it here
 * would start the download in this process and throw with a stack. Quiet unless
 * it takes a while (then it is downloading on a connected machine).
 */
function electronBinary() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const notice = setTimeout(() => process.stderr.write('Downloading the Electron runtime (first start only) ...\n'), 3000);
    const timeout = setTimeout(() => {
      child.kill();
      resolve({ ok: false, reason: 'timeout' });
    }, RUNTIME_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(notice);
      clearTimeout(timeout);
      const path = stdout.trim();
      if (code === 0 && path !== '' && existsSync(path)) resolve({ ok: true, path });
      else resolve({ ok: false, reason: /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|ETIMEDOUT/.test(stderr) ? 'offline' : 'other' });
    });
  });
}

function runtimeFailure(reason) {
  if (reason === 'offline') {
    return `EvalNotes cannot start the desktop app: the Electron runtime could not be downloaded on this machine (no internet access); ${SERVE_HINT}.`;
  }
  if (reason === 'timeout') {
    return `EvalNotes cannot start the desktop app: downloading the Electron runtime did not finish within ${RUNTIME_TIMEOUT_MS / 60000} minutes; ${SERVE_HINT}.`;
  }
  return `EvalNotes cannot start the desktop app: the Electron runtime is not installed correctly (delete node_modules/electron and run \`npm ci\`); ${SERVE_HINT}.`;
}

function runNode(args, failure) {
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) fail(failure);
}

function ensureBuilt() {
  const outputs = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
  if (outputs.every((file) => existsSync(join(root, file)))) return;
  const cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  runNode([cli, 'build'], 'EvalNotes cannot start the desktop app: `electron-vite build` failed (see its output above).');
}

function ensureElectronSqlite() {
  const dir = join(root, 'out', 'native', 'electron');
  const version = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const builtFor = existsSync(join(dir, 'ELECTRON_VERSION')) ? readFileSync(join(dir, 'ELECTRON_VERSION'), 'utf8').trim() : null;
  // The stamp names the driver too: a leftover build of plain better-sqlite3 cannot encrypt.
  if (existsSync(join(dir, 'better_sqlite3.node')) && builtFor === `${version} better-sqlite3-multiple-ciphers`) return;
  // build-electron-native prints its own one-sentence reason on failure.
  const run = spawnSync(process.execPath, [join(root, 'build', 'scripts', 'build-electron-native.mjs')], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(1);
}

const runtime = await electronBinary();
if (!runtime.ok) fail(runtimeFailure(runtime.reason));
ensureBuilt();
ensureElectronSqlite();

const env = { ...process.env };
// Would turn the app into a plain Node process (the packaged app has the fuse off).
delete env.ELECTRON_RUN_AS_NODE;
const app = spawn(runtime.path, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('error', () => fail(`EvalNotes cannot start the desktop app: ${runtime.path} could not be run; ${SERVE_HINT}.`));
app.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
