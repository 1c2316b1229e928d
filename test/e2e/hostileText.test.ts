/**
 * Hostile text in every field a person or a bundle can fill (issue 7, item 5):
 * names, Markdown sections, notes, tags-free one-liners, threshold keys, review
 * comments and a determination's rationale all carry script, event-handler,
 * SVG, iframe, javascript: and remote-image payloads. Every screen that shows
 * them is opened; nothing may run (a payload would set window.__pwned or open a
 * dialog), nothing may be even attempted against the CSP (a
 * securitypolicyviolation event), nothing may be fetched from another origin,
 * and no active element or attribute may reach the DOM. The payloads must
 * still be visible as the text they are. Needs a build first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, runCli } from '../helpers/cli';
import { cleanScreenshot, launchBrowser, SearchPalettePage, startServe, UnlockPage, type ServeHost } from './pages';

const PASSPHRASE = 'supervisor passphrase one';
/** One line, for names: an event handler and an SVG onload. */
const NAME = `<img src=x onerror="window.__pwned='name'"><svg onload="window.__pwned='svg-name'">`;
/** Markdown with every way in we know of. */
const MARKDOWN = [
  `# Heading <img src=x onerror="window.__pwned='img'">`,
  `<script>window.__pwned='script'</script>`,
  `<svg onload="window.__pwned='svg'"><circle r="5"/></svg>`,
  `<iframe src="javascript:window.__pwned='iframe'"></iframe>`,
  `[click me](javascript:window.__pwned='link')`,
  `![tracker](https://evil.example/pixel.png)`,
  `<a href="https://evil.example/">raw link</a>`,
  `<style>body { background: url(https://evil.example/bg.png) }</style>`,
  `<form action="https://evil.example/"><button>go</button></form>`,
  'pwnedmarker',
].join('\n\n');

let browser: Browser;
let context: BrowserContext;
let page: Page;
let host: ServeHost;
let dataDir: string;
let engagement = '';
let finding = '';
const requested: string[] = [];
const dialogs: string[] = [];

const cli = (args: string[]) => runCli(['--data-dir', dataDir, ...args], { env: { EVALNOTES_PASSPHRASE: PASSPHRASE } });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'evalnotes-e2e-hostile-'));
  const md = join(dataDir, '..', `hostile-${Date.now()}.md`);
  writeFileSync(md, MARKDOWN);
  // Through the CLI, as a script or an ingested bundle would put them there: the UI's own forms are not the only way in.
  ok(cli(['init', '--name', NAME, '--org', NAME, '--role', 'supervisor']));
  engagement = (
    JSON.parse(
      ok(cli(['engagement', 'add', '--developer', NAME, '--model', NAME, '--model-version', 'rc1', '--access-start', '2026-03-01', '--banner', NAME, '--partner', NAME, '--tlp', 'AMBER', '--json'])),
    ) as { id: string }
  ).id;
  finding = (
    JSON.parse(
      ok(
        cli([
          'finding', 'add', '--engagement', engagement, '--title', `${NAME} pwnedmarker`, '--kind', 'other', '--severity', 'high',
          '--description-file', md, '--reproduction-file', md, '--impact-file', md, '--remediation-file', md, '--json',
        ]),
      ),
    ) as { id: string }
  ).id;
  ok(cli(['note', 'add', '--on', engagement, '--file', md]));
  ok(cli(['note', 'add', '--on', finding, '--file', md]));
  ok(cli(['threshold', 'add', '--engagement', engagement, '--task', NAME, '--scorer', NAME, '--metric', NAME, '--comparison', '>=', '--value', '0.5']));
  ok(cli(['review', '--finding', finding, '--verdict', 'needs-info', '--comment', MARKDOWN]));
  ok(cli(['determine', '--engagement', engagement, '--decision', 'pending', '--rationale', MARKDOWN]));
  rmSync(md);

  browser = await launchBrowser();
  host = await startServe(dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
  page = await context.newPage();
  // Anything that runs, or that the CSP had to stop, leaves a trace here.
  await page.addInitScript({ content: WATCH_VIOLATIONS });
  page.on('request', (r) => requested.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.clock.setFixedTime(new Date('2026-03-12T10:00:00'));
  await page.goto(host.url);
  await new UnlockPage(page).unlock(PASSPHRASE);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await host?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs in the page before the app: every CSP violation is kept. (A string: the test project has no DOM types.) */
const WATCH_VIOLATIONS = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));
`;

/** In the page: what ran, what the CSP stopped, and every active element or attribute in the DOM. */
const TRACES = `(() => {
  const active = [];
  for (const el of document.body.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'object', 'embed', 'base'].includes(tag)) active.push(tag);
    if (tag === 'form' && el.hasAttribute('action')) active.push('form[action]');
    if (tag === 'script' && !el.hasAttribute('src')) active.push('inline script');
    if (tag === 'style' && el.closest('main')) active.push('style in content');
    if (tag === 'img' && /^(https?:)?\\/\\//i.test(el.getAttribute('src') ?? '')) active.push('img ' + el.getAttribute('src'));
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) active.push(tag + '[' + attr.name + ']');
      if (/^(href|src|action|xlink:href)$/i.test(attr.name) && /^\\s*(javascript|vbscript|data):/i.test(attr.value)) active.push(tag + '[' + attr.name + '=' + attr.value + ']');
    }
  }
  return { pwned: window.__pwned, violations: window.__violations, active };
})()`;

type Traces = { pwned: unknown; violations: string[]; active: string[] };

async function visit(hash: string, shows: RegExp, shot: string): Promise<void> {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
  await page.getByText(shows).first().waitFor();
  // Give anything that would run on load (onerror of an image that failed, onload of an SVG) the time to.
  await page.waitForTimeout(300);
  await cleanScreenshot(page, `hostile-${shot}`);
  const t = await page.evaluate<Traces>(TRACES);
  expect(t.pwned, `${shot}: a payload ran`).toBeUndefined();
  expect(t.violations, `${shot}: the CSP had to stop something`).toEqual([]);
  expect(t.active, `${shot}: active content in the DOM`).toEqual([]);
  expect(dialogs, `${shot}: a dialog opened`).toEqual([]);
  expect(requested.filter((u) => new URL(u).origin !== host.origin), `${shot}: a request left the app`).toEqual([]);
}

describe('hostile text in every field', () => {
  it('runs nothing, loads nothing and shows it as text, on every screen that shows it', async () => {
    await visit('#/dashboard', /Dashboard/, 'dashboard');
    await visit(`#/engagements/${engagement}`, /onerror=/, 'engagement');
    await visit(`#/engagements/${engagement}/findings`, /pwnedmarker/, 'findings');
    await visit(`#/engagements/${engagement}/findings/${finding}`, /window\.__pwned='script'/, 'finding');
    // The payloads are shown as what they are, not dropped.
    const main = page.getByRole('main');
    await expect.poll(() => main.getByText(`<script>window.__pwned='script'</script>`).count()).toBeGreaterThan(0);
    await visit(`#/engagements/${engagement}/journal`, /pwnedmarker/, 'journal');
    await visit(`#/engagements/${engagement}/thresholds`, /onerror=/, 'thresholds');
    await visit(`#/engagements/${engagement}/determination`, /pwnedmarker/, 'determination');
    await visit('#/keys', /onerror=/, 'keys');

    // Search snippets are highlighted markup built from the matched text: a classic way in.
    const palette = new SearchPalettePage(page);
    await palette.open();
    await palette.search('pwnedmarker');
    expect(await palette.hits.count()).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    await cleanScreenshot(page, 'hostile-search');
    const t = await page.evaluate<Traces>(TRACES);
    expect(t.pwned).toBeUndefined();
    expect(t.violations).toEqual([]);
    expect(t.active).toEqual([]);
    expect(dialogs).toEqual([]);
  }, 180_000);
});
