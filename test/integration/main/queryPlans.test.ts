import { afterEach, beforeEach, expect, it } from 'vitest';
import { runQueries } from '../../../main/services/runs';
import { makeReadyApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeEach(async () => {
  t = await makeReadyApp();
});
afterEach(async () => t.cleanup());

function plan(sql: string, params: Record<string, unknown> | unknown[]): string {
  const rows = t.app.workspace.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(Array.isArray(params) ? params : [params])) as { detail: string }[];
  return rows.map((r) => r.detail).join(' | ');
}

// A run's 20,000 samples must be paged through the parent index, never by
// scanning every record in the workspace.
it.each([
  ['runs of an engagement', runQueries.runsOfEngagement, ['x']],
  ['results of a run', runQueries.resultsOfRun, ['x']],
  ['a page of samples', runQueries.samplesPage(false), { run: 'x', limit: 10, offset: 0 }],
  ['a page of solved samples', runQueries.samplesPage(false, 'solved'), { run: 'x', limit: 10, offset: 0 }],
])('looks up %s through the parent index', (_name, sql, params) => {
  const p = plan(sql, params);
  expect(p).toMatch(/USING INDEX records_by_parent/);
  expect(p).not.toMatch(/SCAN records(?! USING)/);
});

it('searches samples through the full-text index', () => {
  const p = plan(runQueries.samplesPage(true), { run: 'x', match: '"word"', limit: 10, offset: 0 });
  expect(p).toMatch(/VIRTUAL TABLE INDEX/);
});
