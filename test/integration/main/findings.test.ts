import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../main/audit/auditChain';
import { migrate } from '../../../main/db/migrate';
import { openDatabase } from '../../../main/db/open';
import { writeRecord } from '../../../main/records/writeRecord';
import { authorStatusFrom, findingQueries, shownStatus, type Review } from '../../../main/services/findings';
import type { AuthorStatus, Finding, FindingPage, FindingView } from '../../../shared/domain/finding';
import { AppError, type ApiError } from '../../../shared/result';
import { fixedClock, makeReadyApp, tempDir, type TestApp } from '../../helpers/app';

const OTHER_AUTHOR = 'f'.repeat(64);
const CRITICAL_VECTOR = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

let t: TestApp;
const clock = fixedClock('2026-03-12T10:00:00.000Z');
let engagementId = '';

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = await t.app.dispatch(name, input);
  if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}
async function refused(name: string, input: unknown): Promise<ApiError> {
  const r = await t.app.dispatch(name, input);
  if (r.ok) throw new Error(`${name} succeeded but should have been refused`);
  return r.error;
}
const auditEvents = () => verifyAuditChain(t.app.workspace.db).events;

async function newEngagement(model = 'Orion-2'): Promise<string> {
  const e = await call<{ id: string }>('engagement:create', { developer: 'Frontier Lab', model, model_version: 'rc3', access_start: '2026-03-01' });
  return e.id;
}
function newFinding(fields: Record<string, unknown> = {}): Promise<Finding> {
  return call<Finding>('finding:create', { engagement_id: engagementId, title: 'Safeguard bypass via role play', kind: 'safeguard-bypass', severity: 'high', ...fields });
}

beforeEach(async () => {
  clock.set('2026-03-12T10:00:00.000Z');
  t = await makeReadyApp({ clock });
  engagementId = await newEngagement();
});
afterEach(async () => t.cleanup());

describe('writing findings', () => {
  it('creates a draft with the author, revision 1 and a CVSS score computed from the vector', async () => {
    const f = await newFinding({ kind: 'software-vulnerability', severity: 'critical', cvss_vector: CRITICAL_VECTOR, cwe: [{ id: 'CWE-79', name: 'Cross-site Scripting' }], atlas: ['AML.T0051.001'], affected: { vendor: 'Acme', product: 'Widget', version: '1.2' }, cve_id: 'CVE-2024-12345', tags: ['xss'] });
    expect(f).toMatchObject({
      type: 'finding',
      status: 'draft',
      revision: 1,
      author: t.app.workspace.requireIdentity().key_id,
      cvss: { vector: CRITICAL_VECTOR, score: 9.3, rating: 'Critical' },
      cwe: [{ id: 'CWE-79', name: 'Cross-site Scripting' }],
      description: '',
      evidence: [],
      created_at: '2026-03-12T10:00:00.000Z',
    });
    expect(await call<FindingView>('finding:get', { id: f.id })).toEqual({ finding: f, shown_status: 'draft', changed_since_review: false, notes: 0 });
  });

  it('refuses an invalid CVSS vector with a sentence naming the metric, and writes nothing', async () => {
    const before = auditEvents();
    const error = await refused('finding:create', { engagement_id: engagementId, title: 'X', kind: 'other', severity: 'low', cvss_vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:Q/SC:N/SI:N/SA:N' });
    expect(error).toEqual({ code: 'INVALID_INPUT', message: 'The CVSS v4.0 vector has VA:Q, but Vulnerable System Availability (VA) takes H, L or N.' });
    expect(auditEvents()).toBe(before);
    expect((await call<FindingPage>('findings:list', {})).total).toBe(0);
  });

  it('refuses a finding for an engagement that does not exist or is closed', async () => {
    expect(await refused('finding:create', { engagement_id: '01960000-0000-7000-8000-000000000000', title: 'X', kind: 'other', severity: 'low' })).toMatchObject({ code: 'NOT_FOUND' });
    await call('engagement:close', { id: engagementId });
    const error = await refused('finding:create', { engagement_id: engagementId, title: 'X', kind: 'other', severity: 'low' });
    expect(error).toEqual({ code: 'INVALID_INPUT', message: 'The engagement Orion-2 rc3 is closed; reopen it before adding findings.' });
  });

  it('raises the revision on every edit, clears the CVSS vector with null and keeps each revision', async () => {
    const f = await newFinding({ cvss_vector: CRITICAL_VECTOR });
    clock.set('2026-03-13T09:00:00.000Z');
    const edited = await call<Finding>('finding:update', { id: f.id, base_revision: 1, changes: { title: 'Role-play bypass', description: '# Steps\n\n1. Ask nicely.' } });
    expect(edited).toMatchObject({ revision: 2, title: 'Role-play bypass', description: '# Steps\n\n1. Ask nicely.', created_at: f.created_at, updated_at: '2026-03-13T09:00:00.000Z', cvss: { score: 9.3 } });
    const rescored = await call<Finding>('finding:update', { id: f.id, changes: { cvss_vector: 'CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' } });
    expect(rescored).toMatchObject({ revision: 3, cvss: { score: 7.3, rating: 'High' } });
    const cleared = await call<Finding>('finding:update', { id: f.id, changes: { cvss_vector: null } });
    expect(cleared.revision).toBe(4);
    expect(cleared.cvss).toBeUndefined();
    expect(await call<Finding>('finding:atRevision', { id: f.id, revision: 1 })).toEqual(f);
    expect(await call<Finding>('finding:atRevision', { id: f.id, revision: 2 })).toEqual(edited);
    expect(await call<Finding>('finding:atRevision', { id: f.id, revision: 4 })).toEqual(cleared);
    expect(await refused('finding:atRevision', { id: f.id, revision: 5 })).toEqual({ code: 'NOT_FOUND', message: `Finding ${f.id} has no revision 5; its revisions are 1 to 4.` });
  });

  it('refuses a stale edit (base revision) and keeps the newer one', async () => {
    const f = await newFinding();
    await call('finding:update', { id: f.id, base_revision: 1, changes: { title: 'First' } });
    expect(await refused('finding:update', { id: f.id, base_revision: 1, changes: { title: 'Second' } })).toMatchObject({ code: 'CONFLICT' });
    expect((await call<FindingView>('finding:get', { id: f.id })).finding.title).toBe('First');
  });

  it('lets only the author edit, move, cite evidence on or delete a finding', async () => {
    const theirs = writeRecord(
      { ...t.app.workspace.writer(), author: OTHER_AUTHOR },
      { action: 'create', type: 'finding', fields: { engagement_id: engagementId, title: 'Theirs', kind: 'other', severity: 'low', description: '', reproduction: '', impact: '', remediation: '', cwe: [], atlas: [], tags: [], evidence: [], status: 'draft' } },
    );
    const before = auditEvents();
    const notAuthor = { code: 'NOT_AUTHOR', message: `This finding was written by key ffffffff…; only its author can change it.` };
    expect(await refused('finding:update', { id: theirs.id, changes: { title: 'Mine now' } })).toEqual(notAuthor);
    expect(await refused('finding:setStatus', { id: theirs.id, status: 'submitted' })).toEqual(notAuthor);
    const run = await call<{ run: { id: string } }>('run:createManual', { engagement_id: engagementId, task: 'gsm8k', model: 'orion', results: [{ metric: 'accuracy', value: 0.5 }] });
    expect(await refused('finding:addEvidence', { id: theirs.id, evidence: { kind: 'run', run_id: run.run.id } })).toEqual(notAuthor);
    expect(await refused('finding:delete', { id: theirs.id })).toEqual(notAuthor);
    expect(auditEvents()).toBe(before + 2); // the run and its result only
    expect(await call<FindingView>('finding:get', { id: theirs.id })).toMatchObject({ finding: { title: 'Theirs', revision: 1, author: OTHER_AUTHOR } });
  });

  it('deletes with a tombstone: gone from get and the list, earlier revisions still readable', async () => {
    const f = await newFinding();
    const keep = await newFinding({ title: 'Keep me' });
    expect(await call('finding:delete', { id: f.id })).toEqual({ deleted: true });
    expect(await refused('finding:get', { id: f.id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refused('finding:update', { id: f.id, changes: { title: 'x' } })).toMatchObject({ code: 'NOT_FOUND' });
    const page = await call<FindingPage>('findings:list', {});
    expect(page).toMatchObject({ total: 1, rows: [{ id: keep.id }] });
    expect(await call<Finding>('finding:atRevision', { id: f.id, revision: 1 })).toEqual(f);
    expect(await call<Finding>('finding:atRevision', { id: f.id, revision: 2 })).toMatchObject({ revision: 2, deleted: true, title: f.title });
    expect(verifyAuditChain(t.app.workspace.db).ok).toBe(true);
  });

  it('tells the views that findings changed after each write', async () => {
    const seen: string[][] = [];
    t.app.events.subscribe((e) => e.name === 'records:changed' && seen.push(e.payload.types));
    const f = await newFinding();
    await call('finding:update', { id: f.id, changes: { title: 'x' } });
    await call('finding:setStatus', { id: f.id, status: 'submitted' });
    await call('finding:delete', { id: f.id });
    expect(seen).toEqual([['finding'], ['finding'], ['finding'], ['finding']]);
  });
});

describe('the author lifecycle', () => {
  const LEGAL: [AuthorStatus, AuthorStatus][] = [
    ['draft', 'submitted'],
    ['draft', 'withdrawn'],
    ['submitted', 'draft'],
    ['submitted', 'withdrawn'],
    ['withdrawn', 'draft'],
  ];
  const ALL: AuthorStatus[] = ['draft', 'submitted', 'remediated', 'withdrawn'];

  /** A finding of ours with the given author status, reached by legal moves (remediated: written directly, as a validated finding would be). */
  async function findingIn(status: AuthorStatus): Promise<Finding> {
    const f = await newFinding();
    if (status === 'draft') return f;
    if (status === 'remediated') return writeRecord(t.app.workspace.writer(), { action: 'update', type: 'finding', id: f.id, fields: { status } });
    return call<Finding>('finding:setStatus', { id: f.id, status });
  }

  it.each(LEGAL)('moves %s → %s as a new revision with its audit event', async (from, to) => {
    const f = await findingIn(from);
    const events = auditEvents();
    const moved = await call<Finding>('finding:setStatus', { id: f.id, base_revision: f.revision, status: to });
    expect(moved).toMatchObject({ status: to, revision: f.revision + 1, title: f.title });
    expect(auditEvents()).toBe(events + 1);
    expect((await call<FindingView>('finding:get', { id: f.id })).shown_status).toBe(to);
  });

  const illegal = ALL.flatMap((from) => ALL.filter((to) => to !== from && to !== 'remediated' && !LEGAL.some(([a, b]) => a === from && b === to)).map((to) => [from, to] as const));
  it.each(illegal)('refuses %s → %s with a sentence, changing nothing', async (from, to) => {
    const f = await findingIn(from);
    const events = auditEvents();
    const error = await refused('finding:setStatus', { id: f.id, status: to });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(new RegExp(`^A ${from} finding cannot be set to ${to}; `));
    expect(auditEvents()).toBe(events);
  });

  it('names where a finding can go when a move is refused', async () => {
    const f = await findingIn('withdrawn');
    expect((await refused('finding:setStatus', { id: f.id, status: 'submitted' })).message).toBe('A withdrawn finding cannot be set to submitted; it can go to draft.');
  });

  it.each(['draft', 'submitted', 'withdrawn'] as const)('refuses remediated for a %s finding: it needs a supervisor’s validation first', async (from) => {
    const f = await findingIn(from);
    expect(await refused('finding:setStatus', { id: f.id, status: 'remediated' })).toEqual({
      code: 'INVALID_INPUT',
      message: 'Only a validated finding can be marked remediated: it needs a supervisor’s validation first.',
    });
  });

  it.each(ALL)('says a %s finding is already in that status and writes nothing', async (status) => {
    const f = await findingIn(status);
    const events = auditEvents();
    expect(await refused('finding:setStatus', { id: f.id, status })).toEqual({ code: 'INVALID_INPUT', message: `This finding is already ${status}; nothing was changed.` });
    expect(auditEvents()).toBe(events);
  });

  it('refuses validated and rejected over the API; only a supervisor’s review sets them', async () => {
    const f = await newFinding();
    for (const status of ['validated', 'rejected']) expect((await refused('finding:setStatus', { id: f.id, status })).code).toBe('INVALID_INPUT');
    for (const status of ['validated', 'rejected']) {
      expect(() => authorStatusFrom(status)).toThrow(new AppError('INVALID_INPUT', `Only a supervisor’s review can mark a finding ${status}; set-status takes draft, submitted, remediated, withdrawn.`));
    }
    expect(authorStatusFrom('submitted')).toBe('submitted');
    expect(() => authorStatusFrom('done')).toThrow(/"done" is not a finding status/);
  });
});

describe('the status a finding shows', () => {
  const finding = { status: 'submitted' as const, revision: 3 };
  const review = (finding_revision: number, verdict: Review['verdict'], created_at: string): Review => ({ finding_revision, verdict, created_at });

  it('is the author status while no review decided the current revision', () => {
    expect(shownStatus(finding, [])).toBe('submitted');
    expect(shownStatus(finding, [review(2, 'validated', '2026-03-01T00:00:00.000Z')])).toBe('submitted');
    expect(shownStatus(finding, [review(3, 'needs-info', '2026-03-01T00:00:00.000Z')])).toBe('submitted');
  });

  it('is the newest decided review of the current revision', () => {
    expect(shownStatus(finding, [review(3, 'validated', '2026-03-01T00:00:00.000Z')])).toBe('validated');
    expect(shownStatus(finding, [review(3, 'rejected', '2026-03-02T00:00:00.000Z'), review(3, 'validated', '2026-03-01T00:00:00.000Z')])).toBe('rejected');
    expect(shownStatus(finding, [review(3, 'validated', '2026-03-01T00:00:00.000Z'), review(3, 'needs-info', '2026-03-02T00:00:00.000Z')])).toBe('submitted');
  });
});

describe('evidence', () => {
  async function manualRun(engagement = engagementId) {
    return (await call<{ run: { id: string; task: string; model: string } }>('run:createManual', { engagement_id: engagement, task: 'cyber-ctf', model: 'orion-2', results: [{ metric: 'solved', value: 0.4 }] })).run;
  }
  function sampleOf(runId: string) {
    return writeRecord(t.app.workspace.writer(), {
      action: 'create',
      type: 'sample',
      refs: [runId],
      fields: {
        run_id: runId, task: 'cyber-ctf', sample_id: 'ctf-17', epoch: 2, input: 'Find the flag', target: 'flag{x}', output: 'flag{x}', truncated: false, scores: { match: 'C' },
        source_sha256: 'ab'.repeat(32), location: { kind: 'bytes', offset: 10, length: 20 }, hashes: { doc_hash: 'd1', prompt_hash: 'p1' },
      },
    });
  }
  function attachment(engagement = engagementId) {
    return writeRecord(t.app.workspace.writer(), { action: 'create', type: 'attachment', fields: { engagement_id: engagement, sha256: 'cd'.repeat(32), name: 'screenshot.png', media_type: 'image/png', size: 1234 } });
  }

  it('cites an attachment, a run and a sample by what survives a re-import, once each', async () => {
    const f = await newFinding();
    const run = await manualRun();
    const sample = sampleOf(run.id);
    const file = attachment();
    await call('finding:addEvidence', { id: f.id, evidence: { kind: 'attachment', attachment_id: file.id } });
    await call('finding:addEvidence', { id: f.id, evidence: { kind: 'run', run_id: run.id } });
    const cited = await call<Finding>('finding:addEvidence', { id: f.id, evidence: { kind: 'sample', sample_id: sample.id, excerpt: 'assistant: flag{x}' } });
    expect(cited.revision).toBe(4);
    expect(cited.evidence).toEqual([
      { kind: 'attachment', attachment_id: file.id, sha256: 'cd'.repeat(32), name: 'screenshot.png' },
      { kind: 'run', run_id: run.id, label: 'cyber-ctf · orion-2' },
      { kind: 'sample', source_sha256: 'ab'.repeat(32), sample_id: 'ctf-17', epoch: 2, hashes: { doc_hash: 'd1', prompt_hash: 'p1' }, sample_record_id: sample.id, excerpt: 'assistant: flag{x}' },
    ]);
    const events = auditEvents();
    const again = await call<Finding>('finding:addEvidence', { id: f.id, evidence: { kind: 'sample', sample_id: sample.id, excerpt: 'assistant: flag{x}' } });
    await call('finding:addEvidence', { id: f.id, evidence: { kind: 'attachment', attachment_id: file.id } });
    expect(again.revision).toBe(4);
    expect(auditEvents()).toBe(events);
  });

  it('refuses evidence from another engagement and evidence that does not exist', async () => {
    const f = await newFinding();
    const elsewhere = await newEngagement('Vega');
    const run = await manualRun(elsewhere);
    expect(await refused('finding:addEvidence', { id: f.id, evidence: { kind: 'run', run_id: run.id } })).toEqual({
      code: 'INVALID_INPUT',
      message: 'That run belongs to another engagement; cite evidence from the finding’s own engagement.',
    });
    expect((await refused('finding:addEvidence', { id: f.id, evidence: { kind: 'sample', sample_id: sampleOf(run.id).id } })).message).toMatch(/^That sample belongs to another engagement/);
    expect((await refused('finding:addEvidence', { id: f.id, evidence: { kind: 'attachment', attachment_id: attachment(elsewhere).id } })).message).toMatch(/^That attachment belongs/);
    expect(await refused('finding:addEvidence', { id: f.id, evidence: { kind: 'attachment', attachment_id: '01960000-0000-7000-8000-000000000000' } })).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call<FindingView>('finding:get', { id: f.id })).finding.revision).toBe(1);
  });

  it('lets an edit drop evidence but never add a link that addEvidence did not check', async () => {
    const f = await newFinding();
    const run = await manualRun();
    const cited = await call<Finding>('finding:addEvidence', { id: f.id, evidence: { kind: 'run', run_id: run.id } });
    const forged = { kind: 'run', run_id: '01960000-0000-7000-8000-000000000000', label: 'made up' };
    expect((await refused('finding:update', { id: f.id, changes: { evidence: [...cited.evidence, forged] } })).message).toMatch(/remove or reorder evidence but not add it/);
    expect(await refused('finding:create', { engagement_id: engagementId, title: 'T', kind: 'other', severity: 'low', evidence: [forged] })).toMatchObject({ code: 'INVALID_INPUT' });
    const dropped = await call<Finding>('finding:update', { id: f.id, changes: { evidence: [] } });
    expect(dropped.evidence).toEqual([]);
  });

  it('counts the notes written on a finding', async () => {
    const f = await newFinding();
    const other = await newFinding({ title: 'Other' });
    const note = (id: string) => writeRecord(t.app.workspace.writer(), { action: 'create', type: 'note', fields: { engagement_id: engagementId, on: { type: 'finding', id }, body: 'seen again' } });
    note(f.id);
    const gone = note(f.id);
    note(other.id);
    writeRecord(t.app.workspace.writer(), { action: 'delete', type: 'note', id: gone.id });
    expect((await call<FindingView>('finding:get', { id: f.id })).notes).toBe(1);
  });
});

describe('the findings list', () => {
  /** Twelve findings across two engagements, one minute apart, in a known mix. */
  async function seed() {
    const second = await newEngagement('Vega');
    const severities = ['low', 'critical', 'informational', 'high', 'medium', 'high'] as const;
    const made: Finding[] = [];
    for (let i = 0; i < 12; i++) {
      clock.set(new Date(Date.parse('2026-03-12T10:00:00.000Z') + i * 60_000).toISOString());
      made.push(
        await call<Finding>('finding:create', {
          engagement_id: i % 3 === 2 ? second : engagementId,
          title: `${String.fromCharCode(76 - i)}${i % 2 ? 'x' : 'Y'} finding ${i}`,
          kind: i % 4 === 0 ? 'capability' : 'other',
          severity: severities[i % 6],
          tags: i % 5 === 0 ? ['jailbreak', 'chem'] : ['misc'],
          ...(i === 4 ? { cvss_vector: CRITICAL_VECTOR } : {}),
        }),
      );
    }
    clock.set('2026-03-12T11:00:00.000Z');
    await call('finding:setStatus', { id: made[3]?.id, status: 'submitted' });
    await call('finding:setStatus', { id: made[7]?.id, status: 'withdrawn' });
    await call('finding:delete', { id: made[11]?.id });
    return { made, second };
  }
  const list = (filter: Record<string, unknown>) => call<FindingPage>('findings:list', filter);
  const titles = (p: FindingPage) => p.rows.map((r) => r.title);
  const indexes = (p: FindingPage) => p.rows.map((r) => Number(/finding (\d+)$/.exec(r.title)?.[1]));

  it('shows the newest first by default, with the row fields and no Markdown', async () => {
    const { made } = await seed();
    const page = await list({});
    expect(page.total).toBe(11);
    expect(indexes(page)).toEqual([7, 3, 10, 9, 8, 6, 5, 4, 2, 1, 0]);
    const row = page.rows.find((r) => r.id === made[4]?.id);
    expect(row).toEqual({
      id: made[4]?.id, engagement_id: engagementId, title: made[4]?.title, kind: 'capability', severity: 'medium', cvss_score: 9.3,
      shown_status: 'draft', tags: ['misc'], author: made[4]?.author, revision: 1, updated_at: made[4]?.updated_at,
    });
    expect(page.rows.find((r) => r.id === made[3]?.id)).toMatchObject({ shown_status: 'submitted', revision: 2, updated_at: '2026-03-12T11:00:00.000Z', cvss_score: null });
  });

  it('pages with offset and limit and keeps the total', async () => {
    await seed();
    const first = await list({ limit: 4 });
    const second = await list({ limit: 4, offset: 4 });
    const last = await list({ limit: 4, offset: 8 });
    expect([first.total, second.total, last.total]).toEqual([11, 11, 11]);
    expect([...indexes(first), ...indexes(second), ...indexes(last)]).toEqual([7, 3, 10, 9, 8, 6, 5, 4, 2, 1, 0]);
    expect((await list({ offset: 20 })).rows).toEqual([]);
  });

  it('filters by engagement, kind, severity, status and tag, alone and together', async () => {
    const { second } = await seed();
    expect(indexes(await list({ engagement_id: second }))).toEqual([8, 5, 2]);
    expect(indexes(await list({ kind: 'capability' }))).toEqual([8, 4, 0]);
    expect(indexes(await list({ severity: 'high' }))).toEqual([3, 9, 5]);
    expect(indexes(await list({ status: 'withdrawn' }))).toEqual([7]);
    expect(indexes(await list({ status: 'draft' }))).toHaveLength(9);
    expect(indexes(await list({ status: 'validated' }))).toEqual([]);
    expect(indexes(await list({ tag: 'jailbreak' }))).toEqual([10, 5, 0]);
    expect(indexes(await list({ tag: 'jail' }))).toEqual([]);
    expect(indexes(await list({ engagement_id: engagementId, tag: 'misc', kind: 'other' }))).toEqual([7, 3, 9, 6, 1]);
    expect((await list({ engagement_id: second, severity: 'critical' })).total).toBe(0);
  });

  it('sorts by severity rank, title and lifecycle status', async () => {
    await seed();
    const bySeverity = await list({ sort: 'severity' });
    expect(bySeverity.rows.map((r) => r.severity)).toEqual(['critical', 'critical', 'high', 'high', 'high', 'medium', 'medium', 'low', 'low', 'informational', 'informational']);
    expect(indexes(bySeverity)).toEqual([7, 1, 3, 9, 5, 10, 4, 6, 0, 8, 2]);
    expect((await list({ sort: 'severity', descending: false })).rows[0]?.severity).toBe('informational');
    const byTitle = await list({ sort: 'title', descending: false });
    expect(titles(byTitle)).toEqual([...titles(byTitle)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(titles(byTitle)[0]).toBe('BY finding 10');
    const byStatus = await list({ sort: 'status', descending: false });
    expect(byStatus.rows.map((r) => r.shown_status)).toEqual([...Array.from({ length: 9 }, () => 'draft'), 'submitted', 'withdrawn']);
  });

  it('reads every page from an index, never scanning or sorting all findings', () => {
    const db = t.app.workspace.db;
    const plan = (f: Record<string, unknown>) => {
      const filter = { sort: 'updated', descending: true, offset: 0, limit: 200, ...f } as Parameters<typeof findingQueries.page>[0];
      const params = { engagement_id: 'e', severity_rank: 4, status_rank: 1, kind: 'other', limit: 200, offset: 0 };
      const sql = findingQueries.page(filter);
      const used = Object.fromEntries(Object.entries(params).filter(([k]) => sql.includes(`@${k}`)));
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(used) as { detail: string }[]).map((r) => r.detail).join(' | ');
    };
    for (const sort of ['updated', 'severity', 'status', 'title']) {
      for (const descending of [true, false]) {
        for (const scope of [{}, { engagement_id: 'e' }]) {
          const p = plan({ sort, descending, ...scope });
          expect(p, `${sort} ${descending} ${JSON.stringify(scope)}`).toMatch(/USING INDEX finding_rows_by_/);
          expect(p).not.toMatch(/TEMP B-TREE/);
        }
      }
    }
    expect(plan({ severity: 'high' })).toMatch(/finding_rows_by_severity/);
    expect(plan({ status: 'submitted' })).toMatch(/finding_rows_by_status/);
  });
});

it('fills the findings table from findings already stored when the workspace is migrated', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'old.db');
    const db = openDatabase(path);
    migrate(db, path, 30);
    const body = (id: string, deleted: boolean, title: string) =>
      JSON.stringify({ type: 'finding', id, author: 'a'.repeat(64), revision: 1, created_at: '2026-03-12T10:00:00.000Z', updated_at: '2026-03-12T10:00:00.000Z', deleted, engagement_id: 'e1', title, kind: 'other', severity: 'high', description: 'long text', reproduction: '', impact: '', remediation: '', cwe: [], atlas: [], tags: ['t'], evidence: [], status: 'submitted', cvss: { vector: CRITICAL_VECTOR, score: 9.3, rating: 'Critical' } });
    const insert = db.prepare("INSERT INTO records (id, type, author, revision, created_at, updated_at, deleted, body, hash, parent_id) VALUES (?, 'finding', ?, 1, '2026-03-12T10:00:00.000Z', '2026-03-12T10:00:00.000Z', ?, ?, 'h', 'e1')");
    insert.run('live', 'a'.repeat(64), 0, body('live', false, 'Still here'));
    insert.run('gone', 'a'.repeat(64), 1, body('gone', true, 'Deleted'));
    migrate(db, path);
    expect(db.prepare('SELECT id, engagement_id, title, severity, severity_rank, status, status_rank, cvss_score, tags FROM finding_rows').all()).toEqual([
      { id: 'live', engagement_id: 'e1', title: 'Still here', severity: 'high', severity_rank: 3, status: 'submitted', status_rank: 1, cvss_score: 9.3, tags: '["t"]' },
    ]);
    db.close();
  } finally {
    dir.cleanup();
  }
});
