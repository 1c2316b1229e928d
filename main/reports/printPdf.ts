/**
 * Printing the report to PDF outside the desktop app (CLI, serve host): the
 * machine's own Chromium, headless, on a copy of the self-contained HTML in a
 * private temp folder with a throwaway profile. The report fetches nothing (its
 * CSP forbids it) and the flags switch off Chromium's own background traffic.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../shared/result';

const NAMES = ['chromium', 'chromium-browser'];
const PRINT_TIMEOUT_MS = 120_000;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH if set, else `chromium` on PATH; null when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.CHROMIUM_PATH;
  if (given !== undefined && given !== '') return isAbsolute(given) && executable(given) ? given : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of NAMES) {
      const candidate = join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return null;
}

/** The exact command line; exported so a test can check it asks for no network and no profile of the user's. */
export function chromiumArgs(profileDir: string, pdfPath: string, htmlPath: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--disable-default-apps',
    '--no-first-run',
    '--no-default-browser-check',
    '--no-pdf-header-footer',
    // Nothing resolves: the report needs no host, and Chromium gets none to call.
    // (Scripts are off by the report's CSP; --blink-settings=scriptEnabled=false
    // would stop headless printing itself.)
    '--host-resolver-rules=MAP * ~NOTFOUND',
    `--user-data-dir=${profileDir}`,
    `--print-to-pdf=${pdfPath}`,
    pathToFileURL(htmlPath).href,
  ];
}

function run(command: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 20_000) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), PRINT_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** Prints self-contained HTML to PDF bytes with the Chromium at `chromium`. */
export async function printWithChromium(chromium: string, html: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'evalnotes-print-'));
  try {
    const htmlPath = join(dir, 'report.html');
    const pdfPath = join(dir, 'report.pdf');
    await writeFile(htmlPath, html, { mode: 0o600 });
    const { code } = await run(chromium, chromiumArgs(join(dir, 'profile'), pdfPath, htmlPath));
    let pdf: Buffer;
    try {
      pdf = await readFile(pdfPath);
    } catch {
      throw new AppError('INTERNAL', `Chromium (${chromium}) did not print the report (exit code ${code ?? 'none'}).`);
    }
    if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new AppError('INTERNAL', `Chromium (${chromium}) wrote something that is not a PDF.`);
    return new Uint8Array(pdf);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Pages in a PDF: its page objects (`/Type /Page`, not `/Pages`). Chromium
 * (Skia) writes page dictionaries uncompressed, so a scan finds them all.
 */
export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  return text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
}
