/**
 * Ada's day 12 (JOURNEYS.md, steps 2–4): she imports a real Inspect log
 * through the browser UI, sees its numbers against her local threshold, and
 * finds a sample by a word in it. Drives the real `evalnotes serve` in
 * headless Chromium. The fixture's numbers and texts are read here, from the
 * file itself, independently of the importer.
 * Needs a build first (`npm run test:e2e` runs it).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import {
  ADA,
  clearToasts,
  EngagementPage,
  EngagementSections,
  launchBrowser,
  openOrion,
  openSession,
  RunDetailPage,
  RunsPage,
  screenshot,
  seriousA11yViolations,
  type ServeHost,
  type Session,
  Sidebar,
  ThresholdsPage,
} from './pages';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'out/main/cli.js');
const FIXTURE = join(ROOT, '../shared/fixtures/inspect_eval/inspect_ai__2025-09-23_security-guide.eval');
const JSON_FIXTURE = join(ROOT, '../shared/fixtures/inspect_json/inspect_ai__2024-11-05_input-task.json');

/** The real JSON log with a (made-up) GitHub token among its task arguments, as real logs carry parameters verbatim. */
function writeLogWithToken(dir: string): { path: string; token: string } {
  const log = JSON.parse(readFileSync(JSON_FIXTURE, 'utf8')) as { eval: { task_args?: Record<string, unknown> } };
  // Built at run time so no token-shaped literal sits in the repository.
  const token = ['ghp', '_', 'aB3dE5fG7hJ9'.repeat(3)].join('');
  log.eval.task_args = { ...log.eval.task_args, repo_token: token };
  const path = join(dir, 'scored_with_token.json');
  writeFileSync(path, JSON.stringify(log));
  return { path, token };
}

/**
 * A long Inspect JSON log: the real one-sample log with its sample repeated
 * (about 16 KB each), so an import runs long enough to watch and to cancel.
 */
function writeLongLog(dir: string, samples: number): string {
  const log = JSON.parse(readFileSync(JSON_FIXTURE, 'utf8')) as { samples: Record<string, unknown>[]; results: Record<string, unknown> };
  const sample = log.samples[0];
  if (!sample) throw new Error('the JSON fixture has no sample');
  log.samples = Array.from({ length: samples }, (_, i) => ({ ...sample, id: i + 1 }));
  log.results = { ...log.results, total_samples: samples, completed_samples: samples };
  const path = join(dir, 'long_run.json');
  writeFileSync(path, JSON.stringify(log));
  return path;
}

const MARKING = 'TLP:AMBER+STRICT — OFFICIAL-SENSITIVE — EVALUATION TEAM ONLY';

/** One member of a ZIP, read with yauzl (the fixture's members are deflated). */
function readZipMember(path: string, member: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      let found = '';
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== member) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          // Duplicate member names: the last one wins, as in Inspect's reader.
          stream.on('end', () => {
            found = Buffer.concat(chunks).toString('utf8');
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => (found ? resolve(found) : reject(new Error(`${member} is not in ${path}`))));
      zip.readEntry();
    });
  });
}

type InspectHeader = {
  eval: { task: string; model: string };
  results: { total_samples: number; scores: { name: string; metrics: Record<string, { value: number }> }[] };
};
type InspectSample = { id: number | string; input: string | { role: string; content: string }[] };

/** What the fixture itself says: task, model, the accuracy, its stderr, and one sample's input. */
async function readFixture() {
  const header = JSON.parse(await readZipMember(FIXTURE, 'header.json')) as InspectHeader;
  const score = header.results.scores[0];
  if (!score?.metrics.accuracy || !score.metrics.stderr) throw new Error('the fixture has no accuracy and stderr');
  const sample = JSON.parse(await readZipMember(FIXTURE, 'samples/13_epoch_1.json')) as InspectSample;
  const input = typeof sample.input === 'string' ? sample.input : sample.input.map((m) => m.content).join('\n');
  return {
    task: header.eval.task,
    model: header.eval.model,
    scorer: score.name,
    accuracy: score.metrics.accuracy.value,
    stderr: score.metrics.stderr.value,
    samples: header.results.total_samples,
    sampleId: String(sample.id),
    sampleInput: input,
  };
}

/** The value as the UI writes it: up to 4 significant digits below 1. */
function shown(n: number): string {
  return String(Number(n.toPrecision(4)));
}

function runsWithCli(dataDir: string, engagementId: string): unknown[] {
  const r = spawnSync(process.execPath, [CLI, 'runs', '--engagement', engagementId, '--json', '--data-dir', dataDir], {
    encoding: 'utf8',
    env: { ...process.env, EVALNOTES_PASSPHRASE: ADA.passphrase },
  });
  if (r.status !== 0) throw new Error(`evalnotes runs failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

let browser: Browser;
let dataDir: string;
let host: ServeHost;
let page: Page;
/** Every URL the page asked for, to prove it talked to nothing but the serve host. */
let requested: string[];
/** Console errors, to catch Content-Security-Policy violations (recharts draws with style props). */
let consoleErrors: string[];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

let session: Session;
beforeEach(async () => {
  session = await openSession(browser, { prefix: 'evalnotes-e2e-results-', height: 900 });
  ({ dataDir, host, page, requested, consoleErrors } = session);
});
afterEach(async () => {
  await session.close();
});

async function shot(name: string): Promise<void> {
  await clearToasts(page);
  await screenshot(page, name);
}

/** Scrolls <main> so the element sits at the top of the screen. */
async function scrollToTop(locator: Locator): Promise<void> {
  await locator.evaluate((el) => (el as unknown as { scrollIntoView(o: { block: string }): void }).scrollIntoView({ block: 'start' }));
}

async function expectNoSeriousA11yViolations(): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

/** From an empty workspace to Orion-2 rc3 open on its Runs section; returns the engagement id. */
async function openOrionRuns(): Promise<string> {
  const id = await openOrion(page, 'Runs');
  expect(page.url()).toMatch(/\/runs$/);
  return id;
}

function expectOnlyServeHostRequests(): void {
  expect(requested.length).toBeGreaterThan(0);
  expect(requested.filter((url) => new URL(url).origin !== host.origin)).toEqual([]);
}

function expectNoCspViolations(): void {
  expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
}

describe('evaluation results in the browser', () => {
  it('imports a real Inspect log, marks it against a local threshold and finds a sample by a word in it', async () => {
    const fx = await readFixture();
    // Sanity of the fixture itself: the threshold below is met, and the search word is in the sample's input.
    const THRESHOLD = 0.35;
    expect(fx.accuracy >= THRESHOLD).toBe(true);
    expect(fx.sampleInput).toContain('fatigue');

    await openOrionRuns();
    const sections = new EngagementSections(page);
    const runs = new RunsPage(page);
    const run = new RunDetailPage(page);
    const thresholds = new ThresholdsPage(page);

    // The marking frames the results screens too.
    expect(await new EngagementPage(page).markings.allTextContents()).toEqual([MARKING, MARKING]);
    expect(await page.getByText('No runs yet').isVisible()).toBe(true);

    // A local threshold for the fixture's task, scorer and metric, before the import.
    await sections.open('Thresholds');
    expect(await page.getByRole('note', { name: 'Sensitive' }).textContent()).toContain('Sensitive — stays on this machine');
    await thresholds.add({ task: fx.task, scorer: fx.scorer, metric: 'accuracy', comparison: '>=', value: String(THRESHOLD) });
    await thresholds.table.getByRole('cell', { name: fx.task, exact: true }).waitFor();
    expect(await thresholds.table.getByRole('row').nth(1).textContent()).toContain(`>= (at least)${THRESHOLD}`);

    // Import through the file chooser; the outcome names the run and its numbers.
    await sections.open('Runs');
    await runs.importWithChooser([FIXTURE]);
    const card = await runs.waitForImportFinished();
    expect(await card.getByRole('status').textContent()).toBe('Import finished: 1 imported.');
    const outcome = await card.locator('.outcome').textContent();
    expect(outcome).toContain(basename(FIXTURE));
    expect(outcome).toContain(fx.task);
    expect(outcome).toContain(fx.model);
    expect(outcome).toContain(`accuracy ${shown(fx.accuracy)} ± ${shown(fx.stderr)}`);
    expect(outcome).toContain(`(n = ${fx.samples})`);
    await shot('results-import-outcome');

    // The run is listed with its key result and the threshold it meets.
    const row = runs.row(fx.task);
    await row.waitFor();
    const rowText = await row.textContent();
    expect(rowText).toContain(fx.model);
    expect(rowText).toContain('Inspect .eval');
    expect(rowText).toContain('Success');
    expect(rowText).toContain(shown(fx.accuracy));
    expect(await row.locator('.badge--meets').textContent()).toBe('✓ meets');
    await shot('results-runs-table');
    await expectNoSeriousA11yViolations();

    // Sortable headers say how they sort; the filter narrows by text.
    const taskHeader = runs.header('Task');
    expect(await taskHeader.getAttribute('aria-sort')).toBe('none');
    await taskHeader.getByRole('button').click();
    expect(await taskHeader.getAttribute('aria-sort')).toBe('ascending');
    await taskHeader.getByRole('button').click();
    expect(await taskHeader.getAttribute('aria-sort')).toBe('descending');
    await runs.filter.fill('no such task');
    await page.getByText('No run matches').waitFor();
    expect(await runs.row(fx.task).count()).toBe(0);
    await runs.filter.fill(fx.task.slice(0, 8));
    await runs.row(fx.task).waitFor();

    // The run page: the fixture's value, its stderr and n, and the verdict in words.
    await runs.openRun(fx.task);
    const accuracy = run.metricRow('accuracy');
    await accuracy.waitFor();
    expect(await accuracy.getByTestId('metric-value').textContent()).toBe(`${shown(fx.accuracy)} ± ${shown(fx.stderr)}`);
    expect(await accuracy.getByRole('cell', { name: String(fx.samples), exact: true }).count()).toBe(1);
    expect(await accuracy.textContent()).toContain(`≥ ${THRESHOLD}`);
    expect(await accuracy.locator('.badge').textContent()).toBe('✓ meets');
    expect(await page.getByRole('main').textContent()).toContain(basename(FIXTURE));
    await run.chart.waitFor();
    expect(await page.getByRole('img', { name: /^accuracy per task/ }).getAttribute('aria-label')).toContain(`${shown(fx.accuracy)} ✓ (threshold ≥ ${THRESHOLD})`);
    expect(await new EngagementPage(page).markings.allTextContents()).toEqual([MARKING, MARKING]);
    await shot('results-run-page-light');
    await expectNoSeriousA11yViolations();

    // Samples: all of them, the solved ones (as many as the accuracy says), then found by a word in one sample's input.
    await page.getByText(`${fx.samples} samples`, { exact: true }).waitFor();
    const show = page.getByLabel('Show');
    await show.selectOption('solved');
    await page.getByText(`${Math.round(fx.accuracy * fx.samples)} solved samples`, { exact: true }).waitFor();
    await show.selectOption('all');
    await page.getByText(`${fx.samples} samples`, { exact: true }).waitFor();
    await run.search.fill('fatigue');
    await page.getByText(/\d+ samples? with “fatigue”/).waitFor();
    const found = run.sampleRow(fx.sampleId);
    await found.waitFor();
    await found.click();
    await run.detail.waitFor();
    expect(await run.detail.getByRole('heading', { level: 3 }).textContent()).toBe(`Sample ${fx.sampleId}, epoch 1`);
    expect(await run.detailBlock('Input').textContent()).toContain(fx.sampleInput);
    expect(await found.getAttribute('aria-selected')).toBe('true');
    await scrollToTop(page.getByRole('heading', { level: 2, name: 'Samples' }));
    await shot('results-sample-detail');

    // The keyboard moves through the samples and the detail follows.
    await run.search.fill('');
    await page.getByText(`${fx.samples} samples`, { exact: true }).waitFor();
    await run.search.press('ArrowDown');
    const first = await page.locator(':focus').getAttribute('aria-rowindex');
    expect(first).toBe('2');
    const firstTitle = await run.detail.getByRole('heading', { level: 3 }).textContent();
    await page.keyboard.press('ArrowDown');
    await page.locator('[aria-rowindex="3"]:focus').waitFor();
    await run.detail.getByRole('heading', { level: 3 }).filter({ hasNotText: firstTitle ?? '' }).waitFor();
    expect(await page.locator(':focus').getAttribute('aria-selected')).toBe('true');

    // Dark theme: the chart and badges stay readable.
    await new Sidebar(page).cycleThemeTo('Dark');
    await scrollToTop(page.locator('.breadcrumb'));
    await shot('results-run-page-dark');
    await expectNoSeriousA11yViolations();
    await new Sidebar(page).cycleThemeTo('Light');

    // Raise the threshold above the result: the run page now says it misses.
    await sections.open('Thresholds');
    await thresholds.table.getByRole('button', { name: /^Edit / }).click();
    await page.getByLabel(/^Comparison for /).selectOption('>');
    await page.getByLabel(/^Value for /).fill('0.9');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await thresholds.table.getByRole('cell', { name: '0.9', exact: true }).waitFor();
    expect(await thresholds.table.getByRole('row').nth(1).textContent()).toContain('> (more than)');
    await shot('results-thresholds');
    await expectNoSeriousA11yViolations();
    await page.goBack();
    await run.metricRow('accuracy').locator('.badge', { hasText: 'misses' }).waitFor();
    expect(await run.metricRow('accuracy').textContent()).toContain('> 0.9');

    // A threshold the service refuses is explained in one sentence.
    await sections.open('Thresholds');
    await thresholds.add({ task: '', scorer: '', metric: 'accuracy', comparison: '>=', value: '0.5' });
    await thresholds.error.waitFor();
    expect(await thresholds.error.textContent()).toMatch(/^task: .+/);

    // Deleting asks first; then the threshold is gone.
    await thresholds.table.getByRole('button', { name: /^Delete / }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this threshold?' });
    await dialog.getByRole('button', { name: 'Delete threshold' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('No thresholds yet').waitFor();

    expectOnlyServeHostRequests();
    expectNoCspViolations();
  });

  it('refuses a file that is not a log in one sentence, says when a log is already imported, and lists results added by hand', async () => {
    const fx = await readFixture();
    const engagementId = await openOrionRuns();
    const runs = new RunsPage(page);
    const run = new RunDetailPage(page);

    // A text file dropped on the view: one sentence, nothing imported.
    await runs.dropFiles([{ name: 'meeting-notes.txt', mimeType: 'text/plain', bytes: Buffer.from('Notes from the stand-up: nothing to import here.\n') }], async () => {
      await page.locator('.drop-area.is-drag-over').waitFor();
      await shot('results-drag-over');
    });
    let card = await runs.waitForImportFinished();
    const failed = card.locator('.outcome--failed');
    await failed.waitFor();
    const sentence = (await failed.locator('.outcome-error').textContent()) ?? '';
    expect(sentence).toMatch(/^[^\n]+[.!]$/);
    expect(sentence.split(/(?<=\.)\s+(?=[A-Z])/).length).toBe(1);
    expect(await failed.textContent()).toContain('meeting-notes.txt was not imported');
    await shot('results-import-failed');
    expect(await page.getByText('No runs yet').isVisible()).toBe(true);
    expect(runsWithCli(dataDir, engagementId)).toEqual([]);

    // While a file is still on its way, the import can be cancelled; nothing is imported then.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let continued: Promise<void> = Promise.resolve();
    await page.route('**/files?name=*', (route) => (continued = held.then(() => route.continue())));
    await runs.importWithChooser([FIXTURE]);
    card = runs.latestImport;
    await card.getByText('Sending…').waitFor();
    expect(await card.getByRole('status').textContent()).toBe('Sending 1 file to EvalNotes…');
    await shot('results-import-uploading');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await card.getByRole('status').filter({ hasText: 'Import cancelled.' }).waitFor();
    release();
    await continued;
    await page.unroute('**/files?name=*');
    expect(runsWithCli(dataDir, engagementId)).toEqual([]);

    // The real log, then the same bytes dropped again: the second is a no-op that says so, with a link.
    await runs.importWithChooser([FIXTURE]);
    card = await runs.waitForImportFinished();
    expect(await card.getByRole('status').textContent()).toBe('Import finished: 1 imported.');
    await runs.row(fx.task).waitFor();
    await runs.dropFiles([{ name: basename(FIXTURE), mimeType: 'application/octet-stream', bytes: readFileSync(FIXTURE) }]);
    card = await runs.waitForImportFinished();
    expect(await card.getByRole('status').textContent()).toBe('Import finished: 0 imported, 1 already imported.');
    const duplicate = card.locator('.outcome--duplicate');
    expect(await duplicate.textContent()).toMatch(/already imported/i);
    expect(runsWithCli(dataDir, engagementId)).toHaveLength(1);
    await duplicate.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: fx.task }).waitFor();
    await new EngagementSections(page).open('Runs');

    // Results by hand: a refusal first (no metric), then a run with a NaN among its results.
    await page.getByRole('button', { name: 'Add results by hand' }).click();
    const manual = page.getByRole('form', { name: 'Add results by hand' });
    await manual.getByLabel('Task', { exact: true }).fill('cyber_ctf');
    await manual.getByLabel('Model', { exact: true }).fill('orion-2-rc3');
    await manual.getByLabel('Value, result line 1').fill('0.41');
    await manual.getByRole('button', { name: 'Save run' }).click();
    const refusal = manual.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^Result line 1, metric: .+/);
    expect(await manual.getByLabel('Metric, result line 1').getAttribute('aria-invalid')).toBe('true');
    expect(runsWithCli(dataDir, engagementId)).toHaveLength(1);

    await manual.getByLabel('Scorer or filter, result line 1').fill('flag_match');
    await manual.getByLabel('Metric, result line 1').fill('accuracy');
    await manual.getByLabel('Stderr, result line 1').fill('0.05');
    await manual.getByLabel('n, result line 1').fill('212');
    await manual.getByRole('button', { name: 'Add a result line' }).click();
    await manual.getByLabel('Metric, result line 2').fill('mean_turns');
    await manual.getByLabel('Value, result line 2').fill('NaN');
    await shot('results-manual-form');
    await expectNoSeriousA11yViolations();
    await manual.getByRole('button', { name: 'Save run' }).click();
    await manual.waitFor({ state: 'detached' });

    const manualRow = runs.row('cyber_ctf');
    await manualRow.waitFor();
    expect(await manualRow.textContent()).toContain('Manual entry');
    expect(await manualRow.textContent()).toContain('0.41 ± 0.05');
    expect(await manualRow.textContent()).toContain('(n = 212)');
    expect(runsWithCli(dataDir, engagementId)).toHaveLength(2);
    await runs.openRun('cyber_ctf');
    // Unscored is shown as NaN, never as 0 or a blank.
    expect(await run.metricRow('mean_turns').getByTestId('metric-value').textContent()).toBe('NaN');

    // A log carrying a credential: the warning comes first, says where, and never shows the secret.
    await new EngagementSections(page).open('Runs');
    const leaky = writeLogWithToken(dataDir);
    await runs.importWithChooser([leaky.path]);
    card = await runs.waitForImportFinished();
    const warning = card.getByRole('alert').filter({ hasText: 'Credential-shaped strings found' });
    await warning.waitFor();
    const warningText = (await warning.textContent()) ?? '';
    expect(warningText).toContain('github-token');
    expect(warningText).toContain('scored_with_token.json');
    expect(warningText).not.toContain(leaky.token);
    // First: above the per-file outcome.
    const warningBox = await warning.boundingBox();
    const outcomeBox = await card.locator('.outcome').first().boundingBox();
    expect((warningBox?.y ?? Infinity) < (outcomeBox?.y ?? 0)).toBe(true);
    await shot('results-credential-warning');
    await card.getByRole('link', { name: 'input_task' }).click();
    await page.getByRole('heading', { level: 1, name: 'input_task' }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'Credential-shaped strings found' }).textContent()).toContain('github-token');

    expectOnlyServeHostRequests();
    expectNoCspViolations();
  });

  it('shows an import’s progress while the rest of the app stays usable, and cancels it', async () => {
    const engagementId = await openOrionRuns();
    const runs = new RunsPage(page);
    const longLog = writeLongLog(dataDir, 4000);

    await runs.importWithChooser([longLog]);
    const card = runs.latestImport;
    const bar = card.getByRole('progressbar', { name: 'Importing long_run.json' });
    await bar.waitFor({ timeout: 60_000 });
    await card.getByText('%').waitFor();
    await shot('results-import-progress');

    // Meanwhile the other sections open and work.
    const sections = new EngagementSections(page);
    await sections.open('Thresholds');
    await page.getByRole('heading', { level: 2, name: 'Add a threshold' }).waitFor();
    await sections.open('Runs');
    expect(await runs.latestImport.getByRole('status').textContent()).toMatch(/^(Importing 1 file…|Import (finished|cancelled))/);

    await runs.latestImport.getByRole('button', { name: 'Cancel' }).click();
    const done = await runs.waitForImportFinished();
    expect(await done.getByRole('status').textContent()).toBe('Import cancelled.');
    expect(await page.getByText('No runs yet').isVisible()).toBe(true);
    expect(runsWithCli(dataDir, engagementId)).toEqual([]);
    expectOnlyServeHostRequests();
  });
});
