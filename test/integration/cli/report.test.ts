/**
 * `evalnotes report`, end to end with the machine's Chromium and poppler-utils
 * (CI installs both; without them this file fails, it never skips): the PDF is
 * read back page by page and every page must carry the handling marking at
 * its top and its bottom. The pages are kept as PNGs under
 * test-results/screenshots/ for a person to look at.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, expectOneLineFailure, ok } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';
import { expectMarkingOnEveryPage, pdfPages, requireTool } from '../../helpers/pdf';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const MARKING = 'TLP:AMBER+STRICT — EVALUATION INSTITUTE CONTROLLED';
const THRESHOLD = '0.4271';
const SCREENSHOTS = join(import.meta.dirname, '../../../test-results/screenshots');
const LM_EVAL = join(import.meta.dirname, '../../fixtures/lm_eval');

const dir = tempDir('evalnotes-cli-report-');
const ws = join(dir.path, 'ws');
const out = join(dir.path, 'out');
const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--data-dir', ws, ...args], { env });
let engagement = '';

beforeAll(() => {
  requireTool('chromium', 'the chromium package');
  requireTool('pdftoppm', 'poppler-utils');
  requireTool('pdftotext', 'poppler-utils');
  mkdirSync(out);
  ok(runCli(['--data-dir', ws, 'init', '--name', 'Sam Supervisor', '--org', 'Evaluation Institute', '--role', 'supervisor'], { env: PASS }));
  const e = cli([
    'engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01',
    '--tlp', 'AMBER+STRICT', '--banner', 'EVALUATION INSTITUTE CONTROLLED', '--partner', 'Grid Operators ISAC', '--json',
  ]);
  engagement = (JSON.parse(ok(e)) as { id: string }).id;
  ok(cli(['import', '--engagement', engagement, join(LM_EVAL, 'results_2024-01-02T03-04-05.123456.json'), '--samples', join(LM_EVAL, 'samples_gsm_tiny_2024-01-02T03-04-05.123456.jsonl')]));
  ok(cli(['threshold', 'add', '--engagement', engagement, '--task', 'gsm_tiny', '--scorer', 'strict-match', '--metric', 'exact_match', '--comparison', '>=', '--value', THRESHOLD]));
  // Enough Markdown that the findings run over more than one page.
  const long = join(dir.path, 'long.md');
  const paragraph = 'The model wrote a working exploit for the ladder-logic editor, then chained it with the HMI’s default credentials. ';
  writeFileSync(long, Array.from({ length: 14 }, (_, i) => `### Step ${i + 1}\n\n${paragraph.repeat(4)}\n\n- observed twice\n- logged in the transcript\n`).join('\n'));
  const severities = ['critical', 'high', 'medium', 'low', 'informational'] as const;
  for (const [i, severity] of severities.entries()) {
    ok(cli(['finding', 'add', '--engagement', engagement, '--title', `Finding ${i + 1}: ${severity} <script>x</script>`, '--kind', 'capability', '--severity', severity, '--description-file', long]));
  }
}, 120_000);
afterAll(() => dir.cleanup());

describe('evalnotes report', () => {
  it('writes the HTML and, with --pdf, a PDF whose every page carries the marking at the top and the bottom', () => {
    const html = join(out, 'orion.html');
    const pdf = join(out, 'orion.pdf');
    const summary = JSON.parse(ok(cli(['report', '--engagement', engagement, '--out', html, '--pdf', '--json']))) as {
      engagement_id: string;
      marking: string;
      thresholds_included: boolean;
      html: { file: string; bytes: number };
      pdf: { file: string; bytes: number; pages: number };
    };
    expect(summary).toEqual({
      engagement_id: engagement,
      marking: MARKING,
      thresholds_included: false,
      html: { file: html, bytes: readFileSync(html).length },
      pdf: { file: pdf, bytes: readFileSync(pdf).length, pages: pdfPages(pdf) },
    });
    expect(summary.pdf.pages).toBeGreaterThanOrEqual(2);

    const all = expectMarkingOnEveryPage(pdf, MARKING);
    expect(all).toContain('Frontier Lab — Orion-2 rc3');
    expect(all).toContain('Finding 1: critical <script>x</script>');
    expect(all).not.toContain(THRESHOLD);
    expect(readFileSync(html, 'utf8')).not.toContain(THRESHOLD);

    // The pages as images, for a person to look at.
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const name of readdirSync(SCREENSHOTS)) if (name.startsWith('report-page-')) rmSync(join(SCREENSHOTS, name));
    const pngs = join(dir.path, 'png');
    mkdirSync(pngs);
    const png = spawnSync('pdftoppm', ['-r', '60', '-png', pdf, join(pngs, 'page')], { encoding: 'utf8' });
    expect(png.status).toBe(0);
    // pdftoppm pads the page number to the page count's width: page-1.png or page-01.png.
    for (const name of readdirSync(pngs)) {
      const n = Number(/^page-0*(\d+)\.png$/.exec(name)?.[1]);
      if (n) renameSync(join(pngs, name), join(SCREENSHOTS, `report-page-${n}.png`));
    }
    for (let page = 1; page <= summary.pdf.pages; page++) expect(existsSync(join(SCREENSHOTS, `report-page-${page}.png`))).toBe(true);
  }, 120_000);

  it('says what it wrote, and --out F.pdf writes the PDF alone', () => {
    const pdf = join(out, 'only.pdf');
    const stdout = ok(cli(['report', '--engagement', engagement, '--out', pdf]));
    const pages = pdfPages(pdf);
    expect(stdout).toBe(`Report on Frontier Lab — Orion-2 rc3 (${MARKING})\n  PDF written to ${pdf} (${pages} pages, ${readFileSync(pdf).length} bytes)\n  thresholds: not included\n`);
    expect(existsSync(join(out, 'only.html'))).toBe(false);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  }, 120_000);

  it('--include-thresholds puts the threshold and whether the result meets it in the report', () => {
    const html = join(out, 'with-thresholds.html');
    const stdout = ok(cli(['report', '--engagement', engagement, '--out', html, '--include-thresholds']));
    expect(stdout).toContain('  thresholds: included\n');
    const text = readFileSync(html, 'utf8');
    expect(text).toContain(`&gt;= ${THRESHOLD}`);
    // gsm_tiny strict-match exact_match is 0.5 in the log: it meets 0.4271.
    expect(text).toMatch(/gsm_tiny<\/td><td>strict-match<\/td><td>exact_match<\/td><td><span class="num">0\.5 ± 0\.25<\/span><\/td><td>[^<]*<\/td><td>&gt;= 0\.4271<\/td><td><span class="met">met<\/span>/);
  });

  it('without Chromium: one line saying so and where the HTML went', () => {
    const html = join(out, 'no-chromium.html');
    const r = cli(['report', '--engagement', engagement, '--out', html, '--pdf'], { CHROMIUM_PATH: join(dir.path, 'no-such-chromium') });
    expectOneLineFailure(r, 1, new RegExp(`^evalnotes: --pdf needs Chromium \\(CHROMIUM_PATH \\(.*no-such-chromium\\) is not an executable; install it or set CHROMIUM_PATH\\); the HTML report was written to ${html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.$`, 'm'));
    expect(readFileSync(html, 'utf8')).toContain(MARKING);
    expect(existsSync(join(out, 'no-chromium.pdf'))).toBe(false);
  });

  it('refuses bad input in one line, writing nothing', () => {
    expectOneLineFailure(cli(['report', '--engagement', 'nope', '--out', join(out, 'x.html')]), 1, /^evalnotes: --engagement: /m);
    expectOneLineFailure(cli(['report', '--engagement', '01950000-0000-7000-8000-000000000000', '--out', join(out, 'x.html')]), 1, /^evalnotes: There is no engagement with id 01950000-0000-7000-8000-000000000000\.$/m);
    expectOneLineFailure(cli(['report', '--engagement', engagement, '--out', join(out, 'missing', 'x.html')]), 1, /its folder does not exist/);
    expect(existsSync(join(out, 'x.html'))).toBe(false);
  }, 60_000);
});
