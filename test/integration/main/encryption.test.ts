import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openWorkspaceHost } from '../../../main/app/workspaceHost';
import { backupWorkspace } from '../../../main/backup/createBackup';
import { restoreBackup } from '../../../main/backup/restoreBackup';
import { HEADER_BYTES } from '../../../main/blobs/sealedBlob';
import { sendDownload } from '../../../main/serve/files';
import { AttachmentService } from '../../../main/services/attachments';
import { decryptWorkspace, encryptWorkspace } from '../../../main/workspace/convertEncryption';
import { isPlainDatabase, KEY_FILE } from '../../../main/workspace/encryption';
import { Workspace } from '../../../main/workspace/workspace';
import type { Result } from '../../../shared/result';
import { browserPlatform, fixedClock, makeTestApp, tempDir, TEST_KDF, TEST_PASSPHRASE, type TestApp } from '../../helpers/app';
import { fixture } from '../../helpers/fixtures';

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}
async function refused(r: Promise<Result<unknown>>): Promise<{ code: string; message: string }> {
  const res = await r;
  if (res.ok) throw new Error('expected a refusal');
  return res.error;
}

const root = tempDir('evalnotes-encryption-');
const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.cleanup();
  root.cleanup();
});
const clock = fixedClock('2026-03-12T10:00:00.000Z');
let n = 0;
/** Files the person picks live outside the workspace and outside the app's temp area. */
const userDir = join(root.path, 'user');
function userFile(name: string, bytes: Buffer | string): string {
  const path = join(userDir, `${++n}-${name}`);
  writeFileSync(path, bytes);
  return path;
}
mkdirSync(userDir);

const LOG = fixture('inspect_json', 'inspect_ai__2025-05-12_security-guide.json');
/** Text of the log's samples, which an import keeps as sample records. */
const LOG_TEXT = ['How do I prevent SQL Injection attacks?', 'use parameterized queries and prepared statements'];
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function encryptedApp(name: string, opts: Parameters<typeof makeTestApp>[0] = {}): Promise<TestApp> {
  const holder = tempDir('evalnotes-encryption-ws-');
  const dataDir = join(holder.path, 'workspace');
  const ws = await Workspace.createEncrypted({ dataDir, kdf: TEST_KDF, clock }, { name, org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE });
  ws.close();
  const t = makeTestApp({ clock, dataDir, tempRoot: holder.path, ...opts });
  const app = { ...t, cleanup: async () => (await t.cleanup(), holder.cleanup()) };
  apps.push(app);
  return app;
}

async function plainApp(name: string): Promise<TestApp> {
  const t = makeTestApp({ clock });
  apps.push(t);
  await ok(t.app.dispatch('workspace:create', { name, org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE }));
  return t;
}

/** The folder that holds the workspace and the app's temp area (makeTestApp puts both in one temp folder). */
const holderOf = (t: TestApp) => join(t.dataDir, '..');

function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

/** Every needle found in any file (contents or path) under the folder, as "needle in file". */
function scan(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  for (const file of allFiles(dir)) {
    const bytes = readFileSync(file);
    for (const needle of needles) if (bytes.includes(needle) || file.slice(dir.length).replace(/\//g, '').includes(needle)) found.push(`${needle} in ${file.slice(dir.length)}`);
  }
  return found;
}

type Story = { markers: string[]; digests: string[]; bundle: string };

/**
 * A person's day on a workspace: a finding with a marker in its title and
 * description, evidence with a marker, an imported log, an export, and the
 * ingest of a peer's bundle (with its own markers).
 */
async function liveADay(t: TestApp, tag: string): Promise<Story> {
  const findingMarker = `FINDING-MARKER-${tag}-${randomBytes(4).toString('hex')}`;
  const evidenceMarker = `EVIDENCE-MARKER-${tag}-${randomBytes(4).toString('hex')}`;
  const eng = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } }))).id;
  const evidence = Buffer.from(`${evidenceMarker}\n${'evidence line\n'.repeat(2000)}`);
  const attachment = await ok<{ id: string; sha256: string }>(t.app.dispatch('attachment:add', { engagement_id: eng, file: t.app.files.register(userFile('evidence.txt', evidence), 'read') }));
  const finding = await ok<{ id: string }>(
    t.app.dispatch('finding:create', { engagement_id: eng, title: `Bypass ${findingMarker}`, kind: 'safeguard-bypass', severity: 'high', description: `Seen in ${findingMarker}.` }),
  );
  await ok(t.app.dispatch('finding:addEvidence', { id: finding.id, evidence: { kind: 'attachment', attachment_id: attachment.id } }));
  const { job_id } = await ok<{ job_id: string }>(t.app.dispatch('imports:start', { engagement_id: eng, files: [t.app.files.register(LOG, 'read')], samples: [] }));
  const imported = await t.app.jobs.wait(job_id);
  expect(imported.status).toBe('succeeded');
  expect(await ok<{ samples: { total: number } }>(t.app.dispatch('samples:list', { run_id: (await ok<{ run: { id: string } }[]>(t.app.dispatch('runs:list', { engagement_id: eng })))[0]!.run.id, query: 'SQL Injection', offset: 0, limit: 10 }))).toMatchObject({ total: 1 });

  const bundle = join(userDir, `${++n}-export.evb`);
  const exported = await t.app.jobs.wait((await ok<{ job_id: string }>(t.app.dispatch('bundle:export', { engagement_id: eng, findings: null, include_thresholds: false, confirm_credentials: false, forward: [], to: t.app.files.register(bundle, 'write') }))).job_id);
  expect(exported.status).toBe('succeeded');

  // A peer's bundle, trusted and ingested.
  const peer = await plainApp(`Peer of ${tag}`);
  const peerMarker = `PEER-MARKER-${tag}-${randomBytes(4).toString('hex')}`;
  const peerEng = (await ok<{ id: string }>(peer.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } }))).id;
  const peerEvidence = Buffer.from(`${peerMarker} evidence\n`);
  const peerAttachment = await ok<{ id: string }>(peer.app.dispatch('attachment:add', { engagement_id: peerEng, file: peer.app.files.register(userFile('peer.txt', peerEvidence), 'read') }));
  const peerFinding = await ok<{ id: string }>(peer.app.dispatch('finding:create', { engagement_id: peerEng, title: `Peer ${peerMarker}`, kind: 'capability', severity: 'low' }));
  await ok(peer.app.dispatch('finding:addEvidence', { id: peerFinding.id, evidence: { kind: 'attachment', attachment_id: peerAttachment.id } }));
  const peerBundle = join(userDir, `${++n}-peer.evb`);
  expect((await peer.app.jobs.wait((await ok<{ job_id: string }>(peer.app.dispatch('bundle:export', { engagement_id: peerEng, findings: null, include_thresholds: false, confirm_credentials: false, forward: [], to: peer.app.files.register(peerBundle, 'write') }))).job_id)).status).toBe('succeeded');
  const id = peer.app.workspace.requireIdentity();
  await ok(t.app.dispatch('keys:trust', { public_key_pem: id.public_key_pem, name: id.name, role: id.role }));
  const ingested = await t.app.jobs.wait((await ok<{ job_id: string }>(t.app.dispatch('bundle:ingest', { file: t.app.files.register(peerBundle, 'read') }))).job_id);
  expect(ingested.status).toBe('succeeded');
  expect((await ok<{ hits: unknown[] }>(t.app.dispatch('search:query', { text: peerMarker }))).hits).toHaveLength(1);

  return {
    markers: [findingMarker, evidenceMarker, peerMarker, ...LOG_TEXT],
    digests: [sha256(evidence), sha256(readFileSync(LOG)), sha256(peerEvidence)],
    bundle,
  };
}

describe('an encrypted workspace', () => {
  it('keeps no plaintext of a record, an attachment, a log or a blob digest anywhere in its folder or the app’s temp area', async () => {
    const t = await encryptedApp('Ada Lovelace');
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    const story = await liveADay(t, 'enc');
    // The export decrypted the evidence in memory: the bundle (the person's own file) carries it.
    expect(readFileSync(story.bundle).includes(story.markers[1]!)).toBe(true);
    const verified = await t.app.jobs.wait((await ok<{ job_id: string }>(t.app.dispatch('bundle:verify', { file: t.app.files.register(story.bundle, 'read') }))).job_id);
    expect(verified).toMatchObject({ status: 'succeeded', result: { valid: true } });

    const needles = [...story.markers, ...story.digests];
    // While open (the WAL holds the latest writes) and after closing.
    expect(allFiles(t.dataDir).some((f) => f.endsWith('-wal'))).toBe(true);
    expect(scan(holderOf(t), needles)).toEqual([]);
    await t.app.close();
    expect(scan(holderOf(t), needles)).toEqual([]);
    expect(allFiles(t.dataDir).map((f) => f.slice(t.dataDir.length)).filter((f) => !f.startsWith('/blobs/')).sort()).toEqual(['/evalnotes.db', `/${KEY_FILE}`]);
  });

  it('the same scan finds every one of them in a plain workspace (so the scan can see)', async () => {
    const t = await plainApp('Ada Lovelace');
    const story = await liveADay(t, 'plain');
    const found = scan(holderOf(t), [...story.markers, ...story.digests]);
    for (const needle of [...story.markers, ...story.digests]) expect(found.some((f) => f.startsWith(`${needle} in`))).toBe(true);
  });

  it('imports in the app’s worker thread, which gets the key only while unlocked', async () => {
    const worker = join(import.meta.dirname, '../../../out/main/importWorker.js');
    expect(existsSync(worker)).toBe(true); // npm run build
    const t = await encryptedApp('Ada Lovelace', { importWorkerPath: worker });
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    const eng = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } }))).id;
    const started = await ok<{ job_id: string }>(t.app.dispatch('imports:start', { engagement_id: eng, files: [t.app.files.register(LOG, 'read')], samples: [] }));
    expect(await t.app.jobs.wait(started.job_id)).toMatchObject({ status: 'succeeded', result: { files: [{ status: 'imported', samples: 3 }] } });
    expect(await t.app.workspace.blobStore().verify(sha256(readFileSync(LOG)))).toBe(true);
    expect(scan(t.dataDir, LOG_TEXT)).toEqual([]);
    await ok(t.app.dispatch('workspace:lock', {}));
    expect(await refused(t.app.dispatch('imports:start', { engagement_id: eng, files: [t.app.files.register(LOG, 'read')], samples: [] }))).toMatchObject({ code: 'LOCKED' });
  });

  it('is created over the empty plain database an earlier command left in the folder', async () => {
    const d = tempDir('evalnotes-encryption-empty-');
    try {
      Workspace.open({ dataDir: d.path }).close(); // what `evalnotes engagements` does in a new folder
      const ws = await Workspace.createEncrypted({ dataDir: d.path, kdf: TEST_KDF, clock }, { name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE });
      ws.close();
      expect(readFileSync(join(d.path, 'evalnotes.db')).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
      const again = Workspace.open({ dataDir: d.path, kdf: TEST_KDF });
      await again.unlock(TEST_PASSPHRASE);
      expect(again.requireIdentity().name).toBe('Ada Lovelace');
      again.close();
    } finally {
      d.cleanup();
    }
  });

  it('refuses a wrong passphrase and stays locked, its database closed', async () => {
    const t = await encryptedApp('Ada Lovelace');
    const status = await ok<{ state: string; identity: { name: string } }>(t.app.dispatch('workspace:status', {}));
    expect(status).toMatchObject({ state: 'locked', identity: { name: 'Ada Lovelace' } });
    expect(await refused(t.app.dispatch('workspace:unlock', { passphrase: 'not the passphrase at all' }))).toEqual({ code: 'BAD_PASSPHRASE', message: 'That passphrase is not correct.' });
    expect(t.app.workspace.isOpen).toBe(false);
    expect(await refused(t.app.dispatch('engagements:list', {}))).toMatchObject({ code: 'LOCKED' });
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    expect(await ok(t.app.dispatch('engagements:list', {}))).toEqual([]);
  });

  it('refuses evidence whose encrypted bytes were changed, with a sentence', async () => {
    const t = await encryptedApp('Ada Lovelace');
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    const eng = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } }))).id;
    const a = await ok<{ id: string; sha256: string }>(t.app.dispatch('attachment:add', { engagement_id: eng, file: t.app.files.register(userFile('notes.txt', 'line one\n'), 'read') }));
    expect(await ok(t.app.dispatch('attachment:preview', { id: a.id }))).toEqual({ kind: 'text', text: 'line one\n', truncated: false });
    const file = t.app.workspace.blobStore().path(a.sha256);
    const raw = readFileSync(file);
    raw.writeUInt8(raw.readUInt8(HEADER_BYTES + 14) ^ 0x20, HEADER_BYTES + 14);
    writeFileSync(file, raw);
    expect(await refused(t.app.dispatch('attachment:preview', { id: a.id }))).toEqual({
      code: 'WORKSPACE_DAMAGED',
      message: `The encrypted file of blob ${a.sha256.slice(0, 12)}… fails its integrity check (changed, cut short or swapped); restore it from a backup.`,
    });
  });

  it('hands evidence out decrypted, in memory: a browser download and a saved copy', async () => {
    const t = await encryptedApp('Ada Lovelace');
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    const eng = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', handling: { tlp: 'AMBER' } }))).id;
    const bytes = randomBytes(2 * 1024 * 1024 + 123);
    const a = await ok<{ id: string; name: string }>(t.app.dispatch('attachment:add', { engagement_id: eng, file: t.app.files.register(userFile('capture.bin', bytes), 'read') }));

    const { download_url } = await ok<{ download_url: string }>(t.app.dispatch('attachment:download', { id: a.id, to: null }));
    const server = createServer((_req, res) => void sendDownload(res, t.app.files, download_url.slice('/files/'.length)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const reply = await fetch(`http://127.0.0.1:${port}/`);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-length')).toBe(String(bytes.length));
      expect(Buffer.from(await reply.arrayBuffer()).equals(bytes)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404); // one time only
    } finally {
      server.close();
    }

    const target = join(userDir, `${++n}-saved.bin`);
    await new AttachmentService(t.app.workspace, t.app.workspace.blobStore(), t.app.files).saveCopy(a.id, target);
    expect(readFileSync(target).equals(bytes)).toBe(true);
  });

  it('changes its passphrase by rewrapping the master key in its key file only', async () => {
    const t = await encryptedApp('Ada Lovelace');
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    const db = readFileSync(join(t.dataDir, 'evalnotes.db'));
    const before = readFileSync(join(t.dataDir, KEY_FILE), 'utf8');
    const next = 'an entirely different passphrase';
    await ok(t.app.dispatch('keys:changePassphrase', { current: TEST_PASSPHRASE, next }));
    expect(readFileSync(join(t.dataDir, KEY_FILE), 'utf8')).not.toBe(before);
    await ok(t.app.dispatch('workspace:lock', {}));
    expect(t.app.workspace.isOpen).toBe(false);
    expect(await refused(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }))).toMatchObject({ code: 'BAD_PASSPHRASE' });
    await ok(t.app.dispatch('workspace:unlock', { passphrase: next }));
    expect(await ok(t.app.dispatch('engagements:list', {}))).toEqual([]);
    // The database is still under the same key (only its identity row mirrors the new wrap).
    expect(db.subarray(0, 16).equals(readFileSync(join(t.dataDir, 'evalnotes.db')).subarray(0, 16))).toBe(true);
  });

  it('rotates its signing key and still opens its data; a key file a crash left behind is repaired on unlock', async () => {
    const t = await encryptedApp('Ada Lovelace');
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    const eng = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' }))).id;
    const before = JSON.parse(readFileSync(join(t.dataDir, KEY_FILE), 'utf8')) as { identity: { key_id: string } };
    const rotated = await ok<{ key_id: string }>(t.app.dispatch('keys:rotate', { passphrase: TEST_PASSPHRASE }));
    expect(rotated.key_id).not.toBe(before.identity.key_id);
    const after = JSON.parse(readFileSync(join(t.dataDir, KEY_FILE), 'utf8')) as { identity: { key_id: string } };
    expect(after.identity.key_id).toBe(rotated.key_id);
    await ok(t.app.dispatch('workspace:lock', {}));
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    expect((await ok<{ id: string }[]>(t.app.dispatch('engagements:list', {}))).map((e) => e.id)).toEqual([eng]);
    expect((await ok<{ key_id: string }>(t.app.dispatch('keys:show', {}))).key_id).toBe(rotated.key_id);

    // As if the process died after the database committed the rotation and before the key file was rewritten.
    await ok(t.app.dispatch('workspace:lock', {}));
    writeFileSync(join(t.dataDir, KEY_FILE), JSON.stringify({ ...after, identity: before.identity, encrypted_signing_key: (before as { encrypted_signing_key?: string }).encrypted_signing_key }));
    const reopened = Workspace.open({ dataDir: t.dataDir });
    try {
      await reopened.unlock(TEST_PASSPHRASE);
      expect(reopened.requireIdentity().key_id).toBe(rotated.key_id);
      expect(reopened.db.prepare("SELECT count(*) FROM records WHERE type = 'engagement'").pluck().get()).toBe(1);
    } finally {
      reopened.close();
    }
    await vi.waitFor(() => expect((JSON.parse(readFileSync(join(t.dataDir, KEY_FILE), 'utf8')) as typeof after).identity.key_id).toBe(rotated.key_id));
  });

  it('locks itself after 15 minutes without a call, and tells the window', async () => {
    const idleClock = fixedClock('2026-03-12T10:00:00.000Z');
    const t = await encryptedApp('Ada Lovelace', { clock: idleClock });
    const seen: string[] = [];
    t.app.events.subscribe((e) => seen.push(e.name));
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    idleClock.set('2026-03-12T10:14:00.000Z');
    expect(t.app.lockIfIdle()).toBe(false);
    await ok(t.app.dispatch('engagements:list', {}));
    idleClock.set('2026-03-12T10:28:59.000Z');
    expect(t.app.lockIfIdle()).toBe(false); // 14:59 since the last call
    idleClock.set('2026-03-12T10:29:00.000Z');
    expect(t.app.lockIfIdle()).toBe(true);
    expect(seen).toContain('workspace:locked');
    expect(await ok(t.app.dispatch('workspace:status', {}))).toMatchObject({ state: 'locked' });
    expect(t.app.workspace.isOpen).toBe(false);
    expect(await refused(t.app.dispatch('engagements:list', {}))).toMatchObject({ code: 'LOCKED' });
  });

  it('a plain workspace never locks itself', async () => {
    const idleClock = fixedClock('2026-03-12T10:00:00.000Z');
    const t = makeTestApp({ clock: idleClock });
    apps.push(t);
    await ok(t.app.dispatch('workspace:create', { name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE }));
    idleClock.set('2026-03-13T10:00:00.000Z');
    expect(t.app.lockIfIdle()).toBe(false);
    expect(await ok(t.app.dispatch('workspace:status', {}))).toMatchObject({ state: 'unlocked' });
  });

  it('is backed up encrypted and restored whole (backup/restore copy its files byte for byte)', async () => {
    const t = await encryptedApp('Ada Lovelace');
    await ok(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
    const story = await liveADay(t, 'backup');
    const out = join(userDir, `${++n}-workspace.backup`);
    await backupWorkspace(t.app.workspace, out, { appVersion: '0.0.0-test' });
    expect(scan(userDir, [...story.markers, ...story.digests]).filter((f) => f.includes(`-workspace.backup`))).toEqual([]);
    await t.app.close();

    const restored = join(root.path, `restored-${++n}`);
    await restoreBackup(out, restored);
    const ws = Workspace.open({ dataDir: restored, kdf: TEST_KDF });
    try {
      expect(ws.encrypted).toBe(true);
      await ws.unlock(TEST_PASSPHRASE);
      const titles = ws.db.prepare("SELECT json_extract(body, '$.title') FROM records WHERE type = 'finding'").pluck().all() as string[];
      expect(titles.some((title) => title.includes(story.markers[0]!))).toBe(true);
      for (const d of [story.digests[0]!, story.digests[1]!]) expect(await ws.blobStore().verify(d)).toBe(true);
    } finally {
      ws.close();
    }
  });
});

describe('first run with "Encrypt this workspace"', () => {
  const hostOver = (dataDir: string) =>
    openWorkspaceHost({ dataDir, platform: browserPlatform, appVersion: '0.0.0-test', kdf: TEST_KDF, validateOutput: true, watchIntervalMs: 0, tempRoot: root.path, clock });
  const ADA = { name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE } as const;

  it('creates the workspace encrypted from the first byte, unlocked, and what is added to it is sealed', async () => {
    const dataDir = join(root.path, 'first-run-encrypted');
    let host = hostOver(dataDir);
    try {
      expect(await ok(host.dispatch('workspace:status', {}))).toMatchObject({ state: 'uninitialized' });
      expect(await ok(host.dispatch('workspace:create', { ...ADA, encrypt: true }))).toMatchObject({ state: 'unlocked', identity: { name: 'Ada Lovelace' } });
      expect(existsSync(join(dataDir, KEY_FILE))).toBe(true);
      expect(isPlainDatabase(join(dataDir, 'evalnotes.db'))).toBe(false);
      // A second identity is refused, encrypted or not.
      expect(await refused(host.dispatch('workspace:create', { ...ADA, encrypt: true }))).toMatchObject({ code: 'ALREADY_INITIALIZED' });
      expect(await refused(host.dispatch('workspace:create', ADA))).toMatchObject({ code: 'ALREADY_INITIALIZED' });

      const eng = (await ok<{ id: string }>(host.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' }))).id;
      const secret = 'first-run evidence: the model wrote a working exploit';
      const file = userFile('evidence.txt', secret);
      await ok(host.dispatch('attachment:add', { engagement_id: eng, file: host.files.register(file, 'read') }));
      const onDisk = allFiles(dataDir).filter((f) => readFileSync(f).includes(secret));
      expect(onDisk).toEqual([]);
    } finally {
      await host.close();
    }
    // Opened again, it asks for the passphrase, and holds what was added.
    host = hostOver(dataDir);
    try {
      expect(await ok(host.dispatch('workspace:status', {}))).toMatchObject({ state: 'locked', identity: { name: 'Ada Lovelace' } });
      await ok(host.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
      expect(await ok<unknown[]>(host.dispatch('engagements:list', { include_closed: true }))).toHaveLength(1);
    } finally {
      await host.close();
    }
  });

  it('leaves the folder as it was when the passphrase is refused, and the app alone does not create one encrypted', async () => {
    const dataDir = join(root.path, 'first-run-refused');
    const host = hostOver(dataDir);
    try {
      expect(await refused(host.dispatch('workspace:create', { ...ADA, passphrase: 'short', encrypt: true }))).toMatchObject({ code: 'INVALID_INPUT' });
      expect(existsSync(join(dataDir, KEY_FILE))).toBe(false);
      expect(await ok(host.dispatch('workspace:status', {}))).toMatchObject({ state: 'uninitialized' });
      const app = host.current()!;
      expect(await refused(app.dispatch('workspace:create', { ...ADA, encrypt: true }))).toMatchObject({ code: 'UNSUPPORTED' });
    } finally {
      await host.close();
    }
  });
});

describe('evalnotes encrypt / decrypt', () => {
  it('round-trips a plain workspace and loses nothing: records, the audit chain, every blob by digest', async () => {
    const t = await plainApp('Ada Lovelace');
    const story = await liveADay(t, 'roundtrip');
    const { dataDir } = t;
    const db = () => t.app.workspace.db;
    const before = {
      records: db().prepare('SELECT id, type, author, revision, body, hash FROM records ORDER BY id').all(),
      audit: db().prepare('SELECT seq, body, chain_hash FROM audit_events ORDER BY seq').all(),
      trust: db().prepare('SELECT * FROM trusted_keys ORDER BY key_id').all(),
    };
    const blobsBefore = Object.fromEntries(allFiles(join(dataDir, 'blobs')).filter((f) => !f.includes('/blobs/tmp/')).map((f) => [f.slice(dataDir.length), sha256(readFileSync(f))]));
    await t.app.close();

    expect(await encryptWorkspace(dataDir, TEST_PASSPHRASE)).toMatchObject({ encrypted: true, audit_events: before.audit.length, blobs: Object.keys(blobsBefore).length });
    expect(existsSync(join(dataDir, KEY_FILE))).toBe(true);
    expect(scan(dataDir, [...story.markers, ...story.digests])).toEqual([]);
    expect(readdirSync(join(dataDir, '..')).filter((f) => f.startsWith('.workspace.'))).toEqual([]); // no temp or old folder left

    const enc = Workspace.open({ dataDir, kdf: TEST_KDF });
    await expect(enc.unlock('not the passphrase at all')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    await enc.unlock(TEST_PASSPHRASE);
    expect(enc.db.prepare('SELECT id, type, author, revision, body, hash FROM records ORDER BY id').all()).toEqual(before.records);
    for (const d of story.digests) expect(await enc.blobStore().verify(d)).toBe(true);
    enc.close();

    expect(await decryptWorkspace(dataDir, TEST_PASSPHRASE)).toMatchObject({ encrypted: false, audit_events: before.audit.length });
    expect(existsSync(join(dataDir, KEY_FILE))).toBe(false);
    const plain = Workspace.open({ dataDir, kdf: TEST_KDF });
    try {
      expect(plain.encrypted).toBe(false);
      expect(plain.db.prepare('SELECT id, type, author, revision, body, hash FROM records ORDER BY id').all()).toEqual(before.records);
      expect(plain.db.prepare('SELECT seq, body, chain_hash FROM audit_events ORDER BY seq').all()).toEqual(before.audit);
      expect(plain.db.prepare('SELECT * FROM trusted_keys ORDER BY key_id').all()).toEqual(before.trust);
      const blobsAfter = Object.fromEntries(allFiles(join(dataDir, 'blobs')).filter((f) => !f.includes('/blobs/tmp/')).map((f) => [f.slice(dataDir.length), sha256(readFileSync(f))]));
      expect(blobsAfter).toEqual(blobsBefore);
      await plain.unlock(TEST_PASSPHRASE); // the same passphrase opens it
    } finally {
      plain.close();
    }
  });

  it('refuses while another program has the workspace open, and changes nothing', async () => {
    const t = await plainApp('Ada Lovelace');
    const db = join(t.dataDir, 'evalnotes.db');
    const before = statSync(db).mtimeMs;
    await expect(encryptWorkspace(t.dataDir, TEST_PASSPHRASE)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `Another EvalNotes (the app, \`evalnotes serve\` or a command) has the workspace in ${t.dataDir} open; close it and try again.`,
    });
    expect(existsSync(join(t.dataDir, KEY_FILE))).toBe(false);
    expect(statSync(db).mtimeMs).toBe(before);
    expect(readdirSync(join(t.dataDir, '..')).filter((f) => f.startsWith('.workspace.'))).toEqual([]);
    expect(await ok(t.app.dispatch('engagements:list', {}))).toEqual([]);
  });

  it('finishes a swap that a crash cut between its two renames, on the next open', async () => {
    const t = await plainApp('Ada Lovelace');
    await t.app.close();
    const parent = join(t.dataDir, '..');
    await encryptWorkspace(t.dataDir, TEST_PASSPHRASE);
    // As if the process died after renaming the workspace aside and before renaming the new folder in.
    const replacement = join(parent, '.workspace.encrypting-0123456789ab');
    const aside = join(parent, '.workspace.replaced-0123456789ab');
    renameSync(t.dataDir, replacement);
    mkdirSync(aside);
    writeFileSync(join(parent, '.workspace.swap.json'), JSON.stringify({ replacement, aside }));
    const ws = Workspace.open({ dataDir: t.dataDir, kdf: TEST_KDF });
    try {
      expect(ws.encrypted).toBe(true);
      await ws.unlock(TEST_PASSPHRASE);
      expect(ws.requireIdentity().name).toBe('Ada Lovelace');
    } finally {
      ws.close();
    }
    expect(readdirSync(parent).filter((f) => f.startsWith('.workspace.'))).toEqual([]);
  });

  it('refuses a wrong passphrase before touching anything', async () => {
    const t = await plainApp('Ada Lovelace');
    await t.app.close();
    await expect(encryptWorkspace(t.dataDir, 'not the passphrase at all')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    expect(existsSync(join(t.dataDir, KEY_FILE))).toBe(false);
  });
});
