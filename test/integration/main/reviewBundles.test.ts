import { describe, expect, it } from 'vitest';
import { readBundleContents } from '../../../main/bundles/verifyBundle';
import { writeRecord } from '../../../main/records/writeRecord';
import type { Finding, FindingPage, FindingView } from '../../../shared/domain/finding';
import type { Determination, DeterminationView, Review, ReviewView } from '../../../shared/domain/review';
import { peopleInOneProcess } from '../../helpers/people';

const { tick, call, person, trust, exportEngagement, ingest } = peopleInOneProcess('evalnotes-review-bundles-');

const folders = async (path: string) => (await readBundleContents(path)).entries.flatMap((e) => /^records\/([a-z]+)\//.exec(e.name)?.[1] ?? []);

describe('reviews travel back to the evaluator in the supervisor’s bundle', () => {
  it('validates Ada’s finding in her own workspace, until she edits it', async () => {
    const ada = await person('Ada Lovelace', 'evaluator');
    const sam = await person('Sam Supervisor', 'supervisor');

    const eng = (await call<{ id: string }>(ada, 'engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } })).id;
    const f = await call<Finding>(ada, 'finding:create', { engagement_id: eng, title: 'Writes working exploit code', kind: 'capability', severity: 'critical' });
    await call(ada, 'finding:setStatus', { id: f.id, status: 'submitted' });
    const adasBundle = await exportEngagement(ada, eng);

    await trust(sam, ada);
    await ingest(sam, adasBundle);
    expect(await call<FindingView>(sam, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'submitted', changed_since_review: false });
    const review = await call<Review>(sam, 'review:create', { finding_id: f.id, verdict: 'validated', comment: 'Reproduced on rc3.', finding_revision: 2 });
    await call<Determination>(sam, 'determination:record', { engagement_id: eng, decision: 'covered', rationale: 'The exploit finding is validated.' });
    expect(await call<FindingView>(sam, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'validated' });

    const samsBundle = await exportEngagement(sam, eng);
    // Only Sam's records: his review and his determination, not Ada's engagement or finding.
    expect((await folders(samsBundle)).sort()).toEqual(['determinations', 'reviews']);

    // Before Ada trusts Sam, his bundle is refused; once she trusts him as a supervisor, his review counts.
    await expect(ingest(ada, samsBundle)).rejects.toThrow(/^INVALID_INPUT: /);
    await trust(ada, sam);
    const summary = await ingest(ada, samsBundle);
    expect(summary.by_type).toEqual({ reviews: { added: 1, updated: 0, skipped: 0 }, determinations: { added: 1, updated: 0, skipped: 0 } });
    expect(summary.waiting).toEqual([]);
    expect(await call<FindingView>(ada, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'validated', changed_since_review: false });
    expect(await call<ReviewView[]>(ada, 'reviews:list', { finding_id: f.id })).toEqual([{ review, reviewer_name: 'Sam Supervisor', by_supervisor: true, outdated: false }]);
    const validated = await call<FindingPage>(ada, 'findings:list', { status: 'validated' });
    expect(validated.rows.map((r) => [r.id, r.shown_status])).toEqual([[f.id, 'validated']]);
    expect(await call<DeterminationView>(ada, 'determination:get', { engagement_id: eng })).toMatchObject({ current: { decision: 'covered' }, decided_by: 'Sam Supervisor' });

    // Ada edits the finding: it shows her status again, flagged as changed since the review.
    await call(ada, 'finding:update', { id: f.id, changes: { title: 'Writes working exploit code for CVE-2024-12345' } });
    expect(await call<FindingView>(ada, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'submitted', changed_since_review: true });
    expect((await call<ReviewView[]>(ada, 'reviews:list', { finding_id: f.id }))[0]).toMatchObject({ outdated: true });
    expect((await call<FindingPage>(ada, 'findings:list', { status: 'validated' })).total).toBe(0);
    const refused = await ada.app.dispatch('finding:setStatus', { id: f.id, status: 'remediated' });
    expect(refused.ok).toBe(false);

    // Sam gets the edit and validates the new revision; back at Ada's, she may mark it remediated.
    await ingest(sam, await exportEngagement(ada, eng));
    expect(await call<FindingView>(sam, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'submitted', changed_since_review: true });
    await call<Review>(sam, 'review:create', { finding_id: f.id, verdict: 'validated', comment: '' });
    const second = await ingest(ada, await exportEngagement(sam, eng));
    expect(second.by_type.reviews).toEqual({ added: 1, updated: 0, skipped: 1 });
    expect(await call<FindingView>(ada, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'validated', changed_since_review: false });
    expect(await call<Finding>(ada, 'finding:setStatus', { id: f.id, status: 'remediated' })).toMatchObject({ status: 'remediated' });
  });

  it('never validates anything from a review in an evaluator’s bundle', async () => {
    const ada = await person('Ada Lovelace', 'evaluator');
    const eve = await person('Eve Evaluator', 'evaluator');
    const sam = await person('Sam Supervisor', 'supervisor');
    const eng = (await call<{ id: string }>(ada, 'engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } })).id;
    const f = await call<Finding>(ada, 'finding:create', { engagement_id: eng, title: 'Bypasses the refusal classifier', kind: 'safeguard-bypass', severity: 'high' });
    await call(ada, 'finding:setStatus', { id: f.id, status: 'submitted' });
    const adasBundle = await exportEngagement(ada, eng);

    // Eve's workspace refuses her review, so she forges one through the write path itself.
    await trust(eve, ada);
    await ingest(eve, adasBundle);
    expect((await eve.app.dispatch('review:create', { finding_id: f.id, verdict: 'validated', comment: '' })).ok).toBe(false);
    tick();
    const forged = writeRecord(eve.app.workspace.writer(), { action: 'create', type: 'review', fields: { engagement_id: eng, finding_id: f.id, finding_revision: 2, verdict: 'validated', comment: 'Trust me.' } });
    tick();
    writeRecord(eve.app.workspace.writer(), { action: 'create', type: 'determination', fields: { engagement_id: eng, decision: 'not-covered', rationale: 'Trust me.', rests_on: [] } });
    const evesBundle = await exportEngagement(eve, eng);
    expect((await folders(evesBundle)).sort()).toEqual(['determinations', 'reviews']);

    await trust(sam, ada);
    await ingest(sam, adasBundle);
    for (const t of [ada, sam]) {
      await trust(t, eve);
      expect((await ingest(t, evesBundle)).by_type.reviews).toEqual({ added: 1, updated: 0, skipped: 0 });
      expect(await call<FindingView>(t, 'finding:get', { id: f.id })).toMatchObject({ shown_status: 'submitted', changed_since_review: false });
      expect(await call<ReviewView[]>(t, 'reviews:list', { finding_id: f.id })).toEqual([{ review: forged, reviewer_name: 'Eve Evaluator', by_supervisor: false, outdated: false }]);
      expect((await call<FindingPage>(t, 'findings:list', { status: 'validated' })).total).toBe(0);
      expect(await call<DeterminationView>(t, 'determination:get', { engagement_id: eng })).toMatchObject({ current: null, decided_by: null });
    }
  });
});
