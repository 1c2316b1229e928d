import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, calendarDateIn } from '../../../shared/dates';
import type { Engagement } from '../../../shared/domain/engagement';
import type { Finding } from '../../../shared/domain/finding';
import type { Summary } from '../../../shared/domain/summary';
import { stringifyJson } from '../../../shared/numbers';
import { TEST_PASSPHRASE, makeTestApp, type TestApp } from '../../helpers/app';
import { expectOneLineFailure, ok, runCli } from '../../helpers/cli';

/**
 * `evalnotes summary` over a workspace the app wrote (real clock: the CLI has no
 * other), so windows are set relative to today. The CLI runs in this process's
 * time zone, so both count the same calendar day.
 */
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;
let t: TestApp;
const cli = (args: string[]) => runCli(['--data-dir', t.dataDir, ...args], { env: { TZ } });

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = await t.app.dispatch(name, input);
  if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

const today = calendarDateIn(new Date());
let orion: Engagement;

beforeAll(async () => {
  t = makeTestApp();
  await call('workspace:create', { name: 'Sam Supervisor', org: 'Evaluation Institute', role: 'supervisor', passphrase: TEST_PASSPHRASE });
  // Day 26 of 30 (urgent), day 6 of 30, and one that starts in 3 days.
  orion = await call<Engagement>('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: addDays(today, -25) });
  const atlas = await call<Engagement>('engagement:create', { developer: 'Other Lab', model: 'Atlas', model_version: '1.0', access_start: addDays(today, -5) });
  await call('engagement:create', { developer: 'Other Lab', model: 'Nimbus', model_version: 'v2', access_start: addDays(today, 3) });

  const add = (engagement_id: string, severity: string) => call<Finding>('finding:create', { engagement_id, title: `A ${severity} finding`, kind: 'capability', severity });
  const critical = await add(orion.id, 'critical');
  const high = await add(orion.id, 'high');
  await add(orion.id, 'low');
  await add(atlas.id, 'medium');
  for (const f of [critical, high]) await call('finding:setStatus', { id: f.id, status: 'submitted' });
  await call('review:create', { finding_id: critical.id, verdict: 'validated', comment: '' });

  await call('run:createManual', {
    engagement_id: orion.id, task: 'cyber', model: 'orion-2-rc3',
    results: [{ scorer: 'acc', metric: 'accuracy', value: 0.8 }, { scorer: 'acc', metric: 'pass@1', value: Number.NaN }],
  });
  await call('threshold:create', { engagement_id: orion.id, task: 'cyber', scorer: 'acc', metric: 'accuracy', comparison: '>=', value: 0.5 });
  await call('threshold:create', { engagement_id: orion.id, task: 'cyber', scorer: 'acc', metric: 'pass@1', comparison: '>=', value: 0.1 });
  await call('determination:record', { engagement_id: orion.id, decision: 'covered', rationale: 'Meets the cyber threshold.' });
});
afterAll(async () => t.cleanup());

describe('evalnotes summary', () => {
  it('prints with --json exactly what summary:get answers, without a passphrase', async () => {
    const fromCli = JSON.parse(ok(cli(['summary', '--json']))) as Summary;
    const fromApp = JSON.parse(stringifyJson(await call<Summary>('summary:get', {}))) as Summary;
    // Only the moment of asking differs.
    expect({ ...fromCli, generated_at: null }).toEqual({ ...fromApp, generated_at: null });
    expect(fromCli.today).toBe(today);
    expect(fromCli.engagements.map((e) => e.model)).toEqual(['Orion-2', 'Atlas', 'Nimbus']);
    const o = fromCli.engagements[0]!;
    expect(o.findings).toMatchObject({ total: 3, awaiting_verdict: 1, by_status: { validated: 1, submitted: 1, draft: 1 } });
    // NaN travels as the string "NaN" and never meets a threshold.
    expect(o.results).toMatchObject({ runs: 1, results: 2, with_threshold: 2, met: 1 });
    expect(o.results.against_thresholds.map((r) => [r.metric, r.value, r.met])).toEqual([
      ['accuracy', 0.8, true],
      ['pass@1', 'NaN', false],
    ]);
  });

  it('prints a compact table for people, urgent engagements first', () => {
    const lines = ok(cli(['summary'])).split('\n');
    expect(lines[0]).toMatch(/^ENGAGEMENT\s+WINDOW\s+DETERMINATION\s+FINDINGS\s+AWAITING\s+CRIT\s+HIGH\s+MED\s+LOW\s+INFO\s+THRESHOLDS$/);
    expect(lines[1]).toMatch(/^Orion-2 rc3\s+day 26 of 30 — 5 days left ⚠\s+covered \(Sam Supervisor\)\s+3\s+1\s+1\s+1\s+0\s+1\s+0\s+1\/2 met$/);
    expect(lines[2]).toMatch(/^Atlas 1\.0\s+day 6 of 30 — 25 days left\s+-\s+1\s+0\s+0\s+0\s+1\s+0\s+0\s+-$/);
    expect(lines[3]).toMatch(/^Nimbus v2\s+starts in 3 days\s+-\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+-$/);
    expect(lines).toContain(`3 engagements on ${today}, 1 urgent (7 days or fewer left, or overdue); 4 findings, 1 awaiting a verdict.`);
  });

  it('says how to start when there are no engagements', async () => {
    const empty = makeTestApp();
    try {
      expect(ok(runCli(['--data-dir', empty.dataDir, 'summary']))).toBe('No engagements yet. Add one with `evalnotes engagement add`.\n');
    } finally {
      await empty.cleanup();
    }
  });

  it('refuses an unknown option in one line', () => {
    expectOneLineFailure(cli(['summary', '--engagement', orion.id]), 2, /^evalnotes: unknown option '--engagement'/);
  });
});
