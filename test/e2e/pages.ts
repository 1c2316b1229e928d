/**
 * Page objects for the e2e tests: the real CLI's serve host in its own process,
 * Debian's Chromium, and one small class per screen so the tests read like the
 * person's path (JOURNEYS.md) rather than like selectors.
 */
import AxeBuilder from '@axe-core/playwright';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { e2eNetwork, recordContexts, type NetworkRecorder } from './network';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'out/main/cli.js');
export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Every context of the browser is recorded (network.ts); test/setup/e2e.ts fails a file whose pages left the app's origin. */
export async function launchBrowser(recorder: NetworkRecorder = e2eNetwork): Promise<Browser> {
  return recordContexts(await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }), recorder);
}

/** pid: the serve process, whose memory the bench reads (test/bench/findingsTable.ts). */
export type ServeHost = { url: string; origin: string; pid: number; stop(): Promise<void> };

/**
 * Starts `evalnotes serve` as a user would (the built CLI, no special
 * environment; `serveArgs` are more of its options) and waits for its first
 * line, which carries the link.
 */
export async function startServe(dataDir: string, serveArgs: readonly string[] = []): Promise<ServeHost> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, ...serveArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`evalnotes serve printed no link within 30 s; stderr: ${stderr}`)), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`evalnotes serve exited with ${code}; stderr: ${stderr}`));
    });
  });
  const match = /^EvalNotes is serving at (http:\/\/127\.0\.0\.1:\d+\/\S*)$/.exec(firstLine);
  if (!match?.[1]) throw new Error(`Unexpected first line from evalnotes serve: ${firstLine}`);
  const url = match[1];
  e2eNetwork.allowOrigin(url);
  return {
    url,
    origin: new URL(url).origin,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // SIGTERM lets the host close its workspace cleanly; a host that hangs is killed.
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** The engagements the workspace holds, asked of the CLI in a separate process. */
/** A fresh workspace served by the real CLI, and a page on it that records what it asked for and what it logged. */
export type Session = {
  dataDir: string;
  host: ServeHost;
  context: BrowserContext;
  page: Page;
  /** Every URL the page asked for, to prove it talked to nothing but the serve host. */
  requested: string[];
  /** Console errors and page errors (a Content-Security-Policy violation shows up here). */
  consoleErrors: string[];
  close(): Promise<void>;
};

/** Opens a session on day 12 of Ada's 30-day window (access started 2026-03-01). */
export async function openSession(browser: Browser, opts: { prefix: string; height: number; dataDir?: string; serveArgs?: readonly string[] }): Promise<Session> {
  // A given folder holds a workspace prepared beforehand (a damaged one, say).
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), opts.prefix));
  const host = await startServe(dataDir, opts.serveArgs);
  const context = await browser.newContext({ viewport: { width: 1280, height: opts.height }, colorScheme: 'light' });
  const page = await context.newPage();
  const requested: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.clock.setFixedTime(new Date('2026-03-12T10:00:00'));
  await page.goto(host.url);
  return {
    dataDir,
    host,
    context,
    page,
    requested,
    consoleErrors,
    async close() {
      await context.close();
      await host.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function listEngagementsWithCli(dataDir: string): unknown[] {
  const r = spawnSync(process.execPath, [CLI, 'engagements', '--json', '--data-dir', dataDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`evalnotes engagements failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** axe-core on the current screen; returns the serious and critical violations, described for the failure message. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  // Guard against a vacuous pass (for example axe blocked from running on the page).
  if (results.passes.length === 0) throw new Error('axe-core checked nothing on this page');
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export type IdentityDetails = { name: string; org: string; role: 'evaluator' | 'supervisor'; passphrase: string };

export class FirstRunPage {
  constructor(private readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Create your identity' });
  }

  get encrypt(): Locator {
    return this.page.getByRole('checkbox', { name: /Encrypt this workspace/ });
  }

  /** Fills the form (ticking "Encrypt this workspace" when asked) and submits it. */
  async createIdentity(id: IdentityDetails, opts: { encrypt?: boolean } = {}): Promise<void> {
    await this.page.getByLabel('Your name').fill(id.name);
    await this.page.getByLabel('Organisation').fill(id.org);
    await this.page.getByRole('radio', { name: id.role === 'evaluator' ? /Evaluator/ : /Supervisor/ }).check();
    await this.page.getByLabel('Passphrase', { exact: true }).fill(id.passphrase);
    await this.page.getByLabel('Confirm passphrase').fill(id.passphrase);
    if (opts.encrypt) await this.encrypt.check();
    await this.page.getByRole('button', { name: 'Create identity' }).click();
  }

  get fingerprint(): Locator {
    return this.page.getByTestId('fingerprint');
  }

  async continue(): Promise<void> {
    await this.page.getByRole('button', { name: 'Continue' }).click();
  }

  /** First run from start to the main screen. */
  async completeWith(id: IdentityDetails): Promise<void> {
    await this.heading.waitFor();
    await this.createIdentity(id);
    await this.page.getByRole('heading', { name: 'Your identity is ready' }).waitFor({ timeout: 30_000 });
    await this.continue();
  }
}

export class UnlockPage {
  constructor(private readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { name: 'Unlock EvalNotes' });
  }

  get error(): Locator {
    return this.page.getByRole('alert').filter({ hasText: /\S/ });
  }

  async unlock(passphrase: string): Promise<void> {
    await this.page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await this.page.getByRole('button', { name: 'Unlock' }).click();
  }
}

export class Sidebar {
  constructor(private readonly page: Page) {}

  get nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Engagements' });
  }

  engagement(title: string): Locator {
    return this.nav.getByRole('link', { name: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
  }

  get engagements(): Locator {
    return this.nav.getByRole('link');
  }

  /** "Current" or "Closed": each group is a list named by its heading. */
  group(name: 'Current' | 'Closed'): Locator {
    return this.nav.getByRole('list', { name: new RegExp(`^${name}`) });
  }

  async newEngagement(): Promise<void> {
    await this.nav.getByRole('button', { name: /New engagement/ }).click();
  }

  async cycleThemeTo(theme: 'System' | 'Light' | 'Dark'): Promise<void> {
    const button = this.page.getByRole('button', { name: /^Theme: / });
    for (let i = 0; i < 3 && (await button.textContent())?.endsWith(`Theme: ${theme}`) !== true; i++) await button.click();
    expect(await button.textContent()).toMatch(new RegExp(`Theme: ${theme}$`));
  }

  async lock(): Promise<void> {
    await this.page.getByRole('button', { name: 'Lock' }).click();
  }
}

export type EngagementDetails = {
  developer: string;
  model: string;
  version: string;
  weightsDigest?: string;
  accessStart: string;
  windowDays: string;
  releaseDate?: string;
  tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
  banner: string;
  partners?: string[];
};

export class EngagementFormPage {
  constructor(private readonly page: Page) {}

  get form(): Locator {
    return this.page.getByRole('form');
  }

  get error(): Locator {
    return this.form.getByRole('alert');
  }

  async fill(e: EngagementDetails): Promise<void> {
    const page = this.page;
    await page.getByLabel('Developer').fill(e.developer);
    await page.getByLabel('Model', { exact: true }).fill(e.model);
    await page.getByLabel('Model version or checkpoint').fill(e.version);
    if (e.weightsDigest !== undefined) await page.getByLabel(/^Weights digest/).fill(e.weightsDigest);
    await page.getByLabel('Access start').fill(e.accessStart);
    await page.getByLabel('Window length in days').fill(e.windowDays);
    if (e.releaseDate !== undefined) await page.getByLabel(/^Planned release date/).fill(e.releaseDate);
    await page.getByLabel('TLP marking').selectOption(e.tlp);
    await page.getByLabel(/^Banner text/).fill(e.banner);
    for (const partner of e.partners ?? []) {
      await page.getByLabel('Trusted partners').fill(partner);
      await page.getByLabel('Trusted partners').press('Enter');
    }
  }

  async submit(): Promise<void> {
    await this.form.getByRole('button', { name: /Create engagement|Save changes/ }).click();
  }
}

export class EngagementPage {
  constructor(private readonly page: Page) {}

  heading(title: string): Locator {
    return this.page.getByRole('heading', { level: 1, name: title });
  }

  get windowLabel(): Locator {
    return this.page.getByTestId('window-label');
  }

  async edit(): Promise<void> {
    await this.page.getByRole('button', { name: 'Edit' }).click();
  }

  /** Close engagement, then confirm in the dialog. */
  async close(): Promise<void> {
    await this.page.getByRole('button', { name: 'Close engagement' }).click();
    await this.page.getByRole('dialog').getByRole('button', { name: 'Close engagement' }).click();
    await this.page.getByRole('dialog').waitFor({ state: 'hidden' });
  }

  /** The handling marking: one at the top of the screen and one at the bottom. */
  get markings(): Locator {
    return this.page.getByRole('note', { name: 'Handling marking' });
  }
}

/** The engagement's sections: Overview, Runs, Findings, Journal, Thresholds. */
export class EngagementSections {
  constructor(private readonly page: Page) {}

  get nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Engagement sections' });
  }

  async open(section: 'Overview' | 'Runs' | 'Findings' | 'Journal' | 'Thresholds' | 'Determination'): Promise<void> {
    await this.nav.getByRole('link', { name: section }).click();
    await this.nav.locator('a[aria-current="page"]').filter({ hasText: new RegExp(`^${section}$`) }).waitFor();
  }
}

export type DroppedFile = { name: string; mimeType: string; bytes: Buffer };

export class RunsPage {
  constructor(private readonly page: Page) {}

  get dropZone(): Locator {
    return this.page.getByTestId('drop-zone');
  }

  /** Import logs… then the browser's file chooser, as a person would. */
  async importWithChooser(paths: string[]): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.page.getByRole('button', { name: 'Import logs…' }).click();
    await (await chooser).setFiles(paths);
  }

  /** Drags files over the view and drops them (a real DataTransfer; Playwright cannot drag from the desktop). */
  async dropFiles(files: DroppedFile[], beforeDrop?: () => Promise<void>): Promise<void> {
    const payload = files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.bytes.toString('base64') }));
    const dataTransfer = await this.page.evaluateHandle((list) => {
      // Runs in the page; the test project has no DOM types, so name what is used.
      const w = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: Uint8Array[], name: string, opts: { type: string }) => unknown;
        atob(s: string): string;
      };
      const dt = new w.DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(w.atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new w.File([bytes], f.name, { type: f.mimeType }));
      }
      return dt;
    }, payload);
    await this.dropZone.dispatchEvent('dragenter', { dataTransfer });
    await this.dropZone.dispatchEvent('dragover', { dataTransfer });
    if (beforeDrop) await beforeDrop();
    await this.dropZone.dispatchEvent('drop', { dataTransfer });
  }

  /** The newest import's card. */
  get latestImport(): Locator {
    return this.page.locator('.import-card').first();
  }

  async waitForImportFinished(): Promise<Locator> {
    const card = this.latestImport;
    await card.getByRole('status').filter({ hasText: /^Import (finished|failed|cancelled)/ }).waitFor({ timeout: 60_000 });
    return card;
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Runs' });
  }

  row(task: string): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByRole('link', { name: task, exact: true }) });
  }

  header(name: string): Locator {
    return this.table.getByRole('columnheader', { name: new RegExp(`^${name}`) });
  }

  get filter(): Locator {
    return this.page.getByLabel('Filter runs');
  }

  async openRun(task: string): Promise<void> {
    await this.row(task).getByRole('link', { name: task, exact: true }).click();
    await this.page.getByRole('heading', { level: 1, name: task }).waitFor();
  }
}

export class RunDetailPage {
  constructor(private readonly page: Page) {}

  metricRow(metric: string): Locator {
    return this.page.getByTestId('metric-row').filter({ has: this.page.getByRole('cell', { name: metric, exact: true }) });
  }

  get chart(): Locator {
    return this.page.locator('.results-chart svg').first();
  }

  get search(): Locator {
    return this.page.getByLabel('Search samples');
  }

  get samples(): Locator {
    return this.page.getByRole('grid', { name: 'Samples' });
  }

  sampleRow(sampleId: string): Locator {
    return this.samples.getByRole('row').filter({ has: this.page.getByRole('gridcell', { name: sampleId, exact: true }) });
  }

  get detail(): Locator {
    return this.page.getByTestId('sample-detail');
  }

  detailBlock(title: 'Input' | 'Target' | 'Output'): Locator {
    return this.detail.getByRole('region', { name: title, exact: true }).locator('pre');
  }
}

export class ThresholdsPage {
  constructor(private readonly page: Page) {}

  async add(t: { task: string; scorer: string; metric: string; comparison: '>=' | '>' | '<=' | '<'; value: string }): Promise<void> {
    await this.page.getByLabel('Task', { exact: true }).fill(t.task);
    await this.page.getByLabel('Scorer or filter', { exact: true }).fill(t.scorer);
    await this.page.getByLabel('Metric', { exact: true }).fill(t.metric);
    await this.page.getByLabel('Comparison', { exact: true }).selectOption(t.comparison);
    await this.page.getByLabel('Value', { exact: true }).fill(t.value);
    await this.page.getByRole('button', { name: 'Add threshold' }).click();
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Thresholds' });
  }

  get error(): Locator {
    return this.page.locator('form.threshold-form').getByRole('alert');
  }
}

/** A file made in the test and handed to the page as a paste or a drop. */
export type PastedFile = { name: string; mimeType: string; bytes: Buffer };

/** Builds a real DataTransfer holding the files, in the page (the test project has no DOM types, so it names what it uses). */
function inPageDataTransfer(files: PastedFile[]) {
  return files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.bytes.toString('base64') }));
}

/** An autosaving CodeMirror editor: typed into like a person would, with its save state beside it. */
export class MarkdownEditorPart {
  constructor(
    private readonly page: Page,
    readonly input: Locator,
    readonly saveState: Locator,
  ) {}

  async type(text: string): Promise<void> {
    await this.input.click();
    await this.page.keyboard.press('Control+End');
    await this.page.keyboard.type(text);
  }

  async waitSaved(): Promise<void> {
    await this.saveState.filter({ hasText: /^Saved$/ }).waitFor();
  }
}

export class FindingsPage {
  constructor(private readonly page: Page) {}

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Findings' });
  }

  row(title: string): Locator {
    return this.table.getByTestId('finding-row').filter({ has: this.page.getByRole('link', { name: title, exact: true }) });
  }

  async create(f: { title: string; kind: string; severity: string }): Promise<void> {
    await this.page.getByRole('button', { name: /New finding/ }).click();
    const form = this.page.getByRole('form', { name: 'New finding' });
    await form.getByLabel('Title').fill(f.title);
    await form.getByLabel('Kind').selectOption({ label: f.kind });
    await form.getByLabel('Severity').selectOption({ label: f.severity });
    await form.getByRole('button', { name: 'Create finding' }).click();
    await this.page.getByRole('heading', { level: 1, name: f.title }).waitFor();
  }
}

export class FindingDetailPage {
  constructor(private readonly page: Page) {}

  get details(): Locator {
    return this.page.getByRole('form', { name: 'Finding details' });
  }

  section(name: 'description' | 'reproduction' | 'impact' | 'remediation'): MarkdownEditorPart {
    const writeup = this.page.getByRole('region', { name: 'Write-up' });
    return new MarkdownEditorPart(this.page, this.page.getByTestId(`section-${name}`), writeup.getByTestId('save-state'));
  }

  async addCwe(index: number, id: string, name: string): Promise<void> {
    await this.details.getByRole('button', { name: 'Add a CWE' }).click();
    await this.details.getByLabel(`CWE id, row ${index}`).fill(id);
    await this.details.getByLabel(`Name, row ${index}`).fill(name);
  }

  async saveDetails(): Promise<void> {
    await this.details.getByRole('button', { name: 'Save details' }).click();
    await this.details.getByRole('status').filter({ hasText: /^Details saved/ }).waitFor();
  }

  /** Dispatches a paste event carrying the files (a screenshot from the clipboard) on the element, composed like the browser's own. */
  async paste(target: Locator, files: PastedFile[]): Promise<void> {
    await target.evaluate((el, list) => {
      const w = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: Uint8Array[], name: string, opts: { type: string }) => unknown;
        ClipboardEvent: new (type: string, init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean; composed: boolean }) => unknown;
        atob(s: string): string;
      };
      const dt = new w.DataTransfer();
      for (const f of list) dt.items.add(new w.File([Uint8Array.from(w.atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.mimeType }));
      (el as unknown as { dispatchEvent(e: unknown): boolean }).dispatchEvent(new w.ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true, composed: true }));
    }, inPageDataTransfer(files));
  }

  get evidence(): Locator {
    return this.page.getByRole('list', { name: 'Evidence' });
  }

  /** Drags files over the evidence drop zone and drops them (a real DataTransfer). */
  async dropEvidence(files: PastedFile[]): Promise<void> {
    const zone = this.page.getByTestId('evidence-drop-zone');
    const dataTransfer = await this.page.evaluateHandle((list) => {
      const w = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } };
        File: new (parts: Uint8Array[], name: string, opts: { type: string }) => unknown;
        atob(s: string): string;
      };
      const dt = new w.DataTransfer();
      for (const f of list) dt.items.add(new w.File([Uint8Array.from(w.atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.mimeType }));
      return dt;
    }, inPageDataTransfer(files));
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('dragover', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });
  }

  get statusBadge(): Locator {
    return this.page.locator('.finding-badges .badge').first();
  }

  statusButton(label: string): Locator {
    return this.page.getByRole('group', { name: 'Change status' }).getByRole('button', { name: label });
  }

  get history(): Locator {
    return this.page.getByRole('region', { name: 'History' }).getByTestId('history-row');
  }
}

/** A list of notes with its "Write a note" button (a finding's, a run's, or the journal). */
export class NotesPart {
  constructor(
    private readonly page: Page,
    readonly region: Locator,
  ) {}

  get notes(): Locator {
    return this.region.getByTestId('note');
  }

  /** Writes a new note and waits until it is saved, then closes the editor. */
  async write(text: string): Promise<void> {
    await this.region.getByRole('button', { name: 'Write a note' }).click();
    const editor = this.region.getByTestId('note-editor').last();
    const part = new MarkdownEditorPart(this.page, editor.getByTestId('note-input'), editor.getByTestId('save-state'));
    await part.type(text);
    await part.waitSaved();
    await editor.getByRole('button', { name: 'Done' }).click();
    await editor.waitFor({ state: 'detached' });
  }
}

export class SearchPalettePage {
  constructor(private readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Search' });
  }

  get input(): Locator {
    return this.dialog.getByRole('combobox', { name: 'Search' });
  }

  get hits(): Locator {
    return this.dialog.getByRole('option');
  }

  async open(): Promise<void> {
    await this.page.keyboard.press('Control+k');
    await this.dialog.waitFor();
  }

  async search(text: string): Promise<void> {
    await this.input.fill(text);
    await this.dialog.getByRole('status').filter({ hasText: /result|Nothing matches/ }).waitFor();
  }
}

/** Ada and the engagement she works on (JOURNEYS.md): the people the e2e tests walk with. */
export const ADA: IdentityDetails = { name: 'Ada Lovelace', org: 'AI Security Institute', role: 'evaluator', passphrase: 'correct horse battery staple' };
export const ORION: EngagementDetails = {
  developer: 'Frontier Lab',
  model: 'Orion-2',
  version: 'rc3',
  accessStart: '2026-03-01',
  windowDays: '30',
  tlp: 'AMBER+STRICT',
  banner: 'OFFICIAL-SENSITIVE — EVALUATION TEAM ONLY',
};

/** From an empty workspace, as Ada, to Orion-2 rc3 open on one of its sections; returns the engagement id. */
export async function openOrion(page: Page, section: Parameters<EngagementSections['open']>[0]): Promise<string> {
  await new FirstRunPage(page).completeWith(ADA);
  await new Sidebar(page).newEngagement();
  const form = new EngagementFormPage(page);
  await form.fill(ORION);
  await form.submit();
  await new EngagementPage(page).heading('Orion-2 rc3').waitFor();
  await new EngagementSections(page).open(section);
  const id = /#\/engagements\/([0-9a-f-]{36})/.exec(page.url())?.[1];
  if (!id) throw new Error(`not on an engagement page: ${page.url()}`);
  return id;
}

/** Sam, the supervisor who receives Ada's bundles on another machine (JOURNEYS.md). */
export const SAM: IdentityDetails = { name: 'Sam Okoye', org: 'AI Security Institute', role: 'supervisor', passphrase: 'supervisor passphrase one' };

/** The sidebar's Workspace links: Bundles and Keys. */
export async function openWorkspaceScreen(page: Page, screen: 'Bundles' | 'Keys'): Promise<void> {
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: screen, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: screen }).waitFor();
}

export class KeysScreen {
  constructor(private readonly page: Page) {}

  get ownFingerprint(): Locator {
    return this.page.getByTestId('own-fingerprint');
  }

  /** Export public key, caught as the browser's download and saved at `to`. */
  async exportPublicKey(to: string): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.page.getByRole('button', { name: 'Export public key' }).click();
    const d = await download;
    await d.saveAs(to);
    return d.suggestedFilename();
  }

  get trustDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Trust a key' });
  }

  /** Trust a key…, then the .pub file from the browser's chooser; leaves the dialog open on its fingerprint. */
  async chooseKeyToTrust(path: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Trust a key…' }).click();
    const chooser = this.page.waitForEvent('filechooser');
    await this.trustDialog.getByRole('button', { name: /Choose .*file…/ }).click();
    await (await chooser).setFiles(path);
  }

  async completeTrust(name: string, role: 'Evaluator' | 'Supervisor'): Promise<void> {
    await this.trustDialog.getByLabel('Whose key').fill(name);
    await this.trustDialog.getByRole('radio', { name: new RegExp(`^${role}`) }).check();
    await this.trustDialog.getByRole('button', { name: 'Trust key' }).click();
    await this.trustDialog.waitFor({ state: 'hidden' });
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Trusted keys' });
  }

  row(name: string): Locator {
    return this.table.getByTestId('trusted-key-row').filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }
}

export class ExportBundleDialog {
  constructor(private readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: /^Export a signed bundle/ });
  }

  async open(): Promise<void> {
    await this.page.getByRole('button', { name: 'Export bundle…' }).click();
    await this.dialog.waitFor();
  }

  get marking(): Locator {
    return this.dialog.getByRole('note', { name: 'Marking of this bundle' });
  }

  get counts(): Locator {
    return this.dialog.getByRole('list', { name: 'Records in the bundle' });
  }

  get thresholdsLine(): Locator {
    return this.dialog.getByTestId('thresholds-line');
  }

  /** Export bundle, caught as the browser's download and saved at `to`; returns the name the download got. */
  async exportTo(to: string): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.dialog.getByRole('button', { name: 'Export bundle' }).click();
    const d = await download;
    await d.saveAs(to);
    return d.suggestedFilename();
  }
}

export class BundlesScreen {
  constructor(private readonly page: Page) {}

  /** Choose a bundle…, then the file from the browser's chooser: it is verified at once. */
  async choose(path: string): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.page.getByRole('button', { name: 'Choose a bundle…' }).click();
    await (await chooser).setFiles(path);
  }

  get status(): Locator {
    return this.page.getByTestId('bundle-status');
  }

  async waitForStatus(text: string | RegExp): Promise<void> {
    await this.status.filter({ hasText: text }).waitFor({ timeout: 60_000 });
  }

  get verdict(): Locator {
    return this.page.getByTestId('verdict');
  }

  get ingestButton(): Locator {
    return this.page.getByRole('button', { name: 'Ingest this bundle' });
  }

  async done(): Promise<void> {
    await this.page.getByRole('button', { name: 'Done with this bundle' }).click();
  }
}

// ── Issue 6: the supervisor's screens ──

/** A second evaluator on Orion-2, whose bundle reaches Sam beside Ada's. */
export const BEN: IdentityDetails = { name: 'Ben Carter', org: 'AI Security Institute', role: 'evaluator', passphrase: 'second evaluator passphrase' };

/** The sidebar's Dashboard link (a supervisor's home). */
export async function openDashboard(page: Page): Promise<DashboardScreen> {
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Dashboard', exact: true }).click();
  const dashboard = new DashboardScreen(page);
  await dashboard.heading.waitFor();
  return dashboard;
}

export class DashboardScreen {
  constructor(private readonly page: Page) {}

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1, name: 'Dashboard' });
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Engagements at a glance' });
  }

  /** An engagement's row, by the title its row header links to. */
  row(title: string): Locator {
    return this.table.getByTestId('dashboard-row').filter({ has: this.page.getByRole('link', { name: title, exact: true }) });
  }

  /** A headline tile ("awaiting a verdict", "urgent"…): pressing it narrows the table. */
  tile(focus: 'all' | 'urgent' | 'awaiting' | 'changed'): Locator {
    return this.page.getByTestId(`tile-${focus}`);
  }

  /** A figure in a chart or the table, by the accessible name of its link. */
  figure(name: string | RegExp): Locator {
    return this.page.getByRole('link', { name });
  }

  /** The engagement the per-engagement charts show. */
  get chosen(): Locator {
    return this.page.getByLabel('Engagement', { exact: true });
  }
}

/** The Reviews section of a finding: the verdict form (supervisors) and the list of reviews. */
export class ReviewPanelPart {
  constructor(private readonly page: Page) {}

  get region(): Locator {
    return this.page.getByRole('region', { name: 'Reviews' });
  }

  get form(): Locator {
    return this.page.getByRole('form', { name: 'Your verdict' });
  }

  async choose(verdict: 'Validated' | 'Rejected' | 'Needs more information'): Promise<void> {
    await this.form.getByRole('radio', { name: new RegExp(`^${verdict}`) }).check();
  }

  get comment(): Locator {
    return this.form.getByLabel(/^Comment/);
  }

  async record(): Promise<void> {
    await this.form.getByRole('button', { name: 'Record verdict' }).click();
  }

  get error(): Locator {
    return this.form.getByRole('alert');
  }

  get reviews(): Locator {
    return this.region.getByTestId('review');
  }
}

/** An engagement's Determination section. */
export class DeterminationScreen {
  constructor(private readonly page: Page) {}

  get current(): Locator {
    return this.page.getByTestId('current-determination');
  }

  get evidence(): Locator {
    return this.page.getByRole('table', { name: 'Results compared with thresholds' });
  }

  get form(): Locator {
    return this.page.getByRole('form', { name: 'Record the determination' });
  }

  /** Decision, rationale, then Record… and the confirmation. */
  async record(decision: 'Covered' | 'Not covered' | 'Pending', rationale: string): Promise<void> {
    await this.form.getByRole('radio', { name: new RegExp(`^${decision}`) }).check();
    await this.form.getByLabel('Rationale').fill(rationale);
    await this.form.getByRole('button', { name: /^(Record|Revise) determination…$/ }).click();
    const confirm = this.page.getByRole('dialog', { name: new RegExp(`^Record “${decision}”`) });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Record determination' }).click();
    await confirm.waitFor({ state: 'hidden' });
  }
}

export class ReportDialogPart {
  constructor(private readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: /^Report · / });
  }

  async open(): Promise<void> {
    await this.page.getByRole('button', { name: 'Report…' }).click();
    await this.dialog.waitFor();
  }

  get includeThresholds(): Locator {
    return this.dialog.getByRole('checkbox', { name: 'Include thresholds' });
  }

  format(name: 'PDF' | 'HTML'): Locator {
    return this.dialog.getByRole('radio', { name: new RegExp(`^${name}`) });
  }

  /** Save report, caught as the browser's download and saved at `to`; returns the name the download got. */
  async saveTo(to: string): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.dialog.getByRole('button', { name: 'Save report' }).click();
    const d = await download;
    await d.saveAs(to);
    return d.suggestedFilename();
  }
}

/**
 * Several people, each in a session of their own in one browser, and a scratch
 * folder for the files they hand each other (keys, bundles, reports). Call at
 * the top of a test file: it registers the hooks that start and stop them.
 */
export function peopleInOneBrowser(prefix: string): {
  readonly files: string;
  readonly sessions: readonly Session[];
  open(who: string, dataDir?: string, serveArgs?: readonly string[]): Promise<Session>;
} {
  let browser: Browser | undefined;
  let files = '';
  const sessions: Session[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
    files = mkdtempSync(join(tmpdir(), `${prefix}files-`));
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    await browser?.close();
    rmSync(files, { recursive: true, force: true });
  });
  return {
    get files() {
      return files;
    },
    sessions,
    async open(who, dataDir, serveArgs) {
      if (!browser) throw new Error('the browser starts in beforeAll');
      const s = await openSession(browser, { prefix: `${prefix}${who}-`, height: 1000, ...(dataDir ? { dataDir } : {}), ...(serveArgs ? { serveArgs } : {}) });
      sessions.push(s);
      return s;
    },
  };
}

/** Info notes fade after a few seconds; dismiss them so they do not cover what a screenshot is for. */
export async function clearToasts(page: Page): Promise<void> {
  const dismiss = page.getByRole('region', { name: 'Notifications' }).getByRole('button', { name: 'Dismiss' });
  for (let tries = 0; (await dismiss.count()) > 0; tries++) {
    if (tries === 20) throw new Error('the notifications would not go away');
    // A note may fade on its own between the count and the click: then count again.
    await dismiss
      .first()
      .click({ timeout: 2_000 })
      .catch(() => {});
  }
}

/** A screenshot without stray notifications (unless a dialog is what it shows). */
export async function cleanScreenshot(page: Page, name: string): Promise<void> {
  if ((await page.locator('dialog[open]').count()) === 0) await clearToasts(page);
  await screenshot(page, name);
}

export async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

/** Nothing was requested outside the app's own origin, and the CSP refused nothing. */
export function expectCleanSession(s: Session): void {
  expect(s.requested.filter((url) => new URL(url).origin !== s.host.origin)).toEqual([]);
  expect(s.consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
}
