/** The supervisor's screens, their pure part: addresses, the dashboard's order and numbers, verdict rules, report names. */
import { describe, expect, it } from 'vitest';
import { Severity, ShownStatus } from '../../../shared/domain/finding';
import type { DeterminationView, ReviewView } from '../../../shared/domain/review';
import type { EngagementSummary, Summary } from '../../../shared/domain/summary';
import { dashboardRows, dashboardTotals, highestTlp, severityRows, thresholdGroups, timelineBars, timelineDomain } from '../../../renderer/features/dashboard/dashboardData';
import { reportFileName } from '../../../renderer/features/reports/reportName';
import { commentRequired, currentVerdict, evidenceChanged } from '../../../renderer/features/reviews/verdicts';
import { parseRoute, routeHash, type Route } from '../../../renderer/lib/route';

const E1 = '01900000-0000-7000-8000-000000000001';
const E2 = '01900000-0000-7000-8000-000000000002';
const E3 = '01900000-0000-7000-8000-000000000003';
const E4 = '01900000-0000-7000-8000-000000000004';

describe('addresses of the supervisor’s screens', () => {
  const routes: Route[] = [
    { page: 'dashboard' },
    { page: 'determination', id: E1 },
    { page: 'findings', id: E1 },
    { page: 'findings', id: E1, severity: 'high' },
    { page: 'findings', id: E1, status: 'submitted' },
    { page: 'findings', id: E1, severity: 'critical', status: 'validated' },
  ];
  it.each(routes.map((r) => [routeHash(r), r] as const))('%s round-trips', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('writes the filter as a query after the findings path', () => {
    expect(routeHash({ page: 'findings', id: E1, severity: 'high', status: 'submitted' })).toBe(`#/engagements/${E1}/findings?severity=high&status=submitted`);
    expect(routeHash({ page: 'dashboard' })).toBe('#/dashboard');
    expect(routeHash({ page: 'determination', id: E1 })).toBe(`#/engagements/${E1}/determination`);
  });

  it('opens the whole list for a filter it does not know, rather than nothing', () => {
    expect(parseRoute(`#/engagements/${E1}/findings?severity=severe`)).toEqual({ page: 'findings', id: E1 });
    expect(parseRoute(`#/engagements/${E1}/findings?colour=red`)).toEqual({ page: 'findings', id: E1 });
    expect(parseRoute(`#/engagements/${E1}/findings?status=submitted&status=draft`)).toEqual({ page: 'findings', id: E1 });
  });
});

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function engagement(id: string, model: string, over: Partial<EngagementSummary> = {}): EngagementSummary {
  return {
    id,
    developer: 'Frontier Lab',
    model,
    model_version: 'rc1',
    status: 'active',
    handling: { tlp: 'GREEN' },
    access_start: '2026-03-01',
    window_days: 30,
    release_date: null,
    // The renderer works the window out for its own today; main's answer is not read.
    window: { phase: 'open', label: 'ignored', deadline: '2026-03-31', days_left: 0, urgent: false },
    determination: null,
    findings: {
      total: 0,
      by_severity: zeros(Severity.options),
      by_status: zeros(ShownStatus.options),
      by_severity_status: Object.fromEntries(Severity.options.map((s) => [s, zeros(ShownStatus.options)])) as EngagementSummary['findings']['by_severity_status'],
      awaiting_verdict: 0,
      changed_since_review: 0,
    },
    results: { runs: 0, results: 0, with_threshold: 0, met: 0, against_thresholds: [] },
    ...over,
  };
}

function summary(engagements: EngagementSummary[]): Summary {
  return {
    today: '2026-03-12',
    generated_at: '2026-03-12T10:00:00.000Z',
    engagements,
    totals: { engagements: engagements.length, findings: 0, awaiting_verdict: 0, urgent: 0, by_severity: zeros(Severity.options), by_status: zeros(ShownStatus.options) },
  };
}

describe('the dashboard', () => {
  // Today 2026-03-12. Deadlines: Vega 2026-03-10 (overdue by 2), Orion 2026-03-15 (3 left), Lyra 2026-04-09, Nova starts 2026-04-01, Old closed.
  const vega = engagement(E1, 'Vega', { access_start: '2026-02-08' });
  const orion = engagement(E2, 'Orion', { access_start: '2026-02-13', release_date: '2026-03-20', handling: { tlp: 'AMBER+STRICT' } });
  const lyra = engagement(E3, 'Lyra', { access_start: '2026-03-10' });
  const nova = engagement(E4, 'Nova', { access_start: '2026-04-01' });
  const old = engagement('01900000-0000-7000-8000-000000000005', 'Old', { access_start: '2026-01-01', status: 'closed' });
  const rows = dashboardRows(summary([nova, old, lyra, orion, vega]), '2026-03-12');

  it('lists the most pressing first: overdue, then running by deadline, then not started, then closed', () => {
    expect(rows.map((r) => r.e.model)).toEqual(['Vega', 'Orion', 'Lyra', 'Nova', 'Old']);
  });

  it('labels each window for the reader’s today, and a closed engagement is never urgent', () => {
    expect(rows.map((r) => r.win.label)).toEqual([
      'window closed, overdue by 2 days',
      'day 28 of 30 — 3 days left',
      'day 3 of 30 — 28 days left',
      'starts in 20 days',
      'window closed, overdue by 40 days',
    ]);
    expect(rows.map((r) => r.urgent)).toEqual([true, true, false, false, false]);
  });

  it('counts urgent engagements, verdicts awaited and the strictest marking on screen', () => {
    const busy = dashboardRows(
      summary([
        engagement(E1, 'A', { findings: { ...vega.findings, total: 5, awaiting_verdict: 3, changed_since_review: 1 } }),
        engagement(E2, 'B', { findings: { ...vega.findings, total: 2, awaiting_verdict: 1 }, handling: { tlp: 'RED' } }),
      ]),
      '2026-03-28',
    );
    expect(dashboardTotals(busy)).toEqual({ engagements: 2, findings: 7, awaiting: 4, urgent: 2, changedSinceReview: 1 });
    expect(highestTlp(busy)).toBe('RED');
    expect(highestTlp(rows)).toBe('AMBER+STRICT');
    expect(highestTlp([])).toBeNull();
  });

  it('draws each window from access start to deadline, with the release date, and spans today', () => {
    const day = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;
    const bars = timelineBars(rows);
    expect(bars[1]).toMatchObject({ label: 'Orion rc1', window: [day('2026-02-13'), day('2026-03-15')], release: day('2026-03-20'), urgent: true });
    expect(bars[1]?.description).toBe('Orion rc1: day 28 of 30 — 3 days left; access 2026-02-13 to deadline 2026-03-15; planned release 2026-03-20');
    // Old's window opened on 2026-01-01 and Nova's closes 2026-05-01; two days of room either side.
    expect(timelineDomain(bars, day('2026-03-12'))).toEqual([day('2026-01-01') - 2, day('2026-05-01') + 2]);
    expect(timelineDomain([], day('2026-03-12'))).toEqual([day('2026-03-12') - 2, day('2026-03-12') + 2]);
  });

  it('splits each severity by shown status, every severity listed, most severe first', () => {
    const bySeverityStatus = Object.fromEntries(Severity.options.map((s) => [s, zeros(ShownStatus.options)])) as EngagementSummary['findings']['by_severity_status'];
    bySeverityStatus.high.submitted = 2;
    bySeverityStatus.high.validated = 1;
    bySeverityStatus.low.rejected = 4;
    const out = severityRows(engagement(E1, 'A', { findings: { ...vega.findings, by_severity_status: bySeverityStatus } }));
    expect(out.map((r) => [r.severity, r.total])).toEqual([
      ['critical', 0],
      ['high', 3],
      ['medium', 0],
      ['low', 4],
      ['informational', 0],
    ]);
    expect(out[1]).toMatchObject({ submitted: 2, validated: 1, draft: 0 });
  });

  it('groups results against thresholds by metric, in the order they came', () => {
    const r = (metric: string, task: string) => ({
      result_id: E1,
      run_id: E2,
      task,
      scorer: 'match',
      metric,
      value: 0.5,
      stderr: null,
      comparison: '>=' as const,
      threshold: 0.4,
      met: true,
    });
    const groups = thresholdGroups([r('accuracy', 'a'), r('f1', 'b'), r('accuracy', 'c')]);
    expect(groups.map(([m, rs]) => [m, rs.map((x) => x.task)])).toEqual([
      ['accuracy', ['a', 'c']],
      ['f1', ['b']],
    ]);
  });
});

describe('verdicts and decisions', () => {
  it('asks for a comment unless the finding is validated', () => {
    expect(commentRequired('validated')).toBe(false);
    expect(commentRequired('rejected')).toBe(true);
    expect(commentRequired('needs-info')).toBe(true);
  });

  it('shows the newest review that counts, skipping reviews by keys that are not a supervisor’s', () => {
    const view = (id: string, by_supervisor: boolean): ReviewView => ({
      review: {
        type: 'review',
        id,
        author: 'a'.repeat(64),
        revision: 1,
        created_at: '2026-03-12T10:00:00.000Z',
        updated_at: '2026-03-12T10:00:00.000Z',
        deleted: false,
        engagement_id: E1,
        finding_id: E2,
        finding_revision: 2,
        verdict: 'validated',
        comment: '',
      },
      reviewer_name: null,
      by_supervisor,
      outdated: false,
    });
    expect(currentVerdict([view(E3, false), view(E4, true)])?.review.id).toBe(E4);
    expect(currentVerdict([view(E3, false)])).toBeNull();
  });

  it('says when the evidence no longer matches what a decision rests on', () => {
    const evidence = (met: boolean) => ({
      result_id: E1,
      run_id: E2,
      threshold_id: E3,
      task: 't',
      scorer: 's',
      metric: 'm',
      value: 0.5,
      comparison: '>=' as const,
      threshold: 0.4,
      met,
    });
    const current = {
      type: 'determination' as const,
      id: E4,
      author: 'b'.repeat(64),
      revision: 1,
      created_at: '2026-03-12T10:00:00.000Z',
      updated_at: '2026-03-12T10:00:00.000Z',
      deleted: false,
      engagement_id: E1,
      decision: 'covered' as const,
      rationale: 'r',
      rests_on: [{ result_id: E1, threshold_id: E3, met: true }],
    };
    const view = (over: Partial<DeterminationView>): DeterminationView => ({ current, decided_by: 'Sam', evidence: [evidence(true)], ...over });
    expect(evidenceChanged(view({}))).toBe(false);
    expect(evidenceChanged(view({ evidence: [evidence(false)] }))).toBe(true);
    expect(evidenceChanged(view({ evidence: [] }))).toBe(true);
    expect(evidenceChanged(view({ current: null }))).toBeNull();
  });
});

describe('report file names', () => {
  it('names the model and version, with no spaces or slashes', () => {
    expect(reportFileName({ model: 'Orion-2', model_version: 'rc3' }, 'html')).toBe('orion-2-rc3-report.html');
    expect(reportFileName({ model: 'Ünïcode / Model', model_version: 'v1.0 (final)' }, 'pdf')).toBe('ünïcode-model-v1.0-final-report.pdf');
  });
});
