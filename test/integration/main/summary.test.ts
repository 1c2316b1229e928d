import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeForeignRecords, writeRecord, writeRecords, type WriteOp } from '../../../main/records/writeRecord';
import { summaryQueries } from '../../../main/services/summary';
import { Workspace } from '../../../main/workspace/workspace';
import type { Engagement } from '../../../shared/domain/engagement';
import type { Finding } from '../../../shared/domain/finding';
import type { Role } from '../../../shared/domain/identity';
import type { StorableType } from '../../../shared/domain/records';
import type { Determination, Verdict } from '../../../shared/domain/review';
import type { RunWithResults } from '../../../shared/domain/imports';
import type { EngagementSummary, Summary } from '../../../shared/domain/summary';
import { TEST_KDF, TEST_PASSPHRASE, fixedClock, makeTestApp, tempDir, type TestApp } from '../../helpers/app';
import { seededRandom } from '../../helpers/rng';

/**
 * A supervisor's workspace seeded through the real write path (the API, and
 * writeRecords / mergeForeignRecords where a bundle would bring records), then
 * summarised. Every expected figure is counted here from what was seeded.
 */

const NOW = '2026-03-20T12:00:00.000Z';
const clock = fixedClock(NOW);
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
const AUTHOR_STATUSES = ['draft', 'submitted', 'remediated', 'withdrawn'] as const;
const SHOWN_STATUSES = ['draft', 'submitted', 'validated', 'rejected', 'remediated', 'withdrawn'] as const;

let t: TestApp;
const others: { cleanup(): void }[] = [];

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = await t.app.dispatch(name, input);
  if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/** Another person's workspace, whose records reach ours as a bundle would bring them. */
async function otherPerson(name: string, role: Role): Promise<Workspace> {
  const dir = tempDir();
  const ws = Workspace.open({ dataDir: dir.path, kdf: TEST_KDF, clock });
  others.push({ cleanup: () => (ws.close(), dir.cleanup()) });
  await ws.create({ name, org: 'Elsewhere', role, passphrase: TEST_PASSPHRASE });
  return ws;
}

/** Writes a determination in `from`'s workspace and merges it into ours, as ingesting their bundle does. */
function determinationBy(from: Workspace, engagement_id: string, decision: Determination['decision'], at: string): void {
  clock.set(at);
  const d = writeRecord(from.writer(), { action: 'create', type: 'determination', fields: { engagement_id, decision, rationale: `${decision} by ${from.requireIdentity().name}`, rests_on: [] } });
  const { body } = from.db.prepare('SELECT body FROM records WHERE id = ?').get(d.id) as { body: string };
  mergeForeignRecords(t.app.workspace.writer(), [{ type: 'determination', body }]);
  clock.set(NOW);
}

function ownDetermination(engagement_id: string, decision: Determination['decision'], at: string): Determination {
  clock.set(at);
  const d = writeRecord(t.app.workspace.writer(), { action: 'create', type: 'determination', fields: { engagement_id, decision, rationale: `Own: ${decision}`, rests_on: [] } });
  clock.set(NOW);
  return d;
}

// What was seeded, kept to count the expected figures from.
type SeededReview = { revision: number; verdict: Verdict; bySupervisor: boolean };
type SeededFinding = { engagement_id: string; severity: (typeof SEVERITIES)[number]; status: (typeof AUTHOR_STATUSES)[number]; live: boolean; revision: number; reviews: SeededReview[] };
const seeded: SeededFinding[] = [];
const eng: Record<'A' | 'B' | 'C' | 'D' | 'E', Engagement> = {} as never;
const WAITING_ENGAGEMENT = '01900000-0000-7000-8000-000000000001';
let runA1: RunWithResults;
let runA2: RunWithResults;
let runB: RunWithResults;
let summary: Summary;

beforeAll(async () => {
  t = makeTestApp({ clock });
  const created = await t.app.dispatch('workspace:create', { name: 'Sam Supervisor', org: 'Evaluation Institute', role: 'supervisor', passphrase: TEST_PASSPHRASE });
  if (!created.ok) throw new Error(created.error.message);

  // Windows relative to today, 2026-03-20.
  eng.A = await call('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-02-25', release_date: '2026-04-15', handling: { tlp: 'AMBER+STRICT', banner: 'OFFICIAL-SENSITIVE' } });
  eng.B = await call('engagement:create', { developer: 'Other Lab', model: 'Atlas', model_version: '1.0', access_start: '2026-03-10' });
  eng.C = await call('engagement:create', { developer: 'Other Lab', model: 'Nimbus', model_version: 'v2', access_start: '2026-04-01', status: 'planned' });
  eng.D = await call('engagement:create', { developer: 'Frontier Lab', model: 'Zephyr', model_version: 'beta', access_start: '2026-01-01' });
  eng.E = await call('engagement:create', { developer: 'Frontier Lab', model: 'Aurora', model_version: 'old', access_start: '2026-01-15', window_days: 14 });

  // Findings: every severity × every author status in A, a random spread elsewhere,
  // one for an engagement that has not arrived yet (not counted anywhere).
  const rand = seededRandom(6);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const finding = (engagement_id: string, severity: SeededFinding['severity'], status: SeededFinding['status']): SeededFinding => ({ engagement_id, severity, status, live: true, revision: 1, reviews: [] });
  for (const severity of SEVERITIES) for (const status of AUTHOR_STATUSES) seeded.push(finding(eng.A.id, severity, status));
  for (let i = 0; i < 60; i++) seeded.push(finding(pick([eng.A.id, eng.B.id, eng.D.id, eng.E.id]), pick(SEVERITIES), pick(AUTHOR_STATUSES)));
  seeded.push(finding(WAITING_ENGAGEMENT, 'critical', 'submitted'));
  const ops: WriteOp<StorableType>[] = seeded.map((f, i) => ({
    action: 'create',
    type: 'finding',
    fields: { engagement_id: f.engagement_id, title: `Finding ${i}`, kind: 'capability', severity: f.severity, description: 'x'.repeat(i), reproduction: '', impact: '', remediation: '', cwe: [], atlas: [], tags: [], evidence: [], status: f.status },
  }));
  const findings = writeRecords(t.app.workspace.writer(), ops) as Finding[];
  // Edits change severity and status; deletions leave a tombstone that counts nowhere.
  for (const i of [3, 30, 50]) {
    const f = findings[i]!;
    seeded[i]!.severity = 'critical';
    seeded[i]!.revision += 1;
    await call('finding:update', { id: f.id, base_revision: f.revision, changes: { severity: 'critical', title: 'Edited' } });
  }
  for (const i of [5, 41]) {
    await call('finding:delete', { id: findings[i]!.id });
    seeded[i]!.live = false;
  }
  const draft = seeded.findIndex((f, i) => i > 20 && f.live && f.status === 'draft');
  await call('finding:setStatus', { id: findings[draft]!.id, status: 'submitted' });
  seeded[draft]!.status = 'submitted';
  seeded[draft]!.revision += 1;

  // Reviews, a second apart so "newest" is plain. Sam's own key is a supervisor's;
  // Ada's (an evaluator's, arriving as her bundle would bring it) never counts.
  const ada = await otherPerson('Ada Lovelace', 'evaluator');
  let second = 0;
  const tick = () => clock.set(new Date(Date.parse(NOW) + ++second * 1000).toISOString());
  const review = async (i: number, verdict: Verdict) => {
    tick();
    await call('review:create', { finding_id: findings[i]!.id, verdict, comment: verdict === 'validated' ? '' : 'Why: see the evidence.' });
    seeded[i]!.reviews.push({ revision: seeded[i]!.revision, verdict, bySupervisor: true });
  };
  for (let i = 0; i < seeded.length; i++) {
    const f = seeded[i]!;
    if (!f.live || f.engagement_id === WAITING_ENGAGEMENT) continue;
    if (i % 4 === 1) await review(i, 'validated');
    if (i % 4 === 2) await review(i, 'rejected');
    if (i % 8 === 3) await review(i, 'needs-info');
    // A decision, then a newer request for more: the finding shows its author status again.
    if (i % 16 === 1) await review(i, 'needs-info');
    // Reviewed, then edited by its author: changed since review, and back to its author status.
    if (i % 12 === 2) {
      tick();
      await call('finding:update', { id: findings[i]!.id, changes: { title: `Edited after review ${i}` } });
      f.revision += 1;
    }
    if (i % 5 === 4) {
      tick();
      const r = writeRecord(ada.writer(), { action: 'create', type: 'review', fields: { engagement_id: f.engagement_id, finding_id: findings[i]!.id, finding_revision: f.revision, verdict: 'validated', comment: '' } });
      const { body } = ada.db.prepare('SELECT body FROM records WHERE id = ?').get(r.id) as { body: string };
      mergeForeignRecords(t.app.workspace.writer(), [{ type: 'review', body }]);
      f.reviews.push({ revision: f.revision, verdict: 'validated', bySupervisor: false });
    }
  }
  clock.set(NOW);

  // Runs and results; thresholds only in A (one of them deleted, one matching nothing).
  runA1 = await call('run:createManual', {
    engagement_id: eng.A.id, task: 'cyber', model: 'orion-2-rc3',
    results: [
      { scorer: 'acc', metric: 'accuracy', value: 0.8, stderr: 0.02 },
      { scorer: 'acc', metric: 'pass@1', value: Number.NaN },
      { task: 'bio', scorer: '', metric: 'refusal', value: 0.3 },
      { scorer: 'acc', metric: 'tokens', value: 1234 },
    ],
  });
  runA2 = await call('run:createManual', { engagement_id: eng.A.id, task: 'cyber', model: 'orion-2-rc3', results: [{ scorer: 'acc', metric: 'accuracy', value: 0.5 }] });
  runB = await call('run:createManual', { engagement_id: eng.B.id, task: 'cyber', model: 'atlas-1', results: [{ scorer: 'acc', metric: 'accuracy', value: 0.9 }, { scorer: 'acc', metric: 'pass@1', value: 0.1 }] });
  await call('threshold:create', { engagement_id: eng.A.id, task: 'cyber', scorer: 'acc', metric: 'accuracy', comparison: '>', value: 0.6 });
  await call('threshold:create', { engagement_id: eng.A.id, task: 'cyber', scorer: 'acc', metric: 'pass@1', comparison: '>=', value: 0.1 });
  await call('threshold:create', { engagement_id: eng.A.id, task: 'bio', scorer: '', metric: 'refusal', comparison: '<', value: 0.2 });
  await call('threshold:create', { engagement_id: eng.A.id, task: 'chem', scorer: '', metric: 'uplift', comparison: '<=', value: 0.1 });
  const gone = await call<{ id: string }>('threshold:create', { engagement_id: eng.A.id, task: 'cyber', scorer: 'acc', metric: 'tokens', comparison: '<', value: 10 });
  await call('threshold:delete', { id: gone.id });

  // Determinations.
  const grace = await otherPerson('Grace Hopper', 'supervisor');
  const mallory = await otherPerson('Mallory', 'supervisor');
  await call('keys:trust', { public_key_pem: grace.requireIdentity().public_key_pem, name: 'Grace Hopper', role: 'supervisor' });
  await call('keys:trust', { public_key_pem: mallory.requireIdentity().public_key_pem, name: 'Mallory', role: 'supervisor' });
  await call('keys:trust', { public_key_pem: ada.requireIdentity().public_key_pem, name: 'Ada Lovelace', role: 'evaluator' });
  // A: own pending, then revised to covered; a newer one by an evaluator key never counts.
  const own = ownDetermination(eng.A.id, 'pending', '2026-03-18T09:00:00.000Z');
  clock.set('2026-03-19T09:00:00.000Z');
  writeRecord(t.app.workspace.writer(), { action: 'update', type: 'determination', id: own.id, fields: { decision: 'covered', rationale: 'Meets the cyber threshold.' } });
  clock.set(NOW);
  determinationBy(ada, eng.A.id, 'not-covered', '2026-03-19T15:00:00.000Z');
  // B: own pending, then a newer one by a trusted supervisor.
  ownDetermination(eng.B.id, 'pending', '2026-03-16T10:00:00.000Z');
  determinationBy(grace, eng.B.id, 'not-covered', '2026-03-17T10:00:00.000Z');
  // D: only by a supervisor key that has since been untrusted.
  determinationBy(mallory, eng.D.id, 'covered', '2026-03-19T10:00:00.000Z');
  await call('keys:untrust', { key_id: mallory.requireIdentity().key_id });
  // C: own, then deleted.
  const deleted = ownDetermination(eng.C.id, 'covered', '2026-03-18T10:00:00.000Z');
  writeRecord(t.app.workspace.writer(), { action: 'delete', type: 'determination', id: deleted.id });

  await call('engagement:close', { id: eng.E.id });
  summary = await call<Summary>('summary:get', {});
});

afterAll(async () => {
  await t.cleanup();
  for (const o of others) o.cleanup();
});

/**
 * DESIGN.md: the newest review of the finding's current revision by a supervisor
 * key, when it decided (validated or rejected); else the author status. Reviews
 * were seeded in time order, so the last one is the newest.
 */
function shownStatusOf(f: SeededFinding): string {
  const newest = f.reviews.filter((r) => r.bySupervisor && r.revision === f.revision).at(-1);
  return newest && newest.verdict !== 'needs-info' ? newest.verdict : f.status;
}
function changedSinceReview(f: SeededFinding): boolean {
  const reviewed = f.reviews.filter((r) => r.bySupervisor).map((r) => r.revision);
  return reviewed.length > 0 && Math.max(...reviewed) < f.revision;
}

const byId = (id: string): EngagementSummary => {
  const e = summary.engagements.find((x) => x.id === id);
  if (!e) throw new Error(`engagement ${id} is missing from the summary`);
  return e;
};

describe('summary:get', () => {
  it('lists every engagement, closed ones included, urgent first, then by deadline, closed last', () => {
    expect(summary.today).toBe('2026-03-20');
    expect(summary.generated_at).toBe(NOW);
    // D overdue (deadline 01-31) and A in its last 7 days (03-27) are urgent; then B (04-09), C (05-01); E is closed.
    expect(summary.engagements.map((e) => `${e.model} ${e.model_version}`)).toEqual(['Zephyr beta', 'Orion-2 rc3', 'Atlas 1.0', 'Nimbus v2', 'Aurora old']);
  });

  it('gives each engagement its fields and its review window against today', () => {
    expect(byId(eng.A.id)).toMatchObject({
      developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', status: 'active', handling: { tlp: 'AMBER+STRICT', banner: 'OFFICIAL-SENSITIVE' },
      access_start: '2026-02-25', window_days: 30, release_date: '2026-04-15',
      window: { phase: 'open', label: 'day 24 of 30 — 7 days left', deadline: '2026-03-27', days_left: 7, urgent: true },
    });
    expect(byId(eng.B.id)).toMatchObject({ release_date: null, window: { phase: 'open', label: 'day 11 of 30 — 20 days left', deadline: '2026-04-09', days_left: 20, urgent: false } });
    expect(byId(eng.C.id)).toMatchObject({ status: 'planned', window: { phase: 'upcoming', label: 'starts in 12 days', deadline: '2026-05-01', days_left: 42, urgent: false } });
    expect(byId(eng.D.id).window).toEqual({ phase: 'closed', label: 'window closed, overdue by 48 days', deadline: '2026-01-31', days_left: -48, urgent: true });
    // A closed engagement needs no one's attention, however overdue.
    expect(byId(eng.E.id)).toMatchObject({ status: 'closed', window: { phase: 'closed', label: 'window closed, overdue by 50 days', deadline: '2026-01-29', days_left: -50, urgent: false } });
  });

  it('counts live findings by severity, by shown status and by both, per engagement and in total', () => {
    const live = seeded.filter((f) => f.live && f.engagement_id !== WAITING_ENGAGEMENT);
    for (const e of Object.values(eng)) {
      const mine = live.filter((f) => f.engagement_id === e.id);
      const count = (test: (f: SeededFinding) => boolean) => mine.filter(test).length;
      expect(byId(e.id).findings).toEqual({
        total: mine.length,
        by_severity: Object.fromEntries(SEVERITIES.map((s) => [s, count((f) => f.severity === s)])),
        by_status: Object.fromEntries(SHOWN_STATUSES.map((s) => [s, count((f) => shownStatusOf(f) === s)])),
        by_severity_status: Object.fromEntries(SEVERITIES.map((sev) => [sev, Object.fromEntries(SHOWN_STATUSES.map((s) => [s, count((f) => f.severity === sev && shownStatusOf(f) === s)]))])),
        awaiting_verdict: count((f) => shownStatusOf(f) === 'submitted'),
        changed_since_review: count(changedSinceReview),
      });
    }
    expect(byId(eng.C.id).findings.total).toBe(0);
    expect(summary.totals).toEqual({
      engagements: 5,
      findings: live.length,
      awaiting_verdict: live.filter((f) => shownStatusOf(f) === 'submitted').length,
      urgent: 2,
      by_severity: Object.fromEntries(SEVERITIES.map((s) => [s, live.filter((f) => f.severity === s).length])),
      by_status: Object.fromEntries(SHOWN_STATUSES.map((s) => [s, live.filter((f) => shownStatusOf(f) === s).length])),
    });
    // The seeding reaches every case: 81 findings (2 deleted, 1 waiting for its engagement), every shown status, some changed since review.
    expect(live.length).toBe(seeded.length - 3);
    for (const s of SHOWN_STATUSES) expect(summary.totals.by_status[s]).toBeGreaterThan(0);
    expect(Object.values(eng).reduce((n, e) => n + byId(e.id).findings.changed_since_review, 0)).toBeGreaterThan(0);
  });

  it('takes the newest determination by a supervisor key, and ignores evaluators, untrusted keys and deletions', () => {
    expect(byId(eng.A.id).determination).toEqual({ decision: 'covered', rationale: 'Meets the cyber threshold.', decided_by: 'Sam Supervisor', updated_at: '2026-03-19T09:00:00.000Z' });
    expect(byId(eng.B.id).determination).toEqual({ decision: 'not-covered', rationale: 'not-covered by Grace Hopper', decided_by: 'Grace Hopper', updated_at: '2026-03-17T10:00:00.000Z' });
    expect(byId(eng.C.id).determination).toBeNull();
    expect(byId(eng.D.id).determination).toBeNull();
    expect(byId(eng.E.id).determination).toBeNull();
  });

  it('compares every result that has a live threshold with it; NaN never meets one', () => {
    const [accuracy, pass1, refusal] = runA1.results;
    const [accuracy2] = runA2.results;
    expect(byId(eng.A.id).results).toEqual({
      runs: 2,
      results: 5,
      with_threshold: 4,
      met: 1,
      // Newest run first, results as logged: the results page's order.
      against_thresholds: [
        { result_id: accuracy2!.id, run_id: runA2.run.id, task: 'cyber', scorer: 'acc', metric: 'accuracy', value: 0.5, stderr: null, comparison: '>', threshold: 0.6, met: false },
        { result_id: accuracy!.id, run_id: runA1.run.id, task: 'cyber', scorer: 'acc', metric: 'accuracy', value: 0.8, stderr: 0.02, comparison: '>', threshold: 0.6, met: true },
        { result_id: pass1!.id, run_id: runA1.run.id, task: 'cyber', scorer: 'acc', metric: 'pass@1', value: Number.NaN, stderr: null, comparison: '>=', threshold: 0.1, met: false },
        { result_id: refusal!.id, run_id: runA1.run.id, task: 'bio', scorer: '', metric: 'refusal', value: 0.3, stderr: null, comparison: '<', threshold: 0.2, met: false },
      ],
    });
    expect(byId(eng.B.id).results).toEqual({ runs: 1, results: runB.results.length, with_threshold: 0, met: 0, against_thresholds: [] });
    expect(byId(eng.C.id).results).toEqual({ runs: 0, results: 0, with_threshold: 0, met: 0, against_thresholds: [] });
  });

  it('answers for an empty workspace', async () => {
    const empty = makeTestApp({ clock });
    try {
      await empty.app.dispatch('workspace:create', { name: 'New', org: 'Org', role: 'evaluator', passphrase: TEST_PASSPHRASE });
      const r = await empty.app.dispatch('summary:get', {});
      expect(r).toEqual({
        ok: true,
        value: {
          today: '2026-03-20', generated_at: NOW, engagements: [],
          totals: { engagements: 0, findings: 0, awaiting_verdict: 0, urgent: 0, by_severity: { critical: 0, high: 0, medium: 0, low: 0, informational: 0 }, by_status: { draft: 0, submitted: 0, validated: 0, rejected: 0, remediated: 0, withdrawn: 0 } },
        },
      });
    } finally {
      await empty.cleanup();
    }
  });

  it('does not count an evaluator workspace’s own determinations', async () => {
    const ev = makeTestApp({ clock });
    try {
      await ev.app.dispatch('workspace:create', { name: 'Eve Evaluator', org: 'Org', role: 'evaluator', passphrase: TEST_PASSPHRASE });
      const e = await ev.app.dispatch('engagement:create', { developer: 'Lab', model: 'M', model_version: '1', access_start: '2026-03-01' });
      if (!e.ok) throw new Error(e.error.message);
      const id = (e.value as Engagement).id;
      writeRecord(ev.app.workspace.writer(), { action: 'create', type: 'determination', fields: { engagement_id: id, decision: 'covered', rationale: 'Not mine to decide.', rests_on: [] } });
      const r = await ev.app.dispatch('summary:get', {});
      expect(r).toMatchObject({ ok: true, value: { engagements: [{ id, determination: null }] } });
    } finally {
      await ev.cleanup();
    }
  });

  it('reads through indexes, never scanning every record', () => {
    const plan = (sql: string) => (t.app.workspace.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    for (const sql of [summaryQueries.determinations, summaryQueries.runCounts, summaryQueries.resultCounts, summaryQueries.thresholds, summaryQueries.resultsOfThresholdedEngagements]) {
      expect(plan(sql)).not.toMatch(/SCAN (records|res|run)(?! USING)/);
    }
    // Only the results of engagements with thresholds are read, through their runs.
    expect(plan(summaryQueries.resultsOfThresholdedEngagements)).toMatch(/SEARCH res USING INDEX records_by_parent/);
    // The findings are counted in one ordered pass over the summary's index of the narrow rows, with no sort.
    // (SQLite reads the virtual changed_since_review from the indexed columns, though the plan does not say "covering".)
    expect(plan(summaryQueries.findingCounts)).toMatch(/^SCAN finding_rows USING (COVERING )?INDEX finding_rows_for_summary$/);
  });
});
