import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkHash, verifyAuditChain } from '../../../main/audit/auditChain';
import { BlobStore } from '../../../main/blobs/blobStore';
import { verifyBundleFile } from '../../../main/bundles/verifyBundle';
import { writeRecord, writeRecords } from '../../../main/records/writeRecord';
import { BundleService } from '../../../main/services/bundles';
import { workspaceTrust } from '../../../main/services/keys';
import { canonicalJson } from '../../../shared/canonical';
import { PAYLOAD_TYPE, preAuthEncoding, type BundleManifest, type DsseEnvelope, type ExportPreview, type ExportSummary, type Statement } from '../../../shared/domain/bundle';
import type { Result } from '../../../shared/result';
import { fixedClock, makeReadyApp, makeTestApp, tempDir, TEST_PASSPHRASE, type TestApp } from '../../helpers/app';
import { seededRandom } from '../../helpers/rng';
import { unzipIndependently } from '../../helpers/zipWriter';

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}

const THRESHOLD_METRIC = 'uplift_score_zq7';

type Seeded = {
  eng: string;
  cited: string;
  deletedFinding: string;
  run: string;
  warnedRun: string;
  citedSample: string;
  uncitedSample: string;
  notedSample: string;
  threshold: string;
  attachmentSha: string;
  othersFinding: string;
};

let dir: ReturnType<typeof tempDir>;
let t: TestApp;
let clock: ReturnType<typeof fixedClock>;

beforeEach(async () => {
  dir = tempDir();
  clock = fixedClock('2026-03-12T10:00:00.000Z');
  t = await makeReadyApp({ clock });
});
afterEach(async () => {
  await t.cleanup();
  dir.cleanup();
});

const tick = (() => {
  let n = 0;
  return () => clock.set(new Date(Date.parse('2026-03-12T10:00:00.000Z') + ++n * 1000).toISOString());
})();

function sampleFields(runId: string, sampleId: string) {
  return {
    run_id: runId,
    task: 'cyber',
    sample_id: sampleId,
    epoch: 1,
    input: `input of ${sampleId}`,
    target: 'x',
    output: 'y',
    truncated: false,
    scores: {},
    source_sha256: 'a'.repeat(64),
    location: { kind: 'bytes' as const, offset: 0, length: 1 },
    hashes: {},
  };
}

/** An engagement with something of every kind, by this signer and by another key. */
async function seed(app: TestApp = t): Promise<Seeded> {
  const d = app.app.dispatch;
  const ws = app.app.workspace;
  const eng = (await ok<{ id: string }>(d('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER+STRICT', banner: 'OFFICIAL-SENSITIVE' } }))).id;
  tick();
  const threshold = (await ok<{ id: string }>(d('threshold:create', { engagement_id: eng, task: 'cyber', scorer: '', metric: THRESHOLD_METRIC, comparison: '>=', value: 0.4242 }))).id;
  const run = (await ok<{ run: { id: string } }>(d('run:createManual', { engagement_id: eng, task: 'cyber', model: 'orion', results: [{ metric: 'accuracy', value: 0.5 }] }))).run.id;
  tick();
  const [warned] = writeRecords(ws.writer(), [
    {
      action: 'create',
      type: 'run',
      fields: {
        engagement_id: eng,
        source: 'inspect',
        format: 'inspect-json',
        task: 'cyber',
        model: 'orion',
        status: 'success',
        config: {},
        token_usage: {},
        sources: [],
        credential_warnings: [{ kind: 'OpenAI API key', where: 'sample 3, output', preview: 'sk-…abcd' }],
      },
    },
  ]);
  const warnedRun = warned!.id;
  const samples = writeRecords(
    ws.writer(),
    ['s1', 's2', 's3'].map((s) => ({ action: 'create' as const, type: 'sample' as const, fields: sampleFields(warnedRun, s), refs: [warnedRun] })),
  );
  const [citedSample, uncitedSample, notedSample] = samples.map((s) => s.id) as [string, string, string];
  tick();
  const file = join(dir.path, 'trace.png');
  writeFileSync(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]));
  const attachment = await ok<{ id: string; sha256: string }>(d('attachment:add', { engagement_id: eng, file: app.app.files.register(file, 'read') }));
  const cited = (await ok<{ id: string }>(d('finding:create', { engagement_id: eng, title: 'Exploit chain found', kind: 'capability', severity: 'high' }))).id;
  for (const evidence of [
    { kind: 'attachment', attachment_id: attachment.id },
    { kind: 'run', run_id: run },
    { kind: 'sample', sample_id: citedSample },
  ]) {
    tick();
    await ok(d('finding:addEvidence', { id: cited, evidence }));
  }
  tick();
  await ok(d('note:create', { on: { type: 'finding', id: cited }, body: 'Reproduced twice.' }));
  await ok(d('note:create', { on: { type: 'sample', id: notedSample }, body: 'Odd output here.' }));
  const deletedFinding = (await ok<{ id: string }>(d('finding:create', { engagement_id: eng, title: 'False alarm', kind: 'other', severity: 'low' }))).id;
  tick();
  await ok(d('finding:delete', { id: deletedFinding }));

  // Another key's records in the same workspace (as after an ingest).
  const other = '1'.repeat(64);
  const [othersFinding] = writeRecords({ db: ws.db, author: other, clock }, [
    { action: 'create', type: 'finding', fields: { engagement_id: eng, title: 'Someone else’s', kind: 'other', severity: 'low', description: '', reproduction: '', impact: '', remediation: '', cwe: [], atlas: [], tags: [], evidence: [], status: 'draft' } },
  ]);
  return { eng, cited, deletedFinding, run, warnedRun, citedSample, uncitedSample, notedSample, threshold, attachmentSha: attachment.sha256, othersFinding: othersFinding!.id };
}

type ExportInput = { findings?: string[] | null; include_thresholds?: boolean; confirm_credentials?: boolean; forward?: string[] };

async function startExport(app: TestApp, eng: string, out: string | null, input: ExportInput = {}) {
  const to = out === null ? null : app.app.files.register(out, 'write');
  const forward = (input.forward ?? []).map((p) => app.app.files.register(p, 'read'));
  const { job_id } = await ok<{ job_id: string }>(
    app.app.dispatch('bundle:export', { engagement_id: eng, findings: input.findings ?? null, include_thresholds: input.include_thresholds ?? false, confirm_credentials: input.confirm_credentials ?? true, forward, to }),
  );
  return job_id;
}

async function exportTo(app: TestApp, eng: string, out: string | null, input: ExportInput = {}): Promise<ExportSummary> {
  const finished = await app.app.jobs.wait(await startExport(app, eng, out, input));
  if (finished.status !== 'succeeded') throw new Error(`${finished.error?.code}: ${finished.error?.message}`);
  return finished.result as ExportSummary;
}

async function entries(path: string): Promise<Map<string, Buffer>> {
  return (await unzipIndependently(path)).members;
}

const json = <T>(b: Buffer | undefined): T => JSON.parse(b!.toString('utf8')) as T;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('bundle export', () => {
  it('writes a canonical ZIP whose every entry the DSSE-signed statement names by SHA-256', async () => {
    const s = await seed();
    const out = join(dir.path, 'a.evb');
    const summary = await exportTo(t, s.eng, out);

    expect(spawnSync('unzip', ['-t', out], { encoding: 'utf8' }).status).toBe(0);
    const files = await entries(out);
    const names = [...files.keys()];
    expect(names).toEqual([...names].sort());

    const envelope = json<DsseEnvelope>(files.get('bundle.dsse.json'));
    expect(envelope.payloadType).toBe(PAYLOAD_TYPE);
    const payload = Buffer.from(envelope.payload, 'base64');
    const identity = t.app.workspace.requireIdentity();
    expect(envelope.signatures).toHaveLength(1);
    expect(envelope.signatures[0]?.keyid).toBe(identity.key_id);
    const signatureOk = verify(null, preAuthEncoding(PAYLOAD_TYPE, payload), createPublicKey(identity.public_key_pem), Buffer.from(envelope.signatures[0]!.sig, 'base64'));
    expect(signatureOk).toBe(true);

    const statement = JSON.parse(payload.toString('utf8')) as Statement;
    expect(statement.subject.map((x) => x.name)).toEqual(names.filter((n) => n !== 'bundle.dsse.json'));
    for (const subject of statement.subject) expect({ name: subject.name, sha: sha(files.get(subject.name)!) }).toEqual({ name: subject.name, sha: subject.digest.sha256 });

    const manifest = json<BundleManifest>(files.get('bundle.json'));
    const contentSubjects = statement.subject.filter((x) => x.name !== 'bundle.json');
    expect(manifest.id).toBe(sha(Buffer.from(canonicalJson(contentSubjects))));
    expect(statement.predicate.bundle_id).toBe(manifest.id);
    expect(summary.id).toBe(manifest.id);
    expect(manifest.handling).toEqual({ tlp: 'AMBER+STRICT', banner: 'OFFICIAL-SENSITIVE' });
    expect(manifest.created_by).toEqual({ name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', key_id: identity.key_id });
    // created_at: the newest updated_at among the exported records (the deleted finding's tombstone).
    const updated = names.filter((n) => n.startsWith('records/') && n.endsWith('.json')).map((n) => json<{ updated_at: string }>(files.get(n)).updated_at);
    expect(manifest.created_at).toBe(updated.sort().at(-1));
    expect(summary.counts).toEqual(manifest.counts);
  });

  it('is byte-identical when exported twice, and from a copy of the workspace in another folder', async () => {
    const s = await seed();
    const first = join(dir.path, 'first.evb');
    await exportTo(t, s.eng, first);
    const second = join(dir.path, 'second.evb');
    await exportTo(t, s.eng, second);
    expect(readFileSync(first).equals(readFileSync(second))).toBe(true);

    t.app.workspace.db.pragma('wal_checkpoint(TRUNCATE)');
    const copyDir = join(dir.path, 'elsewhere');
    cpSync(t.dataDir, copyDir, { recursive: true });
    const copy = makeTestApp({ dataDir: copyDir, clock: fixedClock('2027-01-01T00:00:00.000Z') });
    try {
      await ok(copy.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
      const third = join(dir.path, 'third.evb');
      await exportTo(copy, s.eng, third);
      expect(readFileSync(third).equals(readFileSync(first))).toBe(true);
    } finally {
      await copy.cleanup();
    }
  });

  it('carries only the signer’s records, samples only when cited or noted, tombstones, no thresholds by default', async () => {
    const s = await seed();
    const out = join(dir.path, 'a.evb');
    await exportTo(t, s.eng, out);
    const names = [...(await entries(out)).keys()];
    const has = (folder: string, id: string) => names.includes(`records/${folder}/${id}.json`);
    expect(has('engagements', s.eng)).toBe(true);
    expect(has('findings', s.cited)).toBe(true);
    expect(has('findings', s.deletedFinding)).toBe(true); // tombstone, so the deletion propagates
    expect(has('findings', s.othersFinding)).toBe(false);
    expect(has('runs', s.run) && has('runs', s.warnedRun)).toBe(true);
    expect(has('samples', s.citedSample)).toBe(true);
    expect(has('samples', s.notedSample)).toBe(true);
    expect(has('samples', s.uncitedSample)).toBe(false);
    expect(names.filter((n) => n.startsWith('records/results/'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('records/notes/'))).toHaveLength(2);
    expect(names.some((n) => n.startsWith('records/thresholds/'))).toBe(false);
    expect(names).toContain(`attachments/${s.attachmentSha}`);
    const tombstone = json<{ deleted: boolean }>((await entries(out)).get(`records/findings/${s.deletedFinding}.json`));
    expect(tombstone.deleted).toBe(true);

    const withThresholds = join(dir.path, 'b.evb');
    await exportTo(t, s.eng, withThresholds, { include_thresholds: true });
    expect([...(await entries(withThresholds)).keys()]).toContain(`records/thresholds/${s.threshold}.json`);
  });

  it('exports only the named findings and what they cite', async () => {
    const s = await seed();
    const out = join(dir.path, 'one.evb');
    await exportTo(t, s.eng, out, { findings: [s.cited] });
    const names = [...(await entries(out)).keys()];
    expect(names).toContain(`records/findings/${s.cited}.json`);
    expect(names).not.toContain(`records/findings/${s.deletedFinding}.json`);
    expect(names).toContain(`records/samples/${s.citedSample}.json`);
    expect(names).not.toContain(`records/samples/${s.notedSample}.json`);
    expect(names.filter((n) => n.startsWith('records/notes/'))).toHaveLength(1);

    const refused = await t.app.jobs.wait(await startExport(t, s.eng, join(dir.path, 'x.evb'), { findings: [s.othersFinding] }));
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'INVALID_INPUT' } });
    expect(existsSync(join(dir.path, 'x.evb'))).toBe(false);
  });

  it('carries the whole audit chain: it recomputes to the workspace head, and a withheld threshold leaks nothing', async () => {
    const s = await seed();
    const out = join(dir.path, 'a.evb');
    await exportTo(t, s.eng, out);
    const files = await entries(out);
    const lines = files.get('records/audit.jsonl')!.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    let head: string | null = null;
    let full = 0;
    for (const [i, text] of lines.entries()) {
      const line = JSON.parse(text) as { seq: number; body?: Record<string, unknown>; body_hash?: string; chain_hash: string };
      expect(line.seq).toBe(i + 1);
      expect(canonicalJson(line)).toBe(text);
      const bodyHash = line.body ? sha(Buffer.from(canonicalJson(line.body))) : line.body_hash!;
      if (line.body) full += 1;
      head = linkHash(head, bodyHash);
      expect(line.chain_hash).toBe(head);
    }
    expect(full).toBeGreaterThan(0);
    expect(full).toBeLessThan(lines.length);
    expect(head).toBe(verifyAuditChain(t.app.workspace.db).head);

    const threshold = t.app.workspace.db.prepare('SELECT body, hash FROM records WHERE id = ?').get(s.threshold) as { body: string; hash: string };
    const bytes = readFileSync(out);
    for (const secret of [THRESHOLD_METRIC, '0.4242', s.threshold, threshold.hash]) expect({ secret, found: bytes.includes(secret) }).toEqual({ secret, found: false });
  });

  it('makes one snapshot of records and audit chain when a finding is edited as the export begins, and refuses if its attachments changed', async () => {
    const s = await seed();
    const ws = t.app.workspace;
    const service = new BundleService(ws, new BlobStore(ws.blobDir), { appVersion: '0.0.0-test', trust: () => workspaceTrust(ws) });
    const exportNow = (out: string) =>
      service.export({ engagementId: s.eng, findings: null, includeThresholds: false, forward: [], confirmCredentials: true }, out, { signal: new AbortController().signal, progress: () => {} });

    // Each edit lands before the export's first turn, while its attachments start streaming.
    const edited = join(dir.path, 'edited.evb');
    const exporting = exportNow(edited);
    writeRecord(ws.writer(), { action: 'update', type: 'finding', id: s.cited, fields: { title: 'Exploit chain found twice' } });
    await exporting;
    expect((await verifyBundleFile(edited, { trust: workspaceTrust(ws) })).reason).toBeNull();
    expect(json<{ title: string }>((await entries(edited)).get(`records/findings/${s.cited}.json`)).title).toBe('Exploit chain found twice');

    const refused = exportNow(join(dir.path, 'refused.evb'));
    writeRecord(ws.writer(), { action: 'update', type: 'finding', id: s.cited, fields: { evidence: [] } });
    await expect(refused).rejects.toThrow('The attachments these findings cite changed as the export began; nothing was written. Export again.');
    expect(readdirSync(dir.path).filter((f) => f.includes('refused.evb'))).toEqual([]);
  });

  it('refuses credential-shaped strings until confirmed, then records the confirmation once', async () => {
    const s = await seed();
    const out = join(dir.path, 'a.evb');
    const refused = await t.app.jobs.wait(await startExport(t, s.eng, out, { confirm_credentials: false }));
    expect(refused.status).toBe('failed');
    expect(refused.error?.code).toBe('FORBIDDEN');
    expect(refused.error?.message).toMatch(/^1 credential-shaped string in 1 exported run .*OpenAI API key at sample 3, output/);
    // Refused while the attachments were already streaming: not even the temp file is left.
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir.path).filter((f) => f.endsWith('.part'))).toEqual([]);

    const confirmations = () =>
      (t.app.workspace.db.prepare('SELECT body FROM audit_events').pluck().all() as string[]).map((b) => JSON.parse(b) as { action: string; id: string }).filter((e) => e.action === 'confirm');
    expect(confirmations()).toEqual([]);
    await exportTo(t, s.eng, out, { confirm_credentials: true });
    expect(confirmations()).toMatchObject([{ action: 'confirm', id: s.warnedRun }]);
    const files = await entries(out);
    expect(json<BundleManifest>(files.get('bundle.json')).confirmed_credential_warnings).toBe(1);
    expect(files.get('records/audit.jsonl')!.toString()).toContain('"action":"confirm"');
    expect(verifyAuditChain(t.app.workspace.db).ok).toBe(true);

    const again = join(dir.path, 'again.evb');
    await exportTo(t, s.eng, again, { confirm_credentials: true });
    expect(confirmations()).toHaveLength(1);
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
  });

  it('previews the marking, counts, warnings and a file name before writing anything', async () => {
    const s = await seed();
    const preview = await ok<ExportPreview>(t.app.dispatch('bundle:preview', { engagement_id: s.eng }));
    expect(preview.handling.tlp).toBe('AMBER+STRICT');
    expect(preview.include_thresholds).toBe(false);
    expect(preview.counts.records).toMatchObject({ engagements: 1, findings: 2, thresholds: 0, samples: 2, runs: 2 });
    expect(preview.credential_warnings).toEqual([{ run_id: s.warnedRun, kind: 'OpenAI API key', where: 'sample 3, output', preview: 'sk-…abcd' }]);
    expect(preview.suggested_name).toMatch(/^orion-2-rc3_ada-lovelace_2026-03-12_[0-9a-f]{8}\.evb$/);
    const withThresholds = await ok<ExportPreview>(t.app.dispatch('bundle:preview', { engagement_id: s.eng, include_thresholds: true }));
    expect(withThresholds.counts.records.thresholds).toBe(1);
  });

  it('forwards a trusted signer’s bundle verbatim, and refuses an untrusted one or a file that is not a bundle', async () => {
    const s = await seed();
    const other = await makeReadyApp();
    try {
      const o = await seed(other);
      const theirs = join(dir.path, 'theirs.evb');
      await exportTo(other, o.eng, theirs);
      // Not trusted yet: a bundle that would not verify is not forwarded.
      const untrusted = await t.app.jobs.wait(await startExport(t, s.eng, join(dir.path, 'early.evb'), { forward: [theirs] }));
      expect(untrusted.error?.message).toMatch(/trust.* It cannot be forwarded\.$/i);
      const identity = other.app.workspace.requireIdentity();
      expect((await t.app.dispatch('keys:trust', { public_key_pem: identity.public_key_pem, name: identity.name, role: 'evaluator' })).ok).toBe(true);
      const out = join(dir.path, 'mine.evb');
      const summary = await exportTo(t, s.eng, out, { forward: [theirs] });
      const bytes = readFileSync(theirs);
      expect((await entries(out)).get(`forwarded/${sha(bytes)}.evb`)?.equals(bytes)).toBe(true);
      expect(summary.counts.forwarded).toBe(1);

      const notBundle = join(dir.path, 'notes.txt');
      writeFileSync(notBundle, 'hello');
      const refused = await t.app.jobs.wait(await startExport(t, s.eng, join(dir.path, 'x.evb'), { forward: [notBundle] }));
      expect(refused.error?.message).toBe('notes.txt is not a ZIP file. It cannot be forwarded.');
    } finally {
      await other.cleanup();
    }
  });

  it('in the browser, writes into the file area and answers with a one-time download address', async () => {
    const s = await seed();
    const summary = await exportTo(t, s.eng, null);
    expect(summary.download_url).toMatch(/^\/files\/[A-Za-z0-9_-]+$/);
    expect(summary.file).toMatch(/^orion-2-rc3_ada-lovelace_\d{4}-\d\d-\d\d_[0-9a-f]{8}\.evb$/);
    const { path } = t.app.files.resolve(summary.download_url!.slice('/files/'.length), 'read');
    expect(spawnSync('unzip', ['-t', path], { encoding: 'utf8' }).status).toBe(0);
    expect(readFileSync(path).length).toBe(summary.bytes);
    expect(() => t.app.files.resolve(summary.download_url!.slice('/files/'.length), 'read')).toThrow(/no longer available/);
  });

  it('streams a 50 MB attachment (memory grows far less than its size) and a cancel leaves no file', async () => {
    const eng = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Lab', model: 'M', model_version: '1', access_start: '2026-03-01' }))).id;
    const big = join(dir.path, 'big.bin');
    const rnd = seededRandom(5);
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < block.length; i++) block[i] = Math.floor(rnd() * 256);
    writeFileSync(big, Buffer.concat(Array.from({ length: 50 }, (_, i) => Buffer.concat([Buffer.from([i]), block.subarray(1)]))));
    const a = await ok<{ id: string }>(t.app.dispatch('attachment:add', { engagement_id: eng, file: t.app.files.register(big, 'read') }));
    const f = await ok<{ id: string }>(t.app.dispatch('finding:create', { engagement_id: eng, title: 'Big evidence', kind: 'other', severity: 'low' }));
    await ok(t.app.dispatch('finding:addEvidence', { id: f.id, evidence: { kind: 'attachment', attachment_id: a.id } }));

    const before = process.memoryUsage().rss;
    let peak = before;
    // Sampled while the export runs (its reads and writes yield to the event loop).
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const out = join(dir.path, 'big.evb');
    try {
      await exportTo(t, eng, out);
    } finally {
      clearInterval(sampler);
    }
    expect(readFileSync(out).length).toBeGreaterThan(50 << 20);
    expect(peak - before).toBeLessThan(25 << 20);

    // Cancel at the first progress event of the writing: no bundle, no temp file.
    const cancelled = join(dir.path, 'cancelled.evb');
    const job = await startExport(t, eng, cancelled);
    const stop = t.app.events.subscribe((e) => {
      if (e.name === 'job:progress' && e.payload.job_id === job && e.payload.message.startsWith('Writing')) t.app.jobs.cancel(job);
    });
    const finished = await t.app.jobs.wait(job);
    stop();
    expect(finished.status).toBe('cancelled');
    expect(readdirSync(dir.path).filter((n) => n.includes('cancelled'))).toEqual([]);
  });
});
