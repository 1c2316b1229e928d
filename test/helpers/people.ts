/**
 * People with workspaces of their own, in this one process, who trust each
 * other's keys and exchange bundles through the real API: the set-up the bundle
 * journeys share. Registers its own cleanup (afterAll).
 */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { IngestSummary, type TrustedKey } from '../../shared/domain/bundle';
import type { Identity } from '../../shared/domain/identity';
import type { Result } from '../../shared/result';
import { fixedClock, makeTestApp, tempDir, TEST_PASSPHRASE, type TestApp } from './app';

const START = '2026-03-12T10:00:00.000Z';

export function peopleInOneProcess(prefix: string) {
  const dir = tempDir(prefix);
  const apps: TestApp[] = [];
  const clock = fixedClock(START);
  let ticks = 0;
  /** A second later than the last call: every write gets its own updated_at. */
  const tick = () => clock.set(new Date(Date.parse(START) + ++ticks * 1000).toISOString());
  afterAll(async () => {
    for (const a of apps) await a.cleanup();
    dir.cleanup();
  });

  async function value<T>(r: Promise<Result<unknown>>): Promise<T> {
    const res = await r;
    if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
    return res.value as T;
  }
  const call = <T>(t: TestApp, name: string, input: unknown) => {
    tick();
    return value<T>(t.app.dispatch(name, input));
  };
  async function refusal(t: TestApp, name: string, input: unknown): Promise<string> {
    const r = await t.app.dispatch(name, input);
    if (r.ok) throw new Error(`${name} was accepted`);
    return `${r.error.code}: ${r.error.message}`;
  }

  async function person(name: string, role: 'evaluator' | 'supervisor'): Promise<TestApp> {
    const t = makeTestApp({ clock });
    apps.push(t);
    await value(t.app.dispatch('workspace:create', { name, org: 'Evaluation Institute', role, passphrase: TEST_PASSPHRASE }));
    return t;
  }

  /** `t` trusts `other`'s current key (or the given identity's) with its role. */
  async function trust(t: TestApp, other: TestApp | Identity): Promise<TrustedKey> {
    const id = 'app' in other ? other.app.workspace.requireIdentity() : other;
    return call<TrustedKey>(t, 'keys:trust', { public_key_pem: id.public_key_pem, name: id.name, role: id.role });
  }

  let exported = 0;
  async function exportEngagement(t: TestApp, engagementId: string): Promise<string> {
    const out = join(dir.path, `bundle-${++exported}.evb`);
    const { job_id } = await value<{ job_id: string }>(
      t.app.dispatch('bundle:export', { engagement_id: engagementId, findings: null, include_thresholds: false, confirm_credentials: false, forward: [], to: t.app.files.register(out, 'write') }),
    );
    const finished = await t.app.jobs.wait(job_id);
    if (finished.status !== 'succeeded') throw new Error(`${finished.error?.code}: ${finished.error?.message}`);
    return out;
  }

  async function runJob(t: TestApp, name: 'bundle:ingest' | 'bundle:verify', path: string): Promise<{ ok: true; result: unknown } | { ok: false; message: string }> {
    const { job_id } = await value<{ job_id: string }>(t.app.dispatch(name, { file: t.app.files.register(path, 'read') }));
    const finished = await t.app.jobs.wait(job_id);
    return finished.status === 'succeeded' ? { ok: true, result: finished.result } : { ok: false, message: `${finished.error?.code}: ${finished.error?.message}` };
  }
  async function ingest(t: TestApp, path: string): Promise<IngestSummary> {
    const r = await runJob(t, 'bundle:ingest', path);
    if (!r.ok) throw new Error(r.message);
    return IngestSummary.parse(r.result);
  }
  async function ingestRefused(t: TestApp, path: string): Promise<string> {
    const r = await runJob(t, 'bundle:ingest', path);
    if (r.ok) throw new Error('the bundle was ingested');
    return r.message;
  }
  /** The path of the n-th bundle exported so far (1-based). */
  const bundlePath = (n: number) => join(dir.path, `bundle-${n}.evb`);
  const exportedCount = () => exported;

  return { dir, clock, tick, value, call, refusal, person, trust, exportEngagement, runJob, ingest, ingestRefused, bundlePath, exportedCount };
}
