import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tlp } from '../../../shared/domain/handling';
import type { Finding, FindingInput } from '../../../shared/domain/finding';
import type { Platform } from '../../../main/platform/platform';
import { PRODUCT_ID, toCsaf, type CsafDocument } from '../../../main/bundles/csaf';
import { browserPlatform, fixedClock, makeReadyApp, makeTestApp, tempDir, TEST_PASSPHRASE, type TestApp } from '../../helpers/app';
import { csafErrors, readCsafFixture } from '../../helpers/csafValidator';
import { fixture } from '../../helpers/fixtures';

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);

const V4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

describe('the CSAF validator the tests use', () => {
  const examples = readdirSync(fixture('csaf', 'examples')).filter((f) => f.startsWith('csaf_2.0__'));

  it.each(examples)('accepts the official CSAF 2.0 example %s', (name) => {
    expect(csafErrors(readCsafFixture(`examples/${name}`))).toEqual([]);
  });

  it('refuses a CSAF 2.1 document: the 2.0 schema knows only csaf_version 2.0 and TLP 1.0 labels', () => {
    const errors = csafErrors(readCsafFixture('examples/csaf_2.1__bsi-2022-0001.json'));
    expect(errors).toContain('schema: /document/csaf_version must be equal to one of the allowed values');
  });

  it('refuses the official INVALID test case of 6.1.1 (schema-valid, but a product id is never defined) and accepts its VALID twin', () => {
    const invalid = readCsafFixture('negative/csaf_2.0__test_6-1-01-01_INVALID.json');
    expect(csafErrors(invalid)).toEqual(['6.1.1: product id CSAFPID-9080700 is used but not defined', '6.1.1: product id CSAFPID-9080701 is used but not defined']);
    expect(csafErrors(readCsafFixture('negative/csaf_2.0__test_6-1-01-11_VALID.json'))).toEqual([]);
  });

  it('uses the FIRST CVSS schemas: a cvss_v3 object without baseScore or with a bad vector is refused', () => {
    const doc = readCsafFixture('examples/csaf_2.0__bsi-2022-0001.json') as { vulnerabilities: { scores: { cvss_v3: Json }[] }[] };
    const score = doc.vulnerabilities[0]?.scores[0]?.cvss_v3 as Json;
    expect(score.version).toBe('3.1');
    delete score.baseScore;
    expect(csafErrors(doc).join('\n')).toMatch(/must have required property 'baseScore'/);
    score.baseScore = 6.1;
    score.vectorString = 'CVSS:3.1/AV:Q';
    expect(csafErrors(doc).join('\n')).toMatch(/vectorString must match pattern/);
  });
});

// ---- Advisories made by the app ----

const desktopPlatform: Platform = { ...browserPlatform, transport: 'desktop' };
let t: TestApp;
let dir: ReturnType<typeof tempDir>;
const clock = fixedClock('2026-03-02T09:00:00.000Z');

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error?.code}: ${r.error?.message}`);
  return r.value as T;
}
async function refused(p: Promise<{ ok: boolean; error?: { code: string; message: string } }>): Promise<{ code: string; message: string }> {
  const r = await p;
  if (r.ok || !r.error) throw new Error('expected a refusal');
  return r.error;
}

async function engagement(tlp: Tlp = 'AMBER', banner?: string): Promise<string> {
  const e = await ok<{ id: string }>(
    t.app.dispatch('engagement:create', {
      developer: 'Frontier Lab',
      model: 'Orion-2',
      model_version: 'rc3',
      access_start: '2026-03-01',
      handling: { tlp, ...(banner ? { banner } : {}) },
    }),
  );
  return e.id;
}

const MINIMAL: Omit<FindingInput, 'engagement_id'> = {
  title: 'Path traversal in the log viewer',
  kind: 'software-vulnerability',
  severity: 'medium',
  description: 'The viewer opens `../` paths outside its folder.',
  affected: { product: 'LogViewer' },
};

async function finding(engagementId: string, fields: Partial<FindingInput> = {}): Promise<Finding> {
  return ok<Finding>(t.app.dispatch('finding:create', { engagement_id: engagementId, ...MINIMAL, ...fields }));
}

/** The advisory as the browser gets it: a one-time download of the file the app wrote. */
async function advisory(findingId: string, namespace?: string): Promise<CsafDocument & Json> {
  const r = await ok<{ saved: boolean; download_url: string; file_name: string; tracking_id: string }>(
    t.app.dispatch('finding:csaf', { finding_id: findingId, to: null, ...(namespace ? { namespace } : {}) }),
  );
  expect(r.saved).toBe(false);
  const ref = r.download_url.replace(/^\/files\//, '');
  const file = t.app.files.resolve(ref, 'read');
  expect(file.name).toBe(r.file_name);
  return JSON.parse(readFileSync(file.path, 'utf8')) as CsafDocument & Json;
}

beforeEach(async () => {
  clock.set('2026-03-02T09:00:00.000Z');
  dir = tempDir('evalnotes-csaf-');
  t = await makeReadyApp({ clock });
});
afterEach(async () => {
  await t.cleanup();
  dir.cleanup();
});

describe('a finding’s CVSS v3.1 vector', () => {
  it('is scored when given, replaced and cleared by edits, and optional: a finding without one has none', async () => {
    const e = await engagement();
    const plain = await finding(e);
    expect(plain).not.toHaveProperty('cvss31');
    const f = await finding(e, { cvss31_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' });
    expect(f.cvss31).toEqual({ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', score: 6.1, rating: 'Medium' });
    const edited = await ok<Finding>(t.app.dispatch('finding:update', { id: f.id, changes: { cvss31_vector: V31 } }));
    expect(edited.cvss31).toEqual({ vector: V31, score: 9.8, rating: 'Critical' });
    const cleared = await ok<Finding>(t.app.dispatch('finding:update', { id: f.id, changes: { cvss31_vector: null } }));
    expect(cleared).not.toHaveProperty('cvss31');
    expect(cleared.revision).toBe(3);
  });

  it('is refused with one sentence when it is not a complete v3.1 vector, and the finding stays as it was', async () => {
    const e = await engagement();
    const f = await finding(e, { cvss31_vector: V31 });
    const cases: [string, string][] = [
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', 'The CVSS v3.1 vector lacks the base metric Availability (A).'],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H', 'The CVSS v3.1 vector has S:X, but Scope (S) takes U or C.'],
      ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N', 'The CVSS v3.1 vector names an unknown metric AT.'],
      [V4, 'changes.cvss31_vector: must be a CVSS v3.1 vector starting with "CVSS:3.1/"'],
    ];
    for (const [vector, message] of cases) {
      expect(await refused(t.app.dispatch('finding:update', { id: f.id, changes: { cvss31_vector: vector } }))).toEqual({ code: 'INVALID_INPUT', message });
    }
    const now = await ok<{ finding: Finding }>(t.app.dispatch('finding:get', { id: f.id }));
    expect(now.finding).toEqual(f);
  });
});

describe('finding:csaf', () => {
  it('maps a minimal software-vulnerability finding to a valid advisory', async () => {
    const e = await engagement();
    const f = await finding(e);
    const doc = await advisory(f.id);
    expect(csafErrors(doc)).toEqual([]);
    const identity = t.app.workspace.requireIdentity();
    expect(doc).toEqual({
      document: {
        category: 'csaf_security_advisory',
        csaf_version: '2.0',
        publisher: {
          category: 'discoverer',
          name: 'Evaluation Institute',
          namespace: 'urn:evalnotes:org:evaluation-institute',
          contact_details: `Ada Lovelace (EvalNotes key ${identity.fingerprint})`,
        },
        title: 'Path traversal in the log viewer',
        tracking: {
          id: `EVALNOTES-${f.id}`,
          status: 'draft',
          version: '1',
          revision_history: [{ number: '1', date: '2026-03-02T09:00:00.000Z', summary: 'Finding recorded (draft).' }],
          initial_release_date: '2026-03-02T09:00:00.000Z',
          current_release_date: '2026-03-02T09:00:00.000Z',
          generator: { engine: { name: 'EvalNotes', version: '0.0.0-test' } },
        },
        distribution: { tlp: { label: 'AMBER' }, text: 'TLP:AMBER' },
        aggregate_severity: { text: 'Medium' },
      },
      product_tree: { branches: [{ category: 'product_name', name: 'LogViewer', product: { name: 'LogViewer', product_id: PRODUCT_ID } }] },
      vulnerabilities: [
        {
          title: 'Path traversal in the log viewer',
          notes: [{ category: 'description', title: 'Description', text: 'The viewer opens `../` paths outside its folder.' }],
          product_status: { known_affected: [PRODUCT_ID] },
        },
      ],
    });
  });

  it('maps a full finding: CVE, the first CWE with its name, the others in a note, v3.1 in scores, v4.0 in a note, remediation', async () => {
    const e = await engagement();
    const f = await finding(e, {
      title: 'Heap overflow in the image decoder',
      severity: 'critical',
      description: 'A crafted PNG overflows the row buffer.\n',
      impact: 'Remote code execution in the **viewer** process.',
      reproduction: 'Open exploit.png (attached) — this must stay out of the advisory.',
      remediation: 'Check the row length against the header before copying.',
      affected: { vendor: 'Acme', product: 'Imaging Library', version: '2.4.0' },
      cve_id: 'CVE-2026-12345',
      cwe: [
        { id: 'CWE-787', name: 'Out-of-bounds Write' },
        { id: 'CWE-20', name: 'Improper Input Validation' },
        { id: 'CWE-190' },
      ],
      cvss_vector: V4,
      cvss31_vector: V31,
      atlas: ['AML.T0051'],
      tags: ['memory-safety'],
    });
    clock.set('2026-03-03T10:00:00.000Z');
    await ok(t.app.dispatch('finding:setStatus', { id: f.id, status: 'submitted' }));
    clock.set('2026-03-04T11:00:00.000Z');
    await ok(t.app.dispatch('finding:update', { id: f.id, changes: { title: 'Heap overflow in the PNG decoder' } }));

    const doc = await advisory(f.id);
    expect(csafErrors(doc)).toEqual([]);
    const v = doc.vulnerabilities[0];
    expect(doc.document.title).toBe('Heap overflow in the PNG decoder');
    expect(doc.document.aggregate_severity).toEqual({ text: 'Critical' });
    expect(doc.document.tracking).toMatchObject({
      status: 'interim',
      version: '3',
      initial_release_date: '2026-03-02T09:00:00.000Z',
      current_release_date: '2026-03-04T11:00:00.000Z',
      revision_history: [
        { number: '1', date: '2026-03-02T09:00:00.000Z', summary: 'Finding recorded (draft).' },
        { number: '2', date: '2026-03-03T10:00:00.000Z', summary: 'Status draft → submitted.' },
        { number: '3', date: '2026-03-04T11:00:00.000Z', summary: 'Edited title.' },
      ],
    });
    expect(doc.product_tree).toEqual({
      branches: [
        {
          category: 'vendor',
          name: 'Acme',
          branches: [
            {
              category: 'product_name',
              name: 'Imaging Library',
              branches: [{ category: 'product_version', name: '2.4.0', product: { name: 'Acme Imaging Library 2.4.0', product_id: PRODUCT_ID } }],
            },
          ],
        },
      ],
    });
    expect(v.cve).toBe('CVE-2026-12345');
    expect(v.cwe).toEqual({ id: 'CWE-787', name: 'Out-of-bounds Write' });
    expect(v.notes).toEqual([
      { category: 'description', title: 'Description', text: 'A crafted PNG overflows the row buffer.' },
      { category: 'details', title: 'Impact', text: 'Remote code execution in the **viewer** process.' },
      { category: 'other', title: 'Other weaknesses (CWE)', text: 'CWE-20 Improper Input Validation\nCWE-190' },
      { category: 'other', title: 'CVSS v4.0', text: `${V4} (score 9.3, Critical)` },
    ]);
    expect(v.scores).toEqual([{ products: [PRODUCT_ID], cvss_v3: { version: '3.1', vectorString: V31, baseScore: 9.8, baseSeverity: 'CRITICAL' } }]);
    expect(v.remediations).toEqual([{ category: 'mitigation', details: 'Check the row length against the header before copying.', product_ids: [PRODUCT_ID] }]);
    expect(v.product_status).toEqual({ known_affected: [PRODUCT_ID] });
    // What an advisory must not carry: the reproduction, the model under review, ATLAS ids, tags.
    const text = JSON.stringify(doc);
    for (const secret of ['exploit.png', 'Orion-2', 'Frontier Lab', 'AML.T0051', 'memory-safety']) expect(text).not.toContain(secret);
  });

  it.each([
    ['CLEAR', undefined, 'WHITE', 'TLP:CLEAR'],
    ['GREEN', undefined, 'GREEN', 'TLP:GREEN'],
    ['AMBER', 'ACME CONFIDENTIAL', 'AMBER', 'TLP:AMBER — ACME CONFIDENTIAL'],
    ['AMBER+STRICT', undefined, 'AMBER', 'TLP:AMBER+STRICT'],
    ['RED', 'EYES ONLY', 'RED', 'TLP:RED — EYES ONLY'],
  ] as const)('maps TLP:%s (banner %s) to label %s with the exact marking in distribution.text', async (tlp, banner, label, text) => {
    const e = await engagement(tlp, banner);
    const doc = await advisory((await finding(e)).id);
    expect(csafErrors(doc)).toEqual([]);
    expect(doc.document.distribution).toEqual({ tlp: { label }, text });
  });

  it('gives temporal and environmental v3.1 scores when the vector has those metrics, stored in the specification’s order', async () => {
    const e = await engagement();
    const f = await finding(e, { cvss31_vector: 'CVSS:3.1/CR:H/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C/MAV:X' });
    expect(f.cvss31).toEqual({ vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C/CR:H', score: 8.5, rating: 'High' });
    const doc = await advisory(f.id);
    expect(csafErrors(doc)).toEqual([]);
    expect(doc.vulnerabilities[0].scores?.[0]?.cvss_v3).toEqual({
      version: '3.1',
      vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C/CR:H',
      baseScore: 9.8,
      baseSeverity: 'CRITICAL',
      temporalScore: 8.5,
      temporalSeverity: 'HIGH',
      environmentalScore: 8.5,
      environmentalSeverity: 'HIGH',
    });
  });

  it('gives a version range as product_version_range (mandatory test 6.1.31) and a product without vendor at the top', async () => {
    const e = await engagement();
    const doc = await advisory((await finding(e, { affected: { product: 'LogViewer', version: 'all versions before 3.2' } })).id);
    expect(csafErrors(doc)).toEqual([]);
    expect(doc.product_tree.branches).toEqual([
      {
        category: 'product_name',
        name: 'LogViewer',
        branches: [{ category: 'product_version_range', name: 'all versions before 3.2', product: { name: 'LogViewer all versions before 3.2', product_id: PRODUCT_ID } }],
      },
    ]);
  });

  it('makes the default namespace a valid URI from any organisation name, and takes an https URL instead', async () => {
    // A workspace whose organisation's name has letters and signs a URI cannot hold as they are.
    await t.cleanup();
    t = makeTestApp({ clock });
    await ok(t.app.dispatch('workspace:create', { name: 'Ada', org: 'Institut für KI-Sicherheit / Büro 2', role: 'evaluator', passphrase: TEST_PASSPHRASE }));
    const e = await engagement();
    const f = await finding(e);
    const doc = await advisory(f.id);
    expect(csafErrors(doc)).toEqual([]);
    expect(doc.document.publisher.namespace).toBe('urn:evalnotes:org:institut-f%C3%BCr-ki-sicherheit-%2F-b%C3%BCro-2');

    const withUrl = await advisory(f.id, 'https://csirt.example.org/advisories');
    expect(csafErrors(withUrl)).toEqual([]);
    expect(withUrl.document.publisher.namespace).toBe('https://csirt.example.org/advisories');
    const bad = await refused(t.app.dispatch('finding:csaf', { finding_id: f.id, to: null, namespace: 'ftp://example.org' }));
    expect(bad).toEqual({ code: 'INVALID_INPUT', message: 'namespace: must be an http or https URL such as https://example.org' });
  });

  it('desktop: writes the advisory to the picked file, leaving no temp file, under CSAF’s file name by default', async () => {
    await t.cleanup();
    t = await makeReadyApp({ clock, platform: desktopPlatform });
    const e = await engagement();
    const f = await finding(e, { cvss31_vector: V31 });
    const target = join(dir.path, 'advisory.json');
    const answer = await ok<Json>(t.app.dispatch('finding:csaf', { finding_id: f.id, to: t.app.files.register(target, 'write') }));
    expect(answer).toMatchObject({ saved: true, download_url: null, tracking_id: `EVALNOTES-${f.id}`, file_name: `evalnotes-${f.id}.json` });
    const written = readFileSync(target, 'utf8');
    expect(answer.bytes).toBe(Buffer.byteLength(written));
    expect(csafErrors(JSON.parse(written))).toEqual([]);
    expect(readdirSync(dir.path)).toEqual(['advisory.json']);
    expect(await refused(t.app.dispatch('finding:csaf', { finding_id: f.id, to: null }))).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it.each([
    ['a finding that is not a software vulnerability', { kind: 'capability' }, /^Only software-vulnerability findings export as CSAF advisories; this one is of kind capability\.$/],
    ['no affected product', { affected: undefined }, /^A CSAF advisory needs the affected product: fill in the finding’s affected product\.$/],
    ['an empty description', { description: '  \n' }, /^A CSAF advisory needs a description of the vulnerability: fill in the finding’s description\.$/],
    ['a first CWE without its name', { cwe: [{ id: 'CWE-22' }, { id: 'CWE-23', name: 'Relative Path Traversal' }] }, /add the name of CWE-22 to the finding/],
  ] as const)('refuses %s with one sentence and writes nothing', async (_what, fields, message) => {
    await t.cleanup();
    t = await makeReadyApp({ clock, platform: desktopPlatform });
    const e = await engagement();
    const f = await finding(e, fields as Partial<FindingInput>);
    const target = join(dir.path, 'advisory.json');
    const error = await refused(t.app.dispatch('finding:csaf', { finding_id: f.id, to: t.app.files.register(target, 'write') }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('refuses a withdrawn finding and one that does not exist', async () => {
    const e = await engagement();
    const f = await finding(e);
    await ok(t.app.dispatch('finding:setStatus', { id: f.id, status: 'withdrawn' }));
    expect(await refused(t.app.dispatch('finding:csaf', { finding_id: f.id, to: null }))).toEqual({
      code: 'INVALID_INPUT',
      message: 'This finding is withdrawn, so it is not exported as a CSAF advisory.',
    });
    expect((await refused(t.app.dispatch('finding:csaf', { finding_id: '0190a6b2-0000-7000-8000-000000000000', to: null }))).code).toBe('NOT_FOUND');
  });
});

describe('the mapping over statuses only a supervisor’s review gives, and findings from other keys', () => {
  const identity = { key_id: 'a'.repeat(64), name: 'Chris Analyst', org: 'Clearinghouse', fingerprint: 'aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa' };
  const base: Finding = {
    type: 'finding',
    id: '0190a6b2-1111-7000-8000-000000000001',
    author: 'b'.repeat(64),
    revision: 4,
    created_at: '2026-03-01T08:00:00.000Z',
    updated_at: '2026-03-05T08:00:00.000Z',
    deleted: false,
    engagement_id: '0190a6b2-1111-7000-8000-000000000000',
    title: 'SQL injection in the booking API',
    kind: 'software-vulnerability',
    severity: 'high',
    description: 'The `date` parameter reaches the query unescaped.',
    reproduction: '',
    impact: '',
    remediation: 'Upgrade to 5.1.',
    cwe: [{ id: 'CWE-89', name: "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')" }],
    atlas: [],
    affected: { vendor: 'Hotelsoft', product: 'Booking API', version: '5.0' },
    tags: [],
    evidence: [],
    cvss31: { vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N', score: 8.1, rating: 'High' },
    status: 'submitted',
  };

  it('a validated finding is a final advisory; a remediated one gives its remediation as a vendor fix', () => {
    const common = { finding: base, revisions: [], handling: { tlp: 'GREEN' as const }, publisher: identity, appVersion: '1.0.0' };
    const validated = toCsaf({ ...common, shownStatus: 'validated' });
    expect(csafErrors(validated)).toEqual([]);
    expect(validated.document.tracking.status).toBe('final');
    expect(validated.vulnerabilities[0].remediations?.[0]?.category).toBe('mitigation');
    const remediated = toCsaf({ ...common, finding: { ...base, status: 'remediated' }, shownStatus: 'remediated' });
    expect(csafErrors(remediated)).toEqual([]);
    expect(remediated.document.tracking.status).toBe('final');
    expect(remediated.vulnerabilities[0].remediations).toEqual([{ category: 'vendor_fix', details: 'Upgrade to 5.1.', product_ids: [PRODUCT_ID] }]);
    expect(() => toCsaf({ ...common, shownStatus: 'rejected' })).toThrow('This finding is rejected, so it is not exported as a CSAF advisory.');
  });

  it('another key’s finding: the exporter is the coordinator, and revisions this workspace never held still fill the history', () => {
    const revision2 = { ...base, revision: 2, updated_at: '2026-03-02T08:00:00.000Z', status: 'draft' as const, title: 'SQLi' };
    const doc = toCsaf({ finding: base, shownStatus: 'submitted', revisions: [revision2], handling: { tlp: 'AMBER' }, publisher: identity, appVersion: '1.0.0' });
    expect(csafErrors(doc)).toEqual([]);
    expect(doc.document.publisher).toMatchObject({ category: 'coordinator', name: 'Clearinghouse', namespace: 'urn:evalnotes:org:clearinghouse' });
    expect(doc.document.tracking.revision_history).toEqual([
      { number: '1', date: '2026-03-01T08:00:00.000Z', summary: 'Revision 1 of the finding (not held in the exporting workspace).' },
      // Without the revision before it, what changed is unknown.
      { number: '2', date: '2026-03-02T08:00:00.000Z', summary: 'Revision 2 of the finding.' },
      // Dated with the next revision held: the latest it can have been saved.
      { number: '3', date: '2026-03-05T08:00:00.000Z', summary: 'Revision 3 of the finding (not held in the exporting workspace).' },
      { number: '4', date: '2026-03-05T08:00:00.000Z', summary: 'Revision 4 of the finding.' },
    ]);
    expect(doc.vulnerabilities[0].scores?.[0]?.cvss_v3).toEqual({ version: '3.1', vectorString: base.cvss31?.vector, baseScore: 8.1, baseSeverity: 'HIGH' });
  });

  it('every advisory the mapping makes breaks a check when it is broken: the validator is not vacuous', () => {
    const good = toCsaf({ finding: base, shownStatus: 'submitted', revisions: [], handling: { tlp: 'RED' }, publisher: identity, appVersion: '1.0.0' });
    expect(csafErrors(good)).toEqual([]);
    const broken: [string, (d: CsafDocument & Json) => void, RegExp][] = [
      ['a CLEAR label', (d) => ((d.document.distribution.tlp as Json).label = 'CLEAR'), /tlp\/label must be equal to one of the allowed values/],
      ['a namespace that is no URI', (d) => (d.document.publisher.namespace = 'evaluation institute'), /namespace must match format "uri"/],
      ['a CWE without name', (d) => delete (d.vulnerabilities[0].cwe as Json).name, /cwe must have required property 'name'/],
      ['a wrong base score', (d) => ((d.vulnerabilities[0].scores?.[0]?.cvss_v3 as Json).baseScore = 9.9), /^6\.1\.9/],
      ['no notes', (d) => (d.vulnerabilities[0].notes = []), /notes must NOT have fewer than 1 items/],
      ['a gap in the revision history', (d) => d.document.tracking.revision_history.splice(1, 1), /^6\.1\.21: the revision history omits a version/],
      ['a version that is not the newest revision', (d) => (d.document.tracking.version = '5'), /^6\.1\.16/],
      ['a remediation for no product', (d) => (d.vulnerabilities[0].remediations?.[0] as Json).product_ids = [], /product_ids must NOT have fewer than 1 items/],
      ['an undefined product', (d) => (d.vulnerabilities[0].product_status.known_affected = ['CSAFPID-0002']), /^6\.1\.1: product id CSAFPID-0002/],
    ];
    for (const [what, breakIt, message] of broken) {
      const doc = clone(good) as CsafDocument & Json;
      breakIt(doc);
      expect(csafErrors(doc).join('\n'), what).toMatch(message);
    }
  });
});
