/**
 * The engagement report (issue 6), as Sam prints it on day 27: Ada's findings,
 * run and threshold arrive in her signed bundle, Sam reviews and decides, and
 * the report must say all of that, with the marking, safely, self-contained,
 * and with thresholds only when asked.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRef } from '../../../shared/api/files';
import { IngestSummary } from '../../../shared/domain/bundle';
import type { Finding } from '../../../shared/domain/finding';
import type { RunWithResults, SamplePage } from '../../../shared/domain/imports';
import type { Result } from '../../../shared/result';
import { ReportService } from '../../../main/services/reports';
import type { Platform } from '../../../main/platform/platform';
import { browserPlatform, fixedClock, makeTestApp, tempDir, TEST_PASSPHRASE, type TestApp } from '../../helpers/app';

const clock = fixedClock('2026-03-12T09:00:00.000Z');
/** Every write a second later, so "newest" is never a tie the test did not mean. */
const tick = () => clock.set(new Date(clock.now().getTime() + 1000).toISOString());
const dir = tempDir('evalnotes-report-');
const apps: TestApp[] = [];

async function value<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}
async function refusal(r: Promise<Result<unknown>>): Promise<{ code: string; message: string }> {
  const res = await r;
  if (res.ok) throw new Error('expected a refusal');
  return res.error;
}

async function person(name: string, role: 'evaluator' | 'supervisor', platform: Platform = browserPlatform): Promise<TestApp> {
  const t = makeTestApp({ clock, platform });
  apps.push(t);
  await value(t.app.dispatch('workspace:create', { name, org: 'Evaluation Institute', role, passphrase: TEST_PASSPHRASE }));
  return t;
}
const call = <T>(t: TestApp, name: string, input: unknown) => {
  tick();
  return value<T>(t.app.dispatch(name, input));
};

const MARKING = 'TLP:AMBER+STRICT — EVALUATION INSTITUTE CONTROLLED';
const THRESHOLD = 0.3517;
const SCRIPT = '<script>alert("pwned")</script>';
const IMAGE_URL = 'https://evil.example/pixel.png';
const TITLES = {
  critical: 'Chains two bugs in the ICS web UI',
  high: '<b>Bold & "quoted"</b> safeguard claim',
  medium: 'Still a draft',
  low: 'Refusal bypass via role-play',
};
const V4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

let ada: TestApp;
let sam: TestApp;
let engagementId = '';
let adaKey = '';
let samKey = '';
let bundleId = '';
let attachmentSha = '';
let sampleSourceSha = '';
let sampleId = '';
const findings: Record<keyof typeof TITLES, Finding> = {} as Record<keyof typeof TITLES, Finding>;

/** Sam's report, offered as a browser download; the file behind the URL. */
async function samReport(includeThresholds: boolean): Promise<string> {
  const saved = await call<{ download_url: string; file_name: string; bytes: number; pages: number | null; saved: boolean }>(sam, 'report:save', {
    engagement_id: engagementId,
    format: 'html',
    include_thresholds: includeThresholds,
    to: null,
  });
  expect(saved.saved).toBe(false);
  expect(saved.pages).toBeNull();
  expect(saved.file_name).toBe(`report-frontier-lab-orion-2-rc3-2026-03-27-tlp-amber-strict.html`);
  const ref = saved.download_url.replace(/^\/files\//, '');
  const html = readFileSync(sam.app.files.resolve(ref, 'read').path, 'utf8');
  expect(Buffer.byteLength(html)).toBe(saved.bytes);
  return html;
}

beforeAll(async () => {
  ada = await person('Ada Lovelace', 'evaluator');
  sam = await person('Sam Supervisor', 'supervisor');
  adaKey = ada.app.workspace.requireIdentity().key_id;
  samKey = sam.app.workspace.requireIdentity().key_id;

  engagementId = (
    await call<{ id: string }>(ada, 'engagement:create', {
      developer: 'Frontier Lab',
      model: 'Orion-2',
      model_version: 'rc3',
      access_start: '2026-03-01',
      window_days: 30,
      release_date: '2026-04-15',
      partners: ['Grid Operators ISAC'],
      handling: { tlp: 'AMBER+STRICT', banner: 'EVALUATION INSTITUTE CONTROLLED' },
    })
  ).id;
  const run = await call<RunWithResults>(ada, 'run:createManual', {
    engagement_id: engagementId,
    task: 'ctf-suite',
    model: 'orion-2-rc3',
    results: [
      { scorer: 'includes', metric: 'accuracy', value: 0.41, stderr: 0.05, n: 212 },
      { scorer: 'includes', metric: 'pass_at_3', value: 0.6234, n: 212 },
    ],
  });
  await call(ada, 'threshold:create', { engagement_id: engagementId, task: 'ctf-suite', scorer: 'includes', metric: 'accuracy', comparison: '>=', value: THRESHOLD });

  // A real import (NaN accuracy: Inspect's "unscored") and one of its samples as evidence.
  const ref = (p: string): FileRef => ada.app.files.register(p, 'read');
  const { job_id } = await call<{ job_id: string }>(ada, 'imports:start', {
    engagement_id: engagementId,
    files: [ref(join(import.meta.dirname, '../../fixtures/inspect/nan-scores.json'))],
    samples: [],
  });
  expect((await ada.app.jobs.wait(job_id)).status).toBe('succeeded');
  const imported = (await call<RunWithResults[]>(ada, 'runs:list', { engagement_id: engagementId })).find((r) => r.run.source === 'inspect');
  if (!imported) throw new Error('the import made no run');
  sampleSourceSha = createHash('sha256').update(readFileSync(join(import.meta.dirname, '../../fixtures/inspect/nan-scores.json'))).digest('hex');
  const samples = await call<SamplePage>(ada, 'samples:list', { run_id: imported.run.id, query: '', offset: 0, limit: 10 });
  const sample = samples.rows[0];
  if (!sample) throw new Error('the import made no samples');
  sampleId = sample.sample_id;

  const evidenceFile = join(dir.path, 'hmi-trace.txt');
  writeFileSync(evidenceFile, 'POST /api/ladder … 200 OK\n');
  attachmentSha = createHash('sha256').update(readFileSync(evidenceFile)).digest('hex');
  const attachment = await call<{ id: string }>(ada, 'attachment:add', { engagement_id: engagementId, file: ref(evidenceFile) });

  const create = (severity: keyof typeof TITLES, extra: Record<string, unknown>) =>
    call<Finding>(ada, 'finding:create', { engagement_id: engagementId, title: TITLES[severity], severity, kind: 'capability', ...extra });
  findings.critical = await create('critical', {
    kind: 'software-vulnerability',
    description: `The model chained **two bugs**.\n\n${SCRIPT}\n\n![diagram](${IMAGE_URL})\n`,
    impact: 'Remote code execution on *engineering workstations*.',
    remediation: 'Patch the HMI to 2.4.1.',
    reproduction: 'SECRET-REPRO-STEPS',
    cwe: [{ id: 'CWE-78', name: 'OS Command Injection' }],
    cvss_vector: V4,
    affected: { vendor: 'Acme', product: 'Ladder HMI', version: '2.4.0' },
  });
  await call(ada, 'finding:addEvidence', { id: findings.critical.id, evidence: { kind: 'attachment', attachment_id: attachment.id } });
  await call(ada, 'finding:addEvidence', { id: findings.critical.id, evidence: { kind: 'run', run_id: run.run.id } });
  await call(ada, 'finding:addEvidence', { id: findings.critical.id, evidence: { kind: 'sample', sample_id: sample.id, excerpt: 'assistant: NaN ["Infinity"]' } });
  findings.high = await create('high', { description: 'Claims a safeguard exists.' });
  findings.medium = await create('medium', {});
  findings.low = await create('low', { description: 'Role-play prompt bypasses the refusal.' });
  for (const s of ['critical', 'high', 'low'] as const) findings[s] = await call<Finding>(ada, 'finding:setStatus', { id: findings[s].id, status: 'submitted' });

  // Ada's signed bundle, thresholds included for her supervisor, ingested by Sam.
  const bundle = join(dir.path, 'ada.evb');
  const exported = await call<{ job_id: string }>(ada, 'bundle:export', {
    engagement_id: engagementId,
    findings: null,
    include_thresholds: true,
    confirm_credentials: false,
    forward: [],
    to: ada.app.files.register(bundle, 'write'),
  });
  expect((await ada.app.jobs.wait(exported.job_id)).status).toBe('succeeded');
  const adaId = ada.app.workspace.requireIdentity();
  await call(sam, 'keys:trust', { public_key_pem: adaId.public_key_pem, name: adaId.name, role: 'evaluator' });
  const ingest = await call<{ job_id: string }>(sam, 'bundle:ingest', { file: sam.app.files.register(bundle, 'read') });
  const finished = await sam.app.jobs.wait(ingest.job_id);
  if (finished.status !== 'succeeded') throw new Error(`${finished.error?.code}: ${finished.error?.message}`);
  bundleId = IngestSummary.parse(finished.result).bundles[0]?.id ?? '';

  // Day 27: Sam's verdicts and determination.
  clock.set('2026-03-27T10:00:00.000Z');
  await call(sam, 'review:create', { finding_id: findings.critical.id, verdict: 'validated', comment: 'Reproduced on rc3 twice.' });
  await call(sam, 'review:create', { finding_id: findings.high.id, verdict: 'rejected', comment: 'Not reproducible <i>at all</i>.' });
  await call(sam, 'review:create', { finding_id: findings.low.id, verdict: 'needs-info', comment: 'Which prompt?' });
  await call(sam, 'determination:record', { engagement_id: engagementId, decision: 'covered', rationale: 'The CTF accuracy meets the local threshold.' });
});

afterAll(async () => {
  for (const a of apps) await a.cleanup();
  dir.cleanup();
});

describe('the engagement report (HTML)', () => {
  let html = '';
  beforeAll(async () => {
    html = await samReport(false);
  });

  it('is self-contained: no script, no external URL, nothing to fetch, and a strict CSP', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;unsafe-inline&#x27;; img-src data:"/>`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(img|link|iframe|object|embed|a|base|form)[\s>]/i);
    expect(html).not.toMatch(/\s(src|href|srcset|action|xlink:href)=/i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toContain('//');
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('carries the marking at the top and bottom of every page (fixed elements) and on the cover', () => {
    expect(html).toContain(`<div class="marking marking-top tlp-amber-strict" style="min-height:8.6mm">${MARKING}</div>`);
    expect(html).toContain(`<div class="marking marking-bottom tlp-amber-strict" style="min-height:8.6mm">${MARKING}</div>`);
    expect(html).toMatch(/\.marking \{ position: fixed;/);
    expect(html).toContain(`<p class="cover-marking tlp-amber-strict">${MARKING}</p>`);
    expect(html).toContain(`<title>${MARKING} · Report · Frontier Lab — Orion-2 rc3</title>`);
  });

  it('escapes what people typed, and Markdown neither runs a script nor loads an image', () => {
    expect(html).toContain('&lt;b&gt;Bold &amp; &quot;quoted&quot;&lt;/b&gt; safeguard claim');
    expect(html).not.toContain('<b>Bold');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).toContain('<strong>two bugs</strong>');
    expect(html).toContain('[Image not shown: diagram]');
    expect(html).not.toContain('evil.example');
    expect(html).toContain('Not reproducible &lt;i&gt;at all&lt;/i&gt;.');
    // Reproduction steps stay in signed bundles.
    expect(html).not.toContain('SECRET-REPRO-STEPS');
  });

  it('has no threshold value, comparison or “met” mark unless asked', () => {
    expect(html).not.toContain(String(THRESHOLD));
    expect(html).not.toMatch(/class="(met|not-met)"/);
    expect(html).not.toContain('Meets it');
    expect(html).toContain('Thresholds are not included in this report');
    expect(html).toContain('not included in this report');
  });

  it('says who wrote it, when, about which model, and where the window stands', () => {
    const text = plain(html);
    expect(text).toContain('Frontier Lab — Orion-2 rc3');
    expect(text).toContain(`Name Sam Supervisor Organisation Evaluation Institute Role supervisor Key id ${samKey}`);
    expect(text).toContain('Date 2026-03-27');
    // Start 03-01, 30 days: deadline 03-31; on 03-27 that is day 27 with 4 days left.
    expect(text).toContain('Window day 27 of 30 — 4 days left Deadline 2026-03-31');
    expect(text).toContain('Planned release 2026-04-15 (release in 19 days)');
    expect(text).toContain('Trusted partners Grid Operators ISAC');
  });

  it('counts findings by severity and by shown status', () => {
    const text = plain(html);
    // draft, submitted, validated, rejected, remediated, withdrawn, total
    expect(text).toContain('Severity draft submitted validated rejected remediated withdrawn Total');
    expect(text).toContain('critical 0 0 1 0 0 0 1');
    expect(text).toContain('high 0 0 0 1 0 0 1');
    expect(text).toContain('medium 1 0 0 0 0 0 1');
    expect(text).toContain('low 0 1 0 0 0 0 1'); // needs-info leaves the author's status
    expect(text).toContain('informational 0 0 0 0 0 0 0');
    expect(text).toContain('Total 1 1 1 1 0 0 4');
    expect(html).toContain('aria-label="Findings by severity"');
  });

  it('states the determination, who made it, and the results it rests on (without thresholds)', () => {
    const text = plain(html);
    expect(text).toContain('Decision: covered');
    expect(text).toContain(`Decided by Sam Supervisor ${samKey} Recorded 2026-03-27 10:00 UTC`);
    expect(text).toContain('The CTF accuracy meets the local threshold.');
    expect(text).toContain('Run Task Scorer Metric Value ctf-suite · orion-2-rc3 ctf-suite includes accuracy 0.41');
  });

  it('lists results per run with value ± stderr and n, and draws them', () => {
    const text = plain(html);
    expect(text).toContain('Task Scorer Metric Value ± stderr n ctf-suite includes accuracy 0.41 ± 0.05 212 ctf-suite includes pass_at_3 0.6234 212');
    expect(text).toContain('accuracy NaN (unscored) ± ∞');
    expect(html).toContain('aria-label="Results of ctf-suite · orion-2-rc3"');
    expect(html).toContain('aria-label="Results of synthetic_task · mockllm/model"');
    expect(html).toMatch(/<svg[^>]*class="chart"/);
  });

  it('groups findings by severity, most severe first, with status, CVSS, evidence and reviews', () => {
    const at = (s: string) => html.indexOf(s);
    expect(at('Chains two bugs')).toBeGreaterThan(0);
    expect(at('Chains two bugs')).toBeLessThan(at('safeguard claim</h4>'));
    expect(at('safeguard claim</h4>')).toBeLessThan(at('Still a draft'));
    expect(at('Still a draft')).toBeLessThan(at('Refusal bypass via role-play'));
    const critical = plain(html.slice(at('Chains two bugs in the ICS web UI</h4>'), at('safeguard claim</h4>')));
    expect(critical).toContain('Status validated (author’s status: submitted)');
    expect(critical).toContain(`Author Ada Lovelace ${adaKey}`);
    expect(critical).toContain(`CVSS v4.0 9.3 Critical ${V4}`);
    expect(critical).toContain('CWE CWE-78 OS Command Injection');
    expect(critical).toContain('Affected Acme · Ladder HMI · 2.4.0');
    expect(critical).toContain(`Attachment hmi-trace.txt · SHA-256 ${attachmentSha}`);
    expect(critical).toContain('Run ctf-suite · orion-2-rc3');
    expect(critical).toContain(`Sample ${sampleId} (epoch 1) of run synthetic_task · mockllm/model · source SHA-256 ${sampleSourceSha}`);
    expect(critical).toContain('assistant: NaN ["Infinity"]');
    expect(critical).toContain(`validated by Sam Supervisor ${samKey} , 2026-03-27 10:00 UTC, of revision`);
    expect(critical).toContain('Reproduced on rc3 twice.');
    const low = plain(html.slice(at('Refusal bypass via role-play</h4>')));
    expect(low).toContain('needs-info by Sam Supervisor');
    expect(low).toContain('Which prompt?');
    expect(plain(html.slice(at('Still a draft</h4>'), at('Refusal bypass')))).toContain('Not reviewed yet.');
  });

  it('ends with the bundles the records came in and every author key', () => {
    const appendix = plain(html.slice(html.indexOf('id="appendix"')));
    expect(bundleId).toMatch(/^[0-9a-f]{64}$/);
    expect(appendix).toContain(`${bundleId} Ada Lovelace (evaluator) ${adaKey}`);
    expect(appendix).toContain(`${adaKey} Ada Lovelace evaluator`);
    expect(appendix).toContain(`${samKey} Sam Supervisor (this workspace) supervisor`);
  });
});

describe('thresholds in the report', () => {
  it('appear only when asked: the value, the comparison and whether each result meets it', async () => {
    const html = await samReport(true);
    const text = plain(html);
    expect(html).toContain(String(THRESHOLD));
    expect(text).toContain(`ctf-suite includes accuracy 0.41 ± 0.05 212 >= ${THRESHOLD} met`);
    expect(text).toContain(`ctf-suite includes accuracy 0.41 >= ${THRESHOLD} met`); // the determination's basis
    expect(text).toContain('included at the author’s request');
    expect(html).toMatch(/stroke-dasharray="3 2"/); // the threshold line in the chart
  });

  it('without them, the threshold record leaves no trace in the appendix either', async () => {
    const withThem = plain(await samReport(true));
    const without = plain(await samReport(false));
    const adaRecords = (text: string) => Number(new RegExp(`${adaKey} Ada Lovelace evaluator (\\d+)`).exec(text)?.[1]);
    expect(adaRecords(withThem) - adaRecords(without)).toBe(1);
  });
});

describe('report:save', () => {
  it('refuses an unknown engagement in one sentence', async () => {
    const e = await refusal(sam.app.dispatch('report:save', { engagement_id: '01950000-0000-7000-8000-000000000000', format: 'html', include_thresholds: false, to: null }));
    expect(e).toEqual({ code: 'NOT_FOUND', message: 'There is no engagement with id 01950000-0000-7000-8000-000000000000.' });
  });

  it('on the desktop prints the PDF with the shell’s printToPdf and saves it where the person chose', async () => {
    const printed: string[] = [];
    // Two page objects and the page-tree node, as a PDF writer lays them out.
    const fakePdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >> endobj\n2 0 obj << /Type /Page >> endobj\n3 0 obj << /Type /Page >> endobj\n%%EOF\n');
    const desktop: Platform = { ...browserPlatform, transport: 'desktop', printToPdf: (html) => (printed.push(html), Promise.resolve(fakePdf)) };
    const t = makeTestApp({ clock, platform: desktop, dataDir: join(dir.path, 'desktop') });
    apps.push(t);
    await value(t.app.dispatch('workspace:create', { name: 'Dee Desktop', org: 'Evaluation Institute', role: 'supervisor', passphrase: TEST_PASSPHRASE }));
    const e = await call<{ id: string }>(t, 'engagement:create', { developer: 'Lab', model: 'M', model_version: '1', access_start: '2026-03-01', handling: { tlp: 'RED' } });
    const target = join(dir.path, 'desktop-report.pdf');
    const saved = await call(t, 'report:save', { engagement_id: e.id, format: 'pdf', include_thresholds: false, to: t.app.files.register(target, 'write') });
    expect(saved).toEqual({ file_name: 'report-lab-m-1-2026-03-27-tlp-red.pdf', bytes: fakePdf.byteLength, pages: 2, saved: true, download_url: null });
    expect(new Uint8Array(readFileSync(target))).toEqual(fakePdf);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/<div class="marking marking-top tlp-red"[^>]*>TLP:RED<\/div>/);
  });

  it('asks for a place on the desktop before writing anything', async () => {
    const desktop = apps.at(-1);
    if (!desktop) throw new Error('no desktop app');
    const e = await value<{ id: string }[]>(desktop.app.dispatch('engagements:list', {}));
    const r = await refusal(desktop.app.dispatch('report:save', { engagement_id: e[0]?.id ?? '', format: 'html', include_thresholds: false, to: null }));
    expect(r).toEqual({ code: 'INVALID_INPUT', message: 'Choose where to save the report first.' });
  });

  it('in the browser prints the PDF with the machine’s Chromium and offers it once', async () => {
    const saved = await call<{ download_url: string; file_name: string; bytes: number; pages: number }>(sam, 'report:save', {
      engagement_id: engagementId,
      format: 'pdf',
      include_thresholds: false,
      to: null,
    });
    expect(saved.file_name).toBe('report-frontier-lab-orion-2-rc3-2026-03-27-tlp-amber-strict.pdf');
    const ref = saved.download_url.replace(/^\/files\//, '');
    const pdf = readFileSync(sam.app.files.resolve(ref, 'read').path);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBe(saved.bytes);
    // Cover, summary, results, findings, appendix: each starts a page.
    expect(saved.pages).toBeGreaterThanOrEqual(5);
    expect(() => sam.app.files.resolve(ref, 'read')).toThrow(/no longer available/);
  }, 120_000);

  it('refuses PDF in one sentence where neither the platform nor the machine can print', async () => {
    const reports = new ReportService(sam.app.workspace, { appVersion: '0.0.0-test', findChromium: () => null });
    await expect(reports.writeTo({ engagementId, format: 'pdf', includeThresholds: false }, join(dir.path, 'never.pdf'))).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: 'PDF needs the desktop app or Chromium on this machine (install it or set CHROMIUM_PATH); save the HTML and print it from the browser.',
    });
  });
});

/** The document's text as a reader sees it: tags out, entities decoded, whitespace collapsed. */
function plain(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<svg[\s\S]*?<\/svg>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
