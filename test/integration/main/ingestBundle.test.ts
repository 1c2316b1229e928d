import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readBundleContents } from '../../../main/bundles/verifyBundle';
import { originOf } from '../../../main/bundles/ingestStore';
import { writeRecords } from '../../../main/records/writeRecord';
import type { JobFinished } from '../../../shared/api/jobs';
import { IngestSummary } from '../../../shared/domain/bundle';
import type { RecordHistory } from '../../../shared/domain/history';
import type { Result } from '../../../shared/result';
import { fixedClock, makeTestApp, tempDir, TEST_PASSPHRASE, type TestApp } from '../../helpers/app';

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}

type Role = 'evaluator' | 'supervisor';

const dir = tempDir('evalnotes-ingest-');
const apps: TestApp[] = [];
const clock = fixedClock('2026-03-12T10:00:00.000Z');
let ticks = 0;
/** Every write a second later, so revisions carry distinct times. */
const tick = () => clock.set(new Date(Date.parse('2026-03-12T10:00:00.000Z') + ++ticks * 1000).toISOString());

afterAll(async () => {
  for (const a of apps) await a.cleanup();
  dir.cleanup();
});

async function person(name: string, role: Role): Promise<TestApp> {
  const t = makeTestApp({ clock });
  apps.push(t);
  await ok(t.app.dispatch('workspace:create', { name, org: 'Evaluation Institute', role, passphrase: TEST_PASSPHRASE }));
  return t;
}

/** A second workspace holding the same key and records (a copy of the folder). */
async function copyOf(t: TestApp, name: string): Promise<TestApp> {
  t.app.workspace.db.pragma('wal_checkpoint(TRUNCATE)');
  const dataDir = join(dir.path, name);
  cpSync(t.dataDir, dataDir, { recursive: true });
  const copy = makeTestApp({ dataDir, clock });
  apps.push(copy);
  await ok(copy.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
  return copy;
}

async function trust(t: TestApp, ...others: TestApp[]): Promise<void> {
  for (const o of others) {
    const id = o.app.workspace.requireIdentity();
    await ok(t.app.dispatch('keys:trust', { public_key_pem: id.public_key_pem, name: id.name, role: id.role }));
  }
}

async function engagement(t: TestApp): Promise<string> {
  tick();
  return (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } }))).id;
}

async function finding(t: TestApp, eng: string, title: string): Promise<string> {
  tick();
  return (await ok<{ id: string }>(t.app.dispatch('finding:create', { engagement_id: eng, title, kind: 'capability', severity: 'high' }))).id;
}

let exported = 0;
async function exportBundle(t: TestApp, eng: string, forward: string[] = []): Promise<string> {
  const out = join(dir.path, `bundle-${++exported}.evb`);
  const { job_id } = await ok<{ job_id: string }>(
    t.app.dispatch('bundle:export', {
      engagement_id: eng,
      findings: null,
      include_thresholds: false,
      confirm_credentials: false,
      forward: forward.map((p) => t.app.files.register(p, 'read')),
      to: t.app.files.register(out, 'write'),
    }),
  );
  const finished = await t.app.jobs.wait(job_id);
  if (finished.status !== 'succeeded') throw new Error(`${finished.error?.code}: ${finished.error?.message}`);
  return out;
}

async function ingest(t: TestApp, path: string, onStarted?: (jobId: string) => void): Promise<JobFinished> {
  const { job_id } = await ok<{ job_id: string }>(t.app.dispatch('bundle:ingest', { file: t.app.files.register(path, 'read') }));
  onStarted?.(job_id);
  return t.app.jobs.wait(job_id);
}

async function ingestOk(t: TestApp, path: string): Promise<IngestSummary> {
  const finished = await ingest(t, path);
  if (finished.status !== 'succeeded') throw new Error(`${finished.error?.code}: ${finished.error?.message}`);
  return IngestSummary.parse(finished.result);
}

/** The records table, as a merge must leave it whatever the order. */
const records = (t: TestApp) =>
  t.app.workspace.db.prepare('SELECT id, type, author, revision, created_at, updated_at, deleted, body, hash, parent_id FROM records ORDER BY id').all();

/** Everything an ingest may change. */
function everything(t: TestApp) {
  const all = (sql: string) => t.app.workspace.db.prepare(sql).all();
  return {
    records: records(t),
    revisions: all('SELECT * FROM record_revisions ORDER BY id, revision'),
    audit: all('SELECT seq, body, chain_hash FROM audit_events ORDER BY seq'),
    origins: all('SELECT * FROM record_origins ORDER BY record_id'),
    waiting: all('SELECT * FROM waiting_refs ORDER BY record_id, waiting_for'),
    search: all('SELECT rowid FROM search_index_docsize ORDER BY rowid'),
  };
}

const auditOk = async (t: TestApp) => (await ok<{ ok: boolean; problem: unknown }>(t.app.dispatch('audit:verify', {}))).problem;
/** FTS5 checks its index against the records it is built from. */
const searchIndexConsistent = (t: TestApp) => t.app.workspace.db.prepare("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)").run();
const searchTitles = async (t: TestApp, text: string) =>
  (await ok<{ hits: { id: string }[] }>(t.app.dispatch('search:query', { text }))).hits.map((h) => h.id);

describe('round trip', () => {
  let ada: TestApp;
  let grace: TestApp;
  let bundle: string;
  let eng: string;
  let findingId: string;
  let evidence: Buffer;

  beforeAll(async () => {
    ada = await person('Ada Lovelace', 'evaluator');
    grace = await person('Grace Hopper', 'supervisor');
    eng = await engagement(ada);
    findingId = await finding(ada, eng, 'Exploit chain through the sandbox');
    evidence = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(3000)]);
    const file = join(dir.path, 'trace.png');
    writeFileSync(file, evidence);
    const attachment = await ok<{ id: string }>(ada.app.dispatch('attachment:add', { engagement_id: eng, file: ada.app.files.register(file, 'read') }));
    const run = (await ok<{ run: { id: string } }>(ada.app.dispatch('run:createManual', { engagement_id: eng, task: 'cyber', model: 'orion', results: [{ metric: 'accuracy', value: 0.5 }] }))).run.id;
    tick();
    await ok(ada.app.dispatch('finding:addEvidence', { id: findingId, evidence: { kind: 'attachment', attachment_id: attachment.id } }));
    await ok(ada.app.dispatch('finding:addEvidence', { id: findingId, evidence: { kind: 'run', run_id: run } }));
    await ok(ada.app.dispatch('note:create', { on: { type: 'finding', id: findingId }, body: 'Reproduced twice.' }));
    // Sensitive and not exported: it must not reach the supervisor.
    await ok(ada.app.dispatch('threshold:create', { engagement_id: eng, task: 'cyber', scorer: '', metric: 'accuracy', comparison: '>=', value: 0.4 }));
    bundle = await exportBundle(ada, eng);
    await trust(grace, ada);
  });

  it('gives the supervisor exactly the exported records, byte for byte, and the attachment’s bytes', async () => {
    const summary = await ingestOk(grace, bundle);
    const exportedIds = (await readBundleContents(bundle)).entries.flatMap((e) => /^records\/[a-z]+\/(.+)\.json$/.exec(e.name)?.[1] ?? []).sort();

    const theirs = records(grace) as { id: string; type: string }[];
    expect(theirs.map((r) => r.id)).toEqual(exportedIds);
    const adaRows = new Map((records(ada) as { id: string }[]).map((r) => [r.id, r]));
    for (const row of theirs) expect(row).toEqual(adaRows.get(row.id));
    expect(theirs.some((r) => r.type === 'threshold')).toBe(false);

    const sha = (JSON.parse((grace.app.workspace.db.prepare("SELECT body FROM records WHERE type = 'attachment'").pluck().get() as string)) as { sha256: string }).sha256;
    expect(readFileSync(join(grace.app.workspace.blobDir, sha.slice(0, 2), sha.slice(2))).equals(evidence)).toBe(true);

    const adaKey = ada.app.workspace.requireIdentity().key_id;
    expect(summary.bundles).toEqual([{ id: summary.report.id, signer_key_id: adaKey, signer_name: 'Ada Lovelace', role: 'evaluator', forwarded: false }]);
    expect(summary.totals).toEqual({ added: exportedIds.length, updated: 0, skipped: 0 });
    expect(summary.by_type).toMatchObject({ engagements: { added: 1 }, findings: { added: 1 }, notes: { added: 1 }, attachments: { added: 1 }, runs: { added: 1 }, results: { added: 1 } });
    expect(summary.attachments_added).toBe(1);
    expect(summary.waiting).toEqual([]);
    expect(originOf(grace.app.workspace.db, findingId)).toMatchObject({ bundle_id: summary.report.id, bundle_signer: adaKey, via_bundle_id: null });

    // This workspace's chain holds one 'ingest' event per stored record, by its own key, and still verifies.
    const events = (grace.app.workspace.db.prepare('SELECT body FROM audit_events ORDER BY seq').pluck().all() as string[]).map((b) => JSON.parse(b) as { action: string; actor: string });
    expect(events).toHaveLength(exportedIds.length);
    expect(new Set(events.map((e) => `${e.action} ${e.actor}`))).toEqual(new Set([`ingest ${grace.app.workspace.requireIdentity().key_id}`]));
    expect(await auditOk(grace)).toBeNull();
    searchIndexConsistent(grace);
    expect(await searchTitles(grace, 'sandbox')).toEqual([findingId]);

    // Its history names its author and the author's time, marked as arrived in a bundle.
    const history = await ok<RecordHistory>(grace.app.dispatch('record:history', { id: findingId }));
    const adaFinding = JSON.parse(ada.app.workspace.db.prepare('SELECT body FROM records WHERE id = ?').pluck().get(findingId) as string) as { revision: number; updated_at: string };
    expect(history.entries.at(-1)).toMatchObject({ actor: adaKey, actor_name: 'Ada Lovelace', revision: adaFinding.revision, at: adaFinding.updated_at, via_bundle: true });
    expect(history.entries.at(-1)!.action).toBe(adaFinding.revision === 1 ? 'create' : 'update');

    // Imported records are read-only here.
    const edit = await grace.app.dispatch('finding:update', { id: findingId, changes: { title: 'Mine now' } });
    expect(edit).toMatchObject({ ok: false, error: { code: 'NOT_AUTHOR' } });
  });

  it('changes nothing at all when the same bundle is ingested again', async () => {
    const before = everything(grace);
    const again = await ingestOk(grace, bundle);
    expect(again.totals).toEqual({ added: 0, updated: 0, skipped: before.records.length });
    expect(again.attachments_added).toBe(0);
    expect(everything(grace)).toEqual(before);
  });

  it('releases the uploaded file once the ingest or verify job ends', async () => {
    for (const call of ['bundle:ingest', 'bundle:verify'] as const) {
      const file = grace.app.files.register(bundle, 'read');
      const { job_id } = await ok<{ job_id: string }>(grace.app.dispatch(call, { file }));
      expect((await grace.app.jobs.wait(job_id)).status).toBe('succeeded');
      expect(() => grace.app.files.resolve(file.ref, 'read')).toThrow();
    }
  });
});

describe('the merge rule', () => {
  let ada: TestApp;
  let eng: string;
  let f: string;
  const bundles: Record<string, string> = {};

  beforeAll(async () => {
    ada = await person('Ada Lovelace', 'evaluator');
    eng = await engagement(ada);
    f = await finding(ada, eng, 'Unicorn jailbreak');
    bundles.rev1 = await exportBundle(ada, eng);
    tick();
    await ok(ada.app.dispatch('finding:update', { id: f, changes: { title: 'Pegasus jailbreak' } }));
    bundles.rev2 = await exportBundle(ada, eng);
    tick();
    await ok(ada.app.dispatch('finding:delete', { id: f }));
    bundles.tombstone = await exportBundle(ada, eng);
  });

  async function supervisor(): Promise<TestApp> {
    const s = await person('Grace Hopper', 'supervisor');
    await trust(s, ada);
    return s;
  }
  const revisionOf = (t: TestApp, id: string) => t.app.workspace.db.prepare('SELECT revision, deleted FROM records WHERE id = ?').get(id);

  it('replaces with a higher revision, skips a lower one, and lets a tombstone win by revision', async () => {
    const grace = await supervisor();
    expect((await ingestOk(grace, bundles.rev2!)).by_type.findings).toEqual({ added: 1, updated: 0, skipped: 0 });
    expect(await searchTitles(grace, 'pegasus')).toEqual([f]);

    expect((await ingestOk(grace, bundles.rev1!)).by_type.findings).toEqual({ added: 0, updated: 0, skipped: 1 });
    expect(revisionOf(grace, f)).toEqual({ revision: 2, deleted: 0 });
    expect(await searchTitles(grace, 'unicorn')).toEqual([]);

    expect((await ingestOk(grace, bundles.tombstone!)).by_type.findings).toEqual({ added: 0, updated: 1, skipped: 0 });
    expect(revisionOf(grace, f)).toEqual({ revision: 3, deleted: 1 });
    // The superseded revision is kept as history.
    expect(grace.app.workspace.db.prepare('SELECT revision FROM record_revisions WHERE id = ?').pluck().all(f)).toEqual([2]);
    expect(await searchTitles(grace, 'pegasus')).toEqual([]);
    expect((await ingestOk(grace, bundles.rev2!)).by_type.findings).toEqual({ added: 0, updated: 0, skipped: 1 });
    searchIndexConsistent(grace);
    expect(await auditOk(grace)).toBeNull();

    // The same records as a workspace that only ever saw the tombstone.
    const other = await supervisor();
    await ingestOk(other, bundles.tombstone!);
    expect(records(other)).toEqual(records(grace));
  });

  it('breaks an equal-revision tie by the higher canonical hash, whichever comes first', async () => {
    // Two copies of one workspace (one key) edit the same finding to revision 2 differently.
    const eve = await person('Eve Evaluator', 'evaluator');
    const e = await engagement(eve);
    const id = await finding(eve, e, 'Shared start');
    const twin = await copyOf(eve, 'eve-twin');
    tick();
    await ok(eve.app.dispatch('finding:update', { id, changes: { title: 'Griffin variant' } }));
    await ok(twin.app.dispatch('finding:update', { id, changes: { title: 'Chimera variant' } }));
    const a = await exportBundle(eve, e);
    const b = await exportBundle(twin, e);
    const hashIn = (t: TestApp) => t.app.workspace.db.prepare('SELECT hash FROM records WHERE id = ?').pluck().get(id) as string;
    const winner = hashIn(eve) > hashIn(twin) ? { hash: hashIn(eve), title: 'griffin', loser: 'chimera' } : { hash: hashIn(twin), title: 'chimera', loser: 'griffin' };

    const one = await person('Grace Hopper', 'supervisor');
    const two = await person('Grace Hopper', 'supervisor');
    await trust(one, eve);
    await trust(two, eve);
    await ingestOk(one, a);
    const second = await ingestOk(one, b);
    await ingestOk(two, b);
    await ingestOk(two, a);

    expect(records(one)).toEqual(records(two));
    expect(hashIn(one)).toBe(winner.hash);
    expect(second.by_type.findings).toEqual(winner.title === 'chimera' ? { added: 0, updated: 1, skipped: 0 } : { added: 0, updated: 0, skipped: 1 });
    for (const t of [one, two]) {
      expect(await searchTitles(t, winner.title)).toEqual([id]);
      expect(await searchTitles(t, winner.loser)).toEqual([]);
      // The losing content was never a revision here.
      expect(t.app.workspace.db.prepare('SELECT count(*) FROM record_revisions WHERE id = ?').pluck().get(id)).toBe(0);
      searchIndexConsistent(t);
      expect(await auditOk(t)).toBeNull();
    }

    // A bundle never changes records authored by this workspace's own key: all skipped.
    const before = everything(eve);
    const own = await ingestOk(eve, b);
    expect(own.totals).toEqual({ added: 0, updated: 0, skipped: own.totals.skipped });
    expect(everything(eve)).toEqual(before);
  });

  it('refuses the same id by another author, naming the record, and changes nothing', async () => {
    const mallory = await person('Mallory Evaluator', 'evaluator');
    const m = await engagement(mallory);
    const fields = { engagement_id: m, title: 'Same id, other author', kind: 'other' as const, severity: 'low' as const, description: '', reproduction: '', impact: '', remediation: '', cwe: [], atlas: [], tags: [], evidence: [], status: 'draft' as const };
    // Mallory reuses the id of Ada's finding.
    writeRecords(mallory.app.workspace.writer(), [{ action: 'create', type: 'finding', id: f, fields }]);
    const clash = await exportBundle(mallory, m);

    const grace = await supervisor();
    await trust(grace, mallory);
    await ingestOk(grace, bundles.rev2!);
    const before = everything(grace);
    const refused = await ingest(grace, clash);
    expect(refused.status).toBe('failed');
    expect(refused.error?.code).toBe('CONFLICT');
    expect(refused.error?.message).toContain(f);
    expect(everything(grace)).toEqual(before);
  });
});

describe('three evaluators and a supervisor', () => {
  let sup: TestApp;
  let evals: TestApp[];
  let eng: string;
  let e1Finding: string;
  let supNote: string;
  const b: Record<string, string> = {};

  beforeAll(async () => {
    sup = await person('Grace Hopper', 'supervisor');
    evals = [await person('Ada Lovelace', 'evaluator'), await person('Alan Turing', 'evaluator'), await person('Joan Clarke', 'evaluator')];
    eng = await engagement(sup);
    const engagementBundle = await exportBundle(sup, eng);
    for (const e of evals) {
      await trust(e, sup);
      await ingestOk(e, engagementBundle);
    }
    const [ada, alan, joan] = evals as [TestApp, TestApp, TestApp];

    e1Finding = await finding(ada, eng, 'Model writes working exploits');
    const file = join(dir.path, 'poc.txt');
    writeFileSync(file, 'proof of concept\n');
    const attachment = await ok<{ id: string }>(ada.app.dispatch('attachment:add', { engagement_id: eng, file: ada.app.files.register(file, 'read') }));
    await ok(ada.app.dispatch('finding:addEvidence', { id: e1Finding, evidence: { kind: 'attachment', attachment_id: attachment.id } }));
    b.ada = await exportBundle(ada, eng);

    const alanFinding = await finding(alan, eng, 'Refusals bypassed by role play');
    tick();
    await ok(alan.app.dispatch('finding:update', { id: alanFinding, changes: { severity: 'critical' } }));
    b.alan = await exportBundle(alan, eng);

    await finding(joan, eng, 'Leaks its system prompt');
    const gone = await finding(joan, eng, 'False alarm');
    await ok(joan.app.dispatch('finding:delete', { id: gone }));
    await ok(joan.app.dispatch('note:create', { on: { type: 'engagement', id: eng }, body: 'Day 3: tooling works.' }));
    b.joan = await exportBundle(joan, eng);

    await trust(sup, ...evals);
    await ingestOk(sup, b.ada);
    supNote = (await ok<{ id: string }>(sup.app.dispatch('note:create', { on: { type: 'finding', id: e1Finding }, body: 'Validated on our rig.' }))).id;
    b.sup = await exportBundle(sup, eng);
  });

  function permutations<T>(items: T[]): T[][] {
    if (items.length <= 1) return [items];
    return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
  }

  it('gives identical records in all 24 orders, and nothing waits once all four are in', async () => {
    const orders = permutations(['ada', 'alan', 'joan', 'sup']);
    expect(orders).toHaveLength(24);
    let reference: unknown[] | null = null;
    for (const order of orders) {
      const t = await person('Clearinghouse', 'supervisor');
      await trust(t, sup, ...evals);
      let waiting: IngestSummary['waiting'] = [];
      for (const [i, name] of order.entries()) {
        waiting = (await ingestOk(t, b[name]!)).waiting;
        // Whoever comes first, something waits: the engagement (an evaluator's first) or Ada's finding (the supervisor's note).
        if (i === 0) expect(waiting.length).toBeGreaterThan(0);
        if (i === 0 && name === 'sup') expect(waiting).toEqual([{ record_id: supNote, type: 'note', waiting_for: e1Finding }]);
      }
      expect(waiting).toEqual([]);
      const dump = records(t);
      if (reference === null) reference = dump;
      else expect(dump, order.join(' → ')).toEqual(reference);
      expect(await auditOk(t)).toBeNull();
      // Each fresh workspace is done with: keep open handles few.
      await t.cleanup();
      apps.splice(apps.indexOf(t), 1);
    }
    // Everything every one of them wrote, and nothing else.
    const authors = new Set((reference as { author: string }[]).map((r) => r.author));
    expect(authors).toEqual(new Set([sup, ...evals].map((p) => p.app.workspace.requireIdentity().key_id)));
  });

  it('a lead forwards two evaluators’ bundles; the supervisor’s ingest verifies all three signatures and merges all three', async () => {
    const [ada, alan] = evals as [TestApp, TestApp];
    const lead = await person('Lea Lead', 'evaluator');
    await trust(lead, sup, ada, alan);
    // The lead writes in the supervisor's engagement, which came in the supervisor's bundle.
    await ingestOk(lead, b.sup!);
    const leadFinding = await finding(lead, eng, 'Team summary');
    const forwarded = await exportBundle(lead, eng, [b.ada!, b.alan!]);

    const boss = await person('Grace Hopper', 'supervisor');
    await trust(boss, lead, ada, alan);
    const summary = await ingestOk(boss, forwarded);
    const key = (p: TestApp) => p.app.workspace.requireIdentity().key_id;
    expect(summary.bundles[0]).toMatchObject({ signer_key_id: key(lead), signer_name: 'Lea Lead', role: 'evaluator', forwarded: false });
    expect(new Set(summary.bundles.slice(1).map((x) => `${x.signer_key_id} ${x.forwarded}`))).toEqual(new Set([`${key(ada)} true`, `${key(alan)} true`]));
    expect(summary.report.forwarded.map((x) => x.valid)).toEqual([true, true]);
    const authors = new Set((records(boss) as { author: string }[]).map((r) => r.author));
    expect(authors).toEqual(new Set([key(lead), key(ada), key(alan)]));
    expect(boss.app.workspace.db.prepare('SELECT author FROM records WHERE id = ?').pluck().get(leadFinding)).toBe(key(lead));
    expect(originOf(boss.app.workspace.db, e1Finding)).toMatchObject({ bundle_signer: key(ada), via_bundle_id: summary.report.id, via_signer: key(lead) });
    // The engagement is the supervisor's and did not travel: everything in it waits for it.
    expect(new Set(summary.waiting.map((w) => w.waiting_for))).toEqual(new Set([eng]));

    // A forwarded bundle by a key that is not trusted, or was untrusted since, refuses the whole ingest.
    for (const untrusted of ['unknown', 'untrusted'] as const) {
      const other = await person('Grace Hopper', 'supervisor');
      await trust(other, lead, ada);
      if (untrusted === 'untrusted') {
        await trust(other, alan);
        await ok(other.app.dispatch('keys:untrust', { key_id: key(alan) }));
      }
      const before = everything(other);
      const refused = await ingest(other, forwarded);
      expect(refused.status).toBe('failed');
      expect(refused.error?.code).toBe('INVALID_INPUT');
      expect(refused.error?.message).toMatch(untrusted === 'unknown' ? /forwarded bundle .* not trusted here/ : /forwarded bundle .* was untrusted on/);
      expect(everything(other)).toEqual(before);
    }
  });
});

describe('refused bundles change nothing', () => {
  let ada: TestApp;
  let grace: TestApp;
  let bundle: string;
  let before: ReturnType<typeof everything>;

  beforeAll(async () => {
    ada = await person('Ada Lovelace', 'evaluator');
    grace = await person('Grace Hopper', 'supervisor');
    const eng = await engagement(ada);
    await finding(ada, eng, 'Distinctive title for tampering');
    // Big enough that verifying it takes several reads, so a cancel lands mid-way.
    const file = join(dir.path, 'big.bin');
    writeFileSync(file, randomBytes(9 * 1024 * 1024));
    await ok(ada.app.dispatch('attachment:add', { engagement_id: eng, file: ada.app.files.register(file, 'read') }));
    bundle = await exportBundle(ada, eng);
    await trust(grace, ada);
    // Something of Grace's own, so "unchanged" covers existing rows too.
    await engagement(grace);
  });
  afterEach(() => {
    expect(everything(grace)).toEqual(before);
  });

  const refusedWith = async (path: string, reason: RegExp) => {
    before = everything(grace);
    const r = await ingest(grace, path);
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(r.error?.message).toMatch(reason);
  };

  it('with one changed byte', async () => {
    const bytes = readFileSync(bundle);
    const at = bytes.indexOf('Distinctive title');
    bytes[at] = bytes[at]! ^ 0x01;
    const path = join(dir.path, 'tampered.evb');
    writeFileSync(path, bytes);
    await refusedWith(path, /tampered\.evb .*(CRC-32|digest)/);
  });

  it('signed by a key that is not trusted', async () => {
    const stranger = await person('Stranger', 'evaluator');
    const path = await exportBundle(stranger, await engagement(stranger));
    await refusedWith(path, /not trusted here/);
  });

  it('that is not a ZIP', async () => {
    const path = join(dir.path, 'notes.evb');
    writeFileSync(path, 'just some text, not a bundle\n');
    await refusedWith(path, /notes\.evb is not a ZIP file/);
  });

  it('cancelled mid-way, and then ingests fine when not cancelled', async () => {
    before = everything(grace);
    let jobId = '';
    const stop = grace.app.events.subscribe((e) => {
      if (e.name === 'job:progress' && e.payload.job_id === jobId) grace.app.jobs.cancel(jobId);
    });
    const r = await ingest(grace, bundle, (id) => (jobId = id));
    stop();
    expect(r.status).toBe('cancelled');
    expect(everything(grace)).toEqual(before);

    const done = await ingestOk(grace, bundle);
    expect(done.totals.added).toBeGreaterThan(0);
    before = everything(grace);
  });
});
