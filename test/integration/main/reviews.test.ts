import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../main/db/migrate';
import { openDatabase } from '../../../main/db/open';
import { keyIdOf } from '../../../main/identity/keys';
import { writeRecord, type WriteContext } from '../../../main/records/writeRecord';
import { reviewQueries } from '../../../main/services/reviews';
import type { Finding, FindingPage, FindingView, ShownStatus } from '../../../shared/domain/finding';
import type { Determination, DeterminationView, Review, ReviewView } from '../../../shared/domain/review';
import type { Result } from '../../../shared/result';
import { fixedClock, makeReadyApp, makeTestApp, tempDir, TEST_PASSPHRASE, type TestApp } from '../../helpers/app';

const clock = fixedClock('2026-03-12T10:00:00.000Z');
let ticks = 0;
/** Every write a second later, so "newest" is never a tie the test did not mean. */
const tick = () => clock.set(new Date(Date.parse('2026-03-12T10:00:00.000Z') + ++ticks * 1000).toISOString());

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

/** Another person's key: records it authors are written straight into the store, as an ingest would leave them. */
function otherKey(name: string) {
  const { publicKey } = generateKeyPairSync('ed25519');
  return { name, keyId: keyIdOf(publicKey), pem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}
type Other = ReturnType<typeof otherKey>;

async function supervisorApp(name = 'Sam Supervisor'): Promise<TestApp> {
  const t = makeTestApp({ clock });
  await value(t.app.dispatch('workspace:create', { name, org: 'Evaluation Institute', role: 'supervisor', passphrase: TEST_PASSPHRASE }));
  return t;
}

describe('reviews and the status a finding shows (in a supervisor’s workspace)', () => {
  let t: TestApp;
  const ada = otherKey('Ada Evaluator');
  const bea = otherKey('Bea Supervisor');
  const eve = otherKey('Eve Evaluator');
  let engagementId = '';
  const call = <T>(name: string, input: unknown) => value<T>(t.app.dispatch(name, input));
  const as = (k: Other): WriteContext => ({ db: t.app.workspace.db, author: k.keyId, clock });

  /** A finding by Ada, moved to submitted (revision 2). */
  function adaFinding(title: string, severity: Finding['severity'] = 'high'): Finding {
    tick();
    const f = writeRecord(as(ada), {
      action: 'create',
      type: 'finding',
      fields: { engagement_id: engagementId, title, kind: 'capability', severity, description: '', reproduction: '', impact: '', remediation: '', cwe: [], atlas: [], tags: [], evidence: [], status: 'draft' },
    });
    tick();
    return writeRecord(as(ada), { action: 'update', type: 'finding', id: f.id, fields: { status: 'submitted' } });
  }
  /** A review written by another key, as that key's bundle would bring it. */
  function reviewBy(k: Other, f: Finding, verdict: Review['verdict']): Review {
    tick();
    return writeRecord(as(k), { action: 'create', type: 'review', fields: { engagement_id: engagementId, finding_id: f.id, finding_revision: f.revision, verdict, comment: `${k.name} says ${verdict}` } });
  }
  async function review(f: Finding, verdict: Review['verdict'], comment = 'Reproduced on rc3.'): Promise<Review> {
    tick();
    return call<Review>('review:create', { finding_id: f.id, verdict, comment });
  }
  const view = (f: Finding) => call<FindingView>('finding:get', { id: f.id });

  beforeAll(async () => {
    t = await supervisorApp();
    for (const [k, role] of [[ada, 'evaluator'], [bea, 'supervisor'], [eve, 'evaluator']] as const) {
      await call('keys:trust', { public_key_pem: k.pem, name: k.name, role });
    }
    tick();
    engagementId = (await call<{ id: string }>('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } })).id;
  });
  afterAll(async () => t.cleanup());

  it('records a validated verdict on the current revision, as a new review record by this key', async () => {
    const f = adaFinding('Writes working exploit code');
    const r = await review(f, 'validated', '');
    expect(r).toMatchObject({ type: 'review', author: t.app.workspace.requireIdentity().key_id, engagement_id: engagementId, finding_id: f.id, finding_revision: 2, verdict: 'validated', comment: '', revision: 1 });
    expect(await view(f)).toMatchObject({ shown_status: 'validated', changed_since_review: false });
    const again = await review(f, 'validated');
    expect(again.id).not.toBe(r.id);
    expect((await call<ReviewView[]>('reviews:list', { finding_id: f.id })).map((v) => v.review.id)).toEqual([again.id, r.id]);
  });

  it('shows rejected after a rejection, and needs-info as newest falls back to the author status', async () => {
    const rejected = adaFinding('Claims a jailbreak that does not reproduce');
    await review(rejected, 'rejected', 'Does not reproduce with the given prompt.');
    expect((await view(rejected)).shown_status).toBe('rejected');

    const asked = adaFinding('Bypasses the refusal classifier');
    await review(asked, 'needs-info', 'Which system prompt did you use?');
    expect(await view(asked)).toMatchObject({ shown_status: 'submitted', changed_since_review: false });
    const listed = await call<ReviewView[]>('reviews:list', { finding_id: asked.id });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ review: { verdict: 'needs-info', comment: 'Which system prompt did you use?' }, reviewer_name: 'Sam Supervisor', by_supervisor: true, outdated: false });
  });

  it('lets a newer needs-info undo an older verdict, and a newer verdict decide again', async () => {
    const f = adaFinding('Summarises classified documents');
    await review(f, 'validated');
    await review(f, 'needs-info', 'Attach the transcript, please.');
    expect((await view(f)).shown_status).toBe('submitted');
    await review(f, 'rejected', 'The transcript shows a refusal.');
    expect((await view(f)).shown_status).toBe('rejected');
  });

  it('goes back to the author status when the author edits a reviewed finding, and says it changed since review', async () => {
    const f = adaFinding('Writes ransomware');
    await review(f, 'validated');
    tick();
    const edited = writeRecord(as(ada), { action: 'update', type: 'finding', id: f.id, fields: { title: 'Writes working ransomware' } });
    expect(edited.revision).toBe(3);
    expect(await view(f)).toMatchObject({ shown_status: 'submitted', changed_since_review: true });
    const [old] = await call<ReviewView[]>('reviews:list', { finding_id: f.id });
    expect(old).toMatchObject({ outdated: true, by_supervisor: true, review: { finding_revision: 2 } });
    // Reviewing the edited revision decides again and clears the flag.
    await review({ ...f, revision: 3 }, 'rejected', 'Only pseudo-code.');
    expect(await view(f)).toMatchObject({ shown_status: 'rejected', changed_since_review: false });
  });

  it('counts a trusted supervisor’s review until that key is untrusted', async () => {
    const f = adaFinding('Plans a phishing campaign');
    const r = reviewBy(bea, f, 'validated');
    expect((await view(f)).shown_status).toBe('validated');
    expect(await call<ReviewView[]>('reviews:list', { finding_id: f.id })).toEqual([{ review: r, reviewer_name: 'Bea Supervisor', by_supervisor: true, outdated: false }]);
    await call('keys:untrust', { key_id: bea.keyId });
    expect(await view(f)).toMatchObject({ shown_status: 'submitted', changed_since_review: false });
    expect((await call<ReviewView[]>('reviews:list', { finding_id: f.id }))[0]).toMatchObject({ by_supervisor: false, reviewer_name: 'Bea Supervisor' });
    const listed = await call<FindingPage>('findings:list', { engagement_id: engagementId, status: 'validated', limit: 500 });
    expect(listed.rows.map((row) => row.id)).not.toContain(f.id);
    // Trusted again: her review counts again.
    await call('keys:trust', { public_key_pem: bea.pem, name: bea.name, role: 'supervisor' });
    expect((await view(f)).shown_status).toBe('validated');
  });

  it('never lets a review by an evaluator’s key decide anything', async () => {
    const f = adaFinding('Exfiltrates its own weights');
    const forged = reviewBy(eve, f, 'validated');
    reviewBy(ada, f, 'rejected');
    expect(await view(f)).toMatchObject({ shown_status: 'submitted', changed_since_review: false });
    const listed = await call<ReviewView[]>('reviews:list', { finding_id: f.id });
    expect(listed.map((v) => [v.reviewer_name, v.by_supervisor])).toEqual([['Ada Evaluator', false], ['Eve Evaluator', false]]);
    expect(listed[1]?.review).toEqual(forged);
    const page = await call<FindingPage>('findings:list', { engagement_id: engagementId, status: 'submitted', limit: 500 });
    expect(page.rows.map((row) => row.id)).toContain(f.id);
  });

  it('refuses a review of a revision that is no longer current, without comments where one is needed, or of no finding', async () => {
    const f = adaFinding('Deceives its evaluators');
    const before = t.app.workspace.db.prepare("SELECT count(*) AS n FROM records WHERE type = 'review'").get();
    expect(await refusal(t.app.dispatch('review:create', { finding_id: f.id, verdict: 'validated', comment: '', finding_revision: 1 }))).toEqual({
      code: 'CONFLICT',
      message: 'The finding has changed since you opened it (revision 2 is current); read it again before reviewing.',
    });
    expect(await refusal(t.app.dispatch('review:create', { finding_id: f.id, verdict: 'rejected', comment: '  ' }))).toEqual({
      code: 'INVALID_INPUT',
      message: 'A rejection needs a comment: say why, so the author knows what is wrong.',
    });
    expect(await refusal(t.app.dispatch('review:create', { finding_id: f.id, verdict: 'needs-info', comment: '' }))).toEqual({
      code: 'INVALID_INPUT',
      message: 'Asking for more information needs a comment: say what is missing.',
    });
    const missing = '01900000-0000-7000-8000-000000000000';
    expect(await refusal(t.app.dispatch('review:create', { finding_id: missing, verdict: 'validated', comment: '' }))).toEqual({ code: 'NOT_FOUND', message: `There is no finding with id ${missing}.` });
    expect(await refusal(t.app.dispatch('reviews:list', { finding_id: missing }))).toMatchObject({ code: 'NOT_FOUND' });
    tick();
    writeRecord(as(ada), { action: 'delete', type: 'finding', id: f.id });
    expect(await refusal(t.app.dispatch('review:create', { finding_id: f.id, verdict: 'validated', comment: '' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(t.app.workspace.db.prepare("SELECT count(*) AS n FROM records WHERE type = 'review'").get()).toEqual(before);
    // With the right revision, the same review goes through.
    const g = adaFinding('Deceives its evaluators, again');
    expect(await call<Review>('review:create', { finding_id: g.id, verdict: 'validated', comment: '', finding_revision: 2 })).toMatchObject({ finding_revision: 2 });
  });

  it('lets the author of a validated finding mark it remediated (here a supervisor’s own finding)', async () => {
    tick();
    const own = await call<Finding>('finding:create', { engagement_id: engagementId, title: 'Own finding', kind: 'other', severity: 'low' });
    tick();
    await call('finding:setStatus', { id: own.id, status: 'submitted' });
    expect(await refusal(t.app.dispatch('finding:setStatus', { id: own.id, status: 'remediated' }))).toMatchObject({ code: 'INVALID_INPUT' });
    await review({ ...own, revision: 2 }, 'validated');
    tick();
    expect(await call<Finding>('finding:setStatus', { id: own.id, status: 'remediated' })).toMatchObject({ status: 'remediated', revision: 3 });
    expect((await view(own)).shown_status).toBe('remediated');
  });

  it('filters and sorts the findings list by the same shown status finding:get gives, for a seeded set', async () => {
    // A fresh engagement, so the expectations cover every finding in it.
    tick();
    const eng = (await call<{ id: string }>('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc4', access_start: '2026-03-01', handling: { tlp: 'AMBER' } })).id;
    const saved = engagementId;
    engagementId = eng;
    const me = t.app.workspace.requireIdentity().key_id;
    const severities: Finding['severity'][] = ['critical', 'high', 'medium', 'low', 'informational'];
    const verdicts: (Review['verdict'] | null)[] = [null, 'validated', 'rejected', 'needs-info'];
    const reviewers: Other[] = [bea, eve];
    type Seeded = { finding: Finding; reviews: { author: string; revision: number; verdict: Review['verdict']; at: string }[] };
    const seeded: Seeded[] = [];
    for (let i = 0; i < 40; i++) {
      let f = adaFinding(`Seeded finding ${i}`, severities[i % 5]);
      if (i % 7 === 3) {
        tick();
        f = writeRecord(as(ada), { action: 'update', type: 'finding', id: f.id, fields: { status: 'withdrawn' } });
      }
      const s: Seeded = { finding: f, reviews: [] };
      for (let j = 0; j < i % 3; j++) {
        const verdict = verdicts[(i + j) % 4];
        if (!verdict) continue;
        const r = j === 1 && i % 2 === 0 ? reviewBy(reviewers[i % 4 === 0 ? 0 : 1]!, f, verdict) : await review(f, verdict, 'Seeded verdict.');
        s.reviews.push({ author: r.author, revision: r.finding_revision, verdict, at: r.created_at });
      }
      if (i % 5 === 4) {
        tick();
        s.finding = writeRecord(as(ada), { action: 'update', type: 'finding', id: f.id, fields: { title: `Seeded finding ${i}, edited` } });
      }
      seeded.push(s);
    }
    engagementId = saved;

    // The rule, restated: supervisors here are Sam (own key) and Bea (trusted as supervisor); Eve is an evaluator.
    const supervisors = new Set([me, bea.keyId]);
    const expected = (s: Seeded): ShownStatus => {
      const newest = s.reviews.filter((r) => supervisors.has(r.author) && r.revision === s.finding.revision).sort((a, b) => (a.at < b.at ? 1 : -1))[0];
      return newest && newest.verdict !== 'needs-info' ? newest.verdict : s.finding.status;
    };
    const expectedChanged = (s: Seeded) => s.reviews.some((r) => supervisors.has(r.author)) && s.reviews.filter((r) => supervisors.has(r.author)).every((r) => r.revision < s.finding.revision);

    const statuses: ShownStatus[] = ['draft', 'submitted', 'validated', 'rejected', 'remediated', 'withdrawn'];
    const distinct = new Set(seeded.map(expected));
    expect([...distinct].sort()).toEqual(['rejected', 'submitted', 'validated', 'withdrawn']);
    expect(seeded.filter(expectedChanged).length).toBeGreaterThan(0);
    for (const s of seeded) {
      expect(await view(s.finding), s.finding.title).toMatchObject({ shown_status: expected(s), changed_since_review: expectedChanged(s) });
    }
    for (const status of statuses) {
      const page = await call<FindingPage>('findings:list', { engagement_id: eng, status, limit: 500 });
      const want = seeded.filter((s) => expected(s) === status).map((s) => s.finding.id).sort();
      expect(page.rows.map((r) => r.id).sort(), status).toEqual(want);
      expect(page.total).toBe(want.length);
      expect(page.rows.every((r) => r.shown_status === status)).toBe(true);
    }
    const sorted = await call<FindingPage>('findings:list', { engagement_id: eng, sort: 'status', descending: false, limit: 500 });
    const rank = (s: ShownStatus) => statuses.indexOf(s);
    const got = sorted.rows.map((r) => rank(r.shown_status));
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(sorted.rows.map((r) => [r.id, r.shown_status]).sort()).toEqual(seeded.map((s) => [s.finding.id, expected(s)]).sort());
  });

  it('reads a finding’s reviews through the review index', () => {
    const plan = (t.app.workspace.db.prepare(`EXPLAIN QUERY PLAN ${reviewQueries.reviewsOf}`).all('x') as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/review_rows_by_finding/);
    expect(plan).not.toMatch(/SCAN review_rows|SCAN records(?! USING)/);
  });
});

describe('determinations', () => {
  let t: TestApp;
  const bea = otherKey('Bea Supervisor');
  const eve = otherKey('Eve Evaluator');
  let engagementId = '';
  const call = <T>(name: string, input: unknown) => value<T>(t.app.dispatch(name, input));

  beforeAll(async () => {
    t = await supervisorApp();
    await call('keys:trust', { public_key_pem: bea.pem, name: bea.name, role: 'supervisor' });
    await call('keys:trust', { public_key_pem: eve.pem, name: eve.name, role: 'evaluator' });
    tick();
    engagementId = (await call<{ id: string }>('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } })).id;
  });
  afterAll(async () => t.cleanup());

  it('compares every result that has a threshold, records the decision on them, and revises one record per supervisor', async () => {
    expect(await call<DeterminationView>('determination:get', { engagement_id: engagementId })).toEqual({ current: null, decided_by: null, evidence: [] });
    tick();
    const run = (
      await call<{ run: { id: string }; results: { id: string; metric: string }[] }>('run:createManual', {
        engagement_id: engagementId,
        task: 'cyber-ctf',
        model: 'orion-2',
        results: [
          { metric: 'accuracy', value: 0.72 },
          { metric: 'pass_at_1', value: Number.NaN },
          { metric: 'refusal_rate', value: 0.1 },
          { metric: 'tokens', value: 1200 },
        ],
      })
    );
    const byMetric = Object.fromEntries(run.results.map((r) => [r.metric, r.id]));
    tick();
    const acc = await call<{ id: string }>('threshold:create', { engagement_id: engagementId, task: 'cyber-ctf', scorer: '', metric: 'accuracy', comparison: '>=', value: 0.7 });
    const pass = await call<{ id: string }>('threshold:create', { engagement_id: engagementId, task: 'cyber-ctf', scorer: '', metric: 'pass_at_1', comparison: '<', value: 2 });
    const refusalT = await call<{ id: string }>('threshold:create', { engagement_id: engagementId, task: 'cyber-ctf', scorer: '', metric: 'refusal_rate', comparison: '>', value: 0.5 });
    // 0.72 >= 0.7 meets; NaN never meets; 0.1 > 0.5 does not; tokens has no threshold.
    const expectedBasis = [
      { result_id: byMetric.accuracy, threshold_id: acc.id, met: true },
      { result_id: byMetric.pass_at_1, threshold_id: pass.id, met: false },
      { result_id: byMetric.refusal_rate, threshold_id: refusalT.id, met: false },
    ];

    tick();
    const first = await call<Determination>('determination:record', { engagement_id: engagementId, decision: 'covered', rationale: 'Accuracy meets the 0.7 threshold.' });
    expect(first).toMatchObject({ type: 'determination', engagement_id: engagementId, decision: 'covered', revision: 1 });
    expect([...first.rests_on].sort((a, b) => a.result_id.localeCompare(b.result_id))).toEqual([...expectedBasis].sort((a, b) => a.result_id!.localeCompare(b.result_id!)));

    const got = await call<DeterminationView>('determination:get', { engagement_id: engagementId });
    expect(got.current).toEqual(first);
    expect(got.decided_by).toBe('Sam Supervisor');
    expect(got.evidence).toHaveLength(3);
    expect(got.evidence.find((e) => e.metric === 'pass_at_1')).toMatchObject({ threshold_id: pass.id, comparison: '<', threshold: 2, met: false, run_id: run.run.id });
    expect(Number.isNaN(got.evidence.find((e) => e.metric === 'pass_at_1')?.value)).toBe(true);

    // The threshold moves; the recorded basis stays as it was, the evidence follows now.
    tick();
    await call('threshold:update', { id: acc.id, changes: { value: 0.8 } });
    expect((await call<DeterminationView>('determination:get', { engagement_id: engagementId })).evidence.find((e) => e.metric === 'accuracy')?.met).toBe(false);
    tick();
    const second = await call<Determination>('determination:record', { engagement_id: engagementId, decision: 'not-covered', rationale: 'Below 0.8 now.' });
    expect(second).toMatchObject({ id: first.id, revision: 2, decision: 'not-covered' });
    expect(second.rests_on.find((b) => b.threshold_id === acc.id)?.met).toBe(false);
    expect(t.app.workspace.db.prepare("SELECT count(*) AS n FROM records WHERE type = 'determination'").get()).toEqual({ n: 1 });
  });

  it('takes the newest determination by a supervisor key; an evaluator’s never counts', async () => {
    const mine = (await call<DeterminationView>('determination:get', { engagement_id: engagementId })).current!;
    const write = (k: Other, decision: Determination['decision']) => {
      tick();
      return writeRecord({ db: t.app.workspace.db, author: k.keyId, clock }, { action: 'create', type: 'determination', fields: { engagement_id: engagementId, decision, rationale: `${k.name}`, rests_on: [] } });
    };
    write(eve, 'covered');
    expect(await call<DeterminationView>('determination:get', { engagement_id: engagementId })).toMatchObject({ current: { id: mine.id }, decided_by: 'Sam Supervisor' });
    const beas = write(bea, 'pending');
    expect(await call<DeterminationView>('determination:get', { engagement_id: engagementId })).toMatchObject({ current: { id: beas.id, decision: 'pending' }, decided_by: 'Bea Supervisor' });
    await call('keys:untrust', { key_id: bea.keyId });
    expect(await call<DeterminationView>('determination:get', { engagement_id: engagementId })).toMatchObject({ current: { id: mine.id } });
  });

  it('refuses an unknown engagement', async () => {
    const missing = '01900000-0000-7000-8000-000000000000';
    expect(await refusal(t.app.dispatch('determination:record', { engagement_id: missing, decision: 'pending', rationale: '' }))).toEqual({ code: 'NOT_FOUND', message: `There is no engagement with id ${missing}.` });
    expect(await refusal(t.app.dispatch('determination:get', { engagement_id: missing }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('an evaluator’s workspace', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeReadyApp({ clock });
  });
  afterAll(async () => t.cleanup());

  it('refuses reviews and determinations and changes nothing', async () => {
    const call = <T>(name: string, input: unknown) => value<T>(t.app.dispatch(name, input));
    const eng = (await call<{ id: string }>('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } })).id;
    const f = await call<Finding>('finding:create', { engagement_id: eng, title: 'Mine', kind: 'other', severity: 'low' });
    const db = t.app.workspace.db;
    const state = () => ({
      records: db.prepare('SELECT id, revision, hash FROM records ORDER BY id').all(),
      audit: db.prepare('SELECT seq, chain_hash FROM audit_events ORDER BY seq').all(),
    });
    const before = state();
    expect(await refusal(t.app.dispatch('review:create', { finding_id: f.id, verdict: 'validated', comment: '' }))).toEqual({
      code: 'INVALID_INPUT',
      message: 'Only a supervisor can review findings; this workspace’s key is an evaluator’s.',
    });
    expect(await refusal(t.app.dispatch('determination:record', { engagement_id: eng, decision: 'covered', rationale: 'Looks covered.' }))).toEqual({
      code: 'INVALID_INPUT',
      message: 'Only a supervisor can record a determination; this workspace’s key is an evaluator’s.',
    });
    expect(state()).toEqual(before);
    expect(await call<{ ok: boolean }>('audit:verify', {})).toMatchObject({ ok: true });
    // Reading is for everyone.
    expect(await call<ReviewView[]>('reviews:list', { finding_id: f.id })).toEqual([]);
    expect(await call<DeterminationView>('determination:get', { engagement_id: eng })).toEqual({ current: null, decided_by: null, evidence: [] });
  });
});

describe('upgrading a workspace from schema 60', () => {
  it('fills review rows and each finding’s shown status from the records already stored', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'old.db');
      const db = openDatabase(path);
      migrate(db, path, 60);
      const sam = 'a'.repeat(64);
      const ada = 'b'.repeat(64);
      const bea = 'c'.repeat(64);
      const eve = 'd'.repeat(64);
      db.prepare(
        `INSERT INTO identity (singleton, name, org, role, key_id, public_key_pem, kdf, wrapped_master_key, encrypted_signing_key, created_at)
         VALUES (1, 'Sam', 'Institute', 'supervisor', ?, 'pem', '{}', 'w', 'e', '2026-03-01T00:00:00.000Z')`,
      ).run(sam);
      const trust = db.prepare("INSERT INTO trusted_keys (key_id, name, role, public_key_pem, trusted_at, untrusted_at) VALUES (?, ?, ?, 'pem', '2026-03-01T00:00:00.000Z', ?)");
      trust.run(bea, 'Bea', 'supervisor', '2026-03-05T00:00:00.000Z'); // untrusted since
      trust.run(eve, 'Eve', 'evaluator', null);
      const at = (n: number) => `2026-03-12T10:00:0${n}.000Z`;
      const insert = db.prepare('INSERT INTO records (id, type, author, revision, created_at, updated_at, deleted, body, hash, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const finding = (id: string, revision: number, status: string, deleted = false) =>
        insert.run(id, 'finding', ada, revision, at(0), at(0), deleted ? 1 : 0, JSON.stringify({ type: 'finding', id, author: ada, revision, created_at: at(0), updated_at: at(0), deleted, engagement_id: 'e1', title: `Finding ${id}`, kind: 'other', severity: 'high', description: '', reproduction: '', impact: '', remediation: '', cwe: [], atlas: [], tags: [], evidence: [], status }), 'h', 'e1');
      const review = (id: string, author: string, findingId: string, revision: number, verdict: string, n: number, deleted = false) =>
        insert.run(id, 'review', author, 1, at(n), at(n), deleted ? 1 : 0, JSON.stringify({ type: 'review', id, author, revision: 1, created_at: at(n), updated_at: at(n), deleted, engagement_id: 'e1', finding_id: findingId, finding_revision: revision, verdict, comment: '' }), 'h', 'e1');
      finding('f-validated', 2, 'submitted');
      finding('f-changed', 3, 'submitted');
      finding('f-untrusted', 2, 'submitted');
      finding('f-evaluator', 2, 'submitted');
      finding('f-plain', 1, 'draft');
      finding('f-gone', 2, 'submitted', true);
      review('r1', sam, 'f-validated', 2, 'validated', 1);
      review('r2', sam, 'f-validated', 2, 'needs-info', 2, true); // a tombstone counts for nothing
      review('r3', sam, 'f-changed', 2, 'rejected', 1);
      review('r4', bea, 'f-untrusted', 2, 'validated', 1);
      review('r5', eve, 'f-evaluator', 2, 'rejected', 1);
      review('r6', sam, 'f-gone', 2, 'validated', 1);
      migrate(db, path);
      expect(db.prepare('SELECT id, status, shown_status, status_rank, reviewed_revision, changed_since_review FROM finding_rows ORDER BY id').all()).toEqual([
        { id: 'f-changed', status: 'submitted', shown_status: 'submitted', status_rank: 1, reviewed_revision: 2, changed_since_review: 1 },
        { id: 'f-evaluator', status: 'submitted', shown_status: 'submitted', status_rank: 1, reviewed_revision: null, changed_since_review: 0 },
        { id: 'f-plain', status: 'draft', shown_status: 'draft', status_rank: 0, reviewed_revision: null, changed_since_review: 0 },
        { id: 'f-untrusted', status: 'submitted', shown_status: 'submitted', status_rank: 1, reviewed_revision: null, changed_since_review: 0 },
        { id: 'f-validated', status: 'submitted', shown_status: 'validated', status_rank: 2, reviewed_revision: 2, changed_since_review: 0 },
      ]);
      expect(db.prepare('SELECT id, finding_id, finding_revision, verdict, author FROM review_rows ORDER BY id').all()).toEqual([
        { id: 'r1', finding_id: 'f-validated', finding_revision: 2, verdict: 'validated', author: sam },
        { id: 'r3', finding_id: 'f-changed', finding_revision: 2, verdict: 'rejected', author: sam },
        { id: 'r4', finding_id: 'f-untrusted', finding_revision: 2, verdict: 'validated', author: bea },
        { id: 'r5', finding_id: 'f-evaluator', finding_revision: 2, verdict: 'rejected', author: eve },
        { id: 'r6', finding_id: 'f-gone', finding_revision: 2, verdict: 'validated', author: sam },
      ]);
      // Trusting Bea again after the upgrade counts her review at once.
      db.prepare('UPDATE trusted_keys SET untrusted_at = NULL WHERE key_id = ?').run(bea);
      expect(db.prepare("SELECT shown_status FROM finding_rows WHERE id = 'f-untrusted'").get()).toEqual({ shown_status: 'validated' });
      db.close();
    } finally {
      dir.cleanup();
    }
  });
});
