/**
 * Fuzz target for every call of the API contract (shared/api/contract.ts),
 * through the real dispatch of a ready app with records in it: arbitrary
 * values (fc.anything, fc.jsonValue) and mutations of a valid input per call.
 * The answer is ok, or an error with a known code other than INTERNAL and a
 * one-line message; a refused call writes nothing (records, revisions and the
 * audit chain unchanged). Jobs a call starts are awaited before the next case,
 * so their writes are not mistaken for a refused call's.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { calls, type CallInput, type CallName } from '../../shared/api/contract';
import { ErrorCode, type Result } from '../../shared/result';
import { fixture } from '../helpers/fixtures';
import { makeReadyApp, tempDir, TEST_PASSPHRASE } from '../helpers/app';
import { mutatedValue } from './mutate';
import { bounded, messageProblem, preview, target, type FuzzSuite } from './target';

type ValidInputs = { [K in CallName]: CallInput<K> };

async function must<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(res.error.message);
  return res.value as T;
}

const KNOWN = new Set<string>(ErrorCode.options.filter((c) => c !== 'INTERNAL'));

export async function apiSuite(): Promise<FuzzSuite> {
  const t = await makeReadyApp();
  const dir = tempDir('evalnotes-fuzz-api-');
  const app = t.app;
  const d = (name: string, input: unknown) => app.dispatch(name, input);

  const waitForJobs = async () => {
    for (;;) {
      const jobs = await must<{ state: string }[]>(d('jobs:list', {}));
      if (!jobs.some((j) => j.state === 'running')) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  const eng = await must<{ id: string }>(d('engagement:create', { developer: 'Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' }));
  const finding = await must<{ id: string }>(d('finding:create', { engagement_id: eng.id, title: 'Leaks the system prompt', kind: 'capability', severity: 'low' }));
  const note = await must<{ id: string }>(d('note:create', { on: { type: 'finding', id: finding.id }, body: 'Reproduced twice.' }));
  const threshold = await must<{ id: string }>(d('threshold:create', { engagement_id: eng.id, task: 'gsm8k', scorer: '', metric: 'accuracy', comparison: '>=', value: 0.6 }));
  const run = await must<{ run: { id: string } }>(d('run:createManual', { engagement_id: eng.id, task: 'gsm8k', model: 'orion', results: [{ metric: 'accuracy', value: 0.5 }] }));
  const evidence = join(dir.path, 'evidence.txt');
  writeFileSync(evidence, 'proof');
  const readRef = () => app.files.register(evidence, 'read');
  const attachment = await must<{ id: string }>(d('attachment:add', { engagement_id: eng.id, file: readRef() }));
  const logPath = fixture('inspect_json/inspect_ai__2024-08-29_popularity_status-success_stub.json');
  await must(d('imports:start', { engagement_id: eng.id, files: [app.files.register(logPath, 'read')] }));
  await waitForJobs();
  const runs = await must<{ run: { id: string } }[]>(d('runs:list', { engagement_id: eng.id }));
  const imported = runs.find((r) => r.run.id !== run.run.id)?.run.id ?? run.run.id;
  const samples = await must<{ rows: { id: string }[] }>(d('samples:list', { run_id: imported }));
  const sampleId = samples.rows[0]?.id ?? finding.id;
  const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const trusted = await must<{ key_id: string }>(d('keys:trust', { public_key_pem: pem, name: 'Grace Hopper', role: 'supervisor' }));

  const valid: ValidInputs = {
    'workspace:status': {},
    'workspace:create': { name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE },
    'workspace:unlock': { passphrase: TEST_PASSPHRASE },
    'workspace:lock': {},
    'engagements:list': { include_closed: true },
    'engagement:get': { id: eng.id },
    'engagement:create': { developer: 'Lab', model: 'Orion-3', model_version: 'rc1', access_start: '2026-04-01' },
    'engagement:update': { id: eng.id, changes: { window_days: 90 } },
    'engagement:close': { id: eng.id },
    'imports:start': { engagement_id: eng.id, files: [app.files.register(logPath, 'read')] },
    'runs:list': { engagement_id: eng.id },
    'run:get': { id: run.run.id },
    'run:createManual': { engagement_id: eng.id, task: 'mmlu', model: 'orion', results: [{ metric: 'accuracy', value: 0.7 }] },
    'samples:list': { run_id: imported, query: 'the', limit: 10 },
    'sample:get': { id: sampleId },
    'thresholds:list': { engagement_id: eng.id },
    'threshold:create': { engagement_id: eng.id, task: 'mmlu', scorer: '', metric: 'accuracy', comparison: '>=', value: 0.5 },
    'threshold:update': { id: threshold.id, changes: { value: 0.7 } },
    'threshold:delete': { id: threshold.id },
    'findings:list': { engagement_id: eng.id, limit: 10 },
    'finding:get': { id: finding.id },
    'finding:atRevision': { id: finding.id, revision: 1 },
    'finding:create': { engagement_id: eng.id, title: 'Writes exploit code', kind: 'capability', severity: 'high' },
    'finding:update': { id: finding.id, changes: { title: 'Leaks the whole system prompt' } },
    'finding:setStatus': { id: finding.id, status: 'submitted' },
    'finding:addEvidence': { id: finding.id, evidence: { kind: 'run', run_id: run.run.id } },
    'finding:delete': { id: finding.id },
    'finding:csaf': { finding_id: finding.id, to: null },
    'notes:list': { engagement_id: eng.id },
    'note:create': { on: { type: 'engagement', id: eng.id }, body: 'Day 3: **scope** agreed.' },
    'note:update': { id: note.id, body: 'Reproduced three times.' },
    'note:delete': { id: note.id },
    'attachment:add': { engagement_id: eng.id, file: readRef() },
    'attachments:list': { engagement_id: eng.id },
    'attachment:preview': { id: attachment.id },
    'attachment:download': { id: attachment.id, to: null },
    'files:fromBytes': { name: 'pasted.png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
    'search:query': { text: 'prompt' },
    'record:history': { id: finding.id },
    'keys:show': {},
    'keys:list': {},
    'keys:trust': { public_key_pem: pem, name: 'Grace Hopper', role: 'supervisor' },
    'keys:untrust': { key_id: trusted.key_id },
    // A wrong current passphrase: a right one would change it under the other cases.
    'keys:changePassphrase': { current: 'not the passphrase at all', next: 'another long passphrase' },
    // Likewise a wrong passphrase: a rotation would change the signing key under the other cases.
    'keys:rotate': { passphrase: 'not the passphrase at all' },
    'keys:reassign': { lost_key_id: trusted.key_id, new_public_key_pem: pem },
    'keys:exportPublic': { to: null },
    'bundle:preview': { engagement_id: eng.id },
    'bundle:export': { engagement_id: eng.id, to: null, confirm_credentials: true },
    'bundle:verify': { file: readRef() },
    'bundle:ingest': { file: readRef() },
    'reviews:list': { finding_id: finding.id },
    'review:create': { finding_id: finding.id, verdict: 'validated', comment: 'Reproduced.' },
    'determination:get': { engagement_id: eng.id },
    'determination:record': { engagement_id: eng.id, decision: 'pending', rationale: 'Waiting for the cyber results.' },
    'summary:get': {},
    'report:save': { engagement_id: eng.id, format: 'html', to: null },
    'audit:verify': {},
    'backup:create': { to: null },
    'backup:restore': { file: readRef() },
    'jobs:list': {},
    'job:cancel': { job_id: 'job-1' },
    'dialog:openFiles': { title: 'Pick', filters: [], multiple: false },
    'files:dropped': { path: evidence },
    'dialog:saveFile': { title: 'Save', default_name: 'x.txt', filters: [] },
  };

  const names = Object.keys(calls) as CallName[];
  const inputs = (name: CallName): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(valid[name]) },
      { weight: 4, arbitrary: mutatedValue(valid[name]) },
      { weight: 2, arbitrary: fc.anything({ maxDepth: 3 }) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    );
  const arbitrary = fc.constantFrom(...names).chain((name) => inputs(name).map((input) => ({ name, input })));

  const counts = () =>
    app.workspace.db
      .prepare('SELECT (SELECT count(*) FROM records) AS records, (SELECT coalesce(sum(revision), 0) FROM records) AS revisions, (SELECT count(*) FROM audit_events) AS events')
      .get() as { records: number; revisions: number; events: number };

  const apiTarget = target<{ name: CallName; input: unknown }>({
    name: 'api inputs',
    arbitrary,
    async check({ name, input }) {
      const before = counts();
      const outcome = await bounded(() => d(name, input));
      if ('hung' in outcome) return `${name} gave no answer within the case limit`;
      if (!outcome.ok) return `${name} threw out of dispatch: ${preview(String(outcome.error))}`;
      await waitForJobs();
      // A case that locked the workspace unlocks it again, so later cases reach their handlers.
      if ((await must<{ state: string }>(d('workspace:status', {}))).state === 'locked') await must(d('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
      const r = outcome.value;
      if (r.ok) return null;
      if (!KNOWN.has(r.error.code)) return `${name} answered ${r.error.code}: ${preview(r.error.message)}`;
      const problem = messageProblem(r.error.message);
      if (problem) return `${name} ${r.error.code}: ${problem}`;
      const after = counts();
      if (after.records !== before.records || after.revisions !== before.revisions || after.events !== before.events) {
        return `${name} refused (${r.error.code}) but wrote: ${JSON.stringify(before)} → ${JSON.stringify(after)}`;
      }
      return null;
    },
  });

  return {
    targets: [apiTarget],
    async close() {
      await t.cleanup();
      dir.cleanup();
    },
  };
}
