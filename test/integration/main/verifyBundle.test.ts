import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../../main/blobs/blobStore';
import { sliceSource, type ByteSource } from '../../../main/bundles/canonicalZip';
import { BundleService } from '../../../main/services/bundles';
import { KeyService } from '../../../main/services/keys';
import { verifyBundleFile, verifySource } from '../../../main/bundles/verifyBundle';
import { fileTrust, workspaceTrust, type TrustLookup } from '../../../main/services/keys';
import { keyIdOf } from '../../../main/identity/keys';
import type { VerifyReport } from '../../../shared/domain/bundle';
import type { Result } from '../../../shared/result';
import { makeReadyApp, tempDir, type TestApp } from '../../helpers/app';
import { buildBundle, canonicalZip, contentFromWorkspace, manifestFor, signStatement, signerOf, type ZipFile } from '../../helpers/bundleFactory';
import { writeZip } from '../../helpers/zipWriter';

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(res.error.message);
  return res.value as T;
}

const bufferSource = (b: Buffer): ByteSource => ({ size: b.length, read: (p, n) => Promise.resolve(b.subarray(p, Math.min(p + n, b.length))) });
const verifyBytes = (b: Buffer, trust: TrustLookup, label = 'b.evb') => verifySource(bufferSource(b), label, { trust }, 0);

let t: TestApp;
let other: TestApp;
let dir: { path: string; cleanup(): void };
let engagementId: string;

async function seed(app: TestApp, model: string) {
  const eng = await ok<{ id: string }>(app.app.dispatch('engagement:create', { developer: 'Lab', model, model_version: 'rc3', access_start: '2026-03-01' }));
  return eng.id;
}

/** Files of the bundle by name, the ZIP rebuilt from them (signing again when asked). */
function rebuild(files: ZipFile[], opts: { resign?: TestApp } = {}): Buffer {
  const content = files.filter((f) => f.name !== 'bundle.dsse.json');
  const envelope = opts.resign ? signStatement(content, signerOf(opts.resign.app.workspace).key, signerOf(opts.resign.app.workspace).keyId) : files.find((f) => f.name === 'bundle.dsse.json')!;
  return canonicalZip([...content, envelope].sort((a, b) => (a.name < b.name ? -1 : 1)));
}

function bundleOf(app: TestApp, opts: { forwarded?: Buffer[]; withAttachment?: boolean } = {}): { bytes: Buffer; files: ZipFile[] } {
  const ws = app.app.workspace;
  const { files, newest, engagementId: eng } = contentFromWorkspace(ws, { types: ['engagement', 'attachment', 'finding', 'note'], forwarded: opts.forwarded ?? [] });
  const signer = signerOf(ws);
  const bytes = buildBundle(files, signer, manifestFor(files, signer, newest, eng));
  return { bytes, files: unzip(bytes) };
}

/** Our own canonical files, read back by offsets (the factory writes them in order). */
function unzip(b: Buffer): ZipFile[] {
  const out: ZipFile[] = [];
  let at = 0;
  while (b.readUInt32LE(at) === 0x04034b50) {
    const size = b.readUInt32LE(at + 18);
    const nameLength = b.readUInt16LE(at + 26);
    const name = b.subarray(at + 30, at + 30 + nameLength).toString();
    out.push({ name, data: Buffer.from(b.subarray(at + 30 + nameLength, at + 30 + nameLength + size)) });
    at += 30 + nameLength + size;
  }
  return out;
}

beforeEach(async () => {
  dir = tempDir('evalnotes-verify-');
  t = await makeReadyApp();
  other = await makeReadyApp();
  engagementId = await seed(t, 'Orion-2');
  const evidence = join(dir.path, 'evidence.txt');
  writeFileSync(evidence, 'proof');
  await ok(t.app.dispatch('attachment:add', { engagement_id: engagementId, file: t.app.files.register(evidence, 'read') }));
  // A threshold is withheld: its event travels only as a body hash.
  await ok(t.app.dispatch('threshold:create', { engagement_id: engagementId, task: 'ctf', scorer: 's', metric: 'accuracy', comparison: '>=', value: 0.35 }));
});
afterEach(async () => {
  await t.cleanup();
  await other.cleanup();
  dir.cleanup();
});

const own = () => workspaceTrust(t.app.workspace);

describe('a valid bundle', () => {
  it('verifies, naming signer, role, marking and counts', async () => {
    const { bytes } = bundleOf(t);
    const path = join(dir.path, 'ok.evb');
    writeFileSync(path, bytes);
    const report = await verifyBundleFile(path, { trust: own() });
    expect(report.reason).toBeNull();
    expect(report).toMatchObject({
      valid: true,
      signer: { name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', trusted: true, key_id: t.app.workspace.requireIdentity().key_id },
      handling: { tlp: 'AMBER' },
      counts: { records: { engagements: 1, attachments: 1 }, attachments: 1, forwarded: 0 },
    });
  });

  it('verifies through the bundle:verify job and changes nothing in the workspace', async () => {
    const path = join(dir.path, 'ok.evb');
    writeFileSync(path, bundleOf(t).bytes);
    const dbState = () => ({
      records: t.app.workspace.db.prepare('SELECT id, revision, hash FROM records ORDER BY id').all(),
      audit: t.app.workspace.db.prepare('SELECT seq, chain_hash FROM audit_events ORDER BY seq').all(),
      keys: t.app.workspace.db.prepare('SELECT * FROM trusted_keys').all(),
    });
    const before = { db: dbState(), file: readFileSync(path) };
    const report = await runVerifyJob(t, path);
    expect(report.valid).toBe(true);
    expect({ db: dbState(), file: readFileSync(path) }).toEqual(before);
  });
});

async function runVerifyJob(app: TestApp, path: string): Promise<VerifyReport> {
  const ref = app.app.files.register(path, 'read');
  const finished = new Promise<{ result: unknown }>((resolve) =>
    app.app.events.subscribe((e) => {
      if (e.name === 'job:finished') resolve(e.payload);
    }),
  );
  await ok(app.app.dispatch('bundle:verify', { file: ref }));
  return (await finished).result as VerifyReport;
}

describe('tampering', () => {
  it('refuses a single changed byte at every offset of a small bundle', async () => {
    const { bytes } = bundleOf(t);
    expect(bytes.length).toBeLessThan(6000);
    expect((await verifyBytes(bytes, own())).valid).toBe(true);
    const accepted: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0xff]) {
        const copy = Buffer.from(bytes);
        copy[i] = copy[i]! ^ flip;
        const report = await verifyBytes(copy, own());
        if (report.valid || !report.reason) accepted.push(i);
      }
    }
    expect(accepted).toEqual([]);
  }, 120_000);

  it('refuses an attachment record whose bytes are missing', async () => {
    const { files } = bundleOf(t);
    const content = files.filter((f) => !f.name.startsWith('attachments/') && f.name !== 'bundle.dsse.json' && f.name !== 'bundle.json');
    const signer = signerOf(t.app.workspace);
    const manifest = JSON.parse(files.find((f) => f.name === 'bundle.json')!.data.toString()) as { created_at: string };
    const report = await verifyBytes(buildBundle(content, signer, manifestFor(content, signer, manifest.created_at, engagementId)), own());
    expect(report.reason).toMatch(/is missing the bytes of attachment [0-9a-f-]+\./);
  });

  it('refuses an added entry the statement does not list', async () => {
    const { files } = bundleOf(t);
    const extra = { name: `attachments/${createHash('sha256').update('x').digest('hex')}`, data: Buffer.from('x') };
    const report = await verifyBytes(rebuild([...files, extra]), own());
    expect(report).toMatchObject({ valid: false });
    expect(report.reason).toMatch(/holds an entry its signed statement does not list \("attachments\//);
  });

  it('refuses a removed entry', async () => {
    const { files } = bundleOf(t);
    const report = await verifyBytes(rebuild(files.filter((f) => !f.name.startsWith('records/engagements/'))), own());
    expect(report.reason).toMatch(/is missing "records\/engagements\/.*", which its signed statement lists/);
  });

  it('refuses a renamed entry', async () => {
    const { files } = bundleOf(t);
    const renamed = files.map((f) => (f.name.startsWith('records/engagements/') ? { ...f, name: f.name.replace('records/engagements/', 'records/findings/') } : f));
    const report = await verifyBytes(rebuild(renamed), own());
    expect(report.valid).toBe(false);
    expect(report.reason).toMatch(/statement lists|does not list/);
  });

  it('refuses reordered entries', async () => {
    const { files } = bundleOf(t);
    const reordered = [files[1]!, files[0]!, ...files.slice(2)];
    const report = await verifyBytes(canonicalZip(reordered), own());
    expect(report.reason).toMatch(/is not in canonical form: entry .* is out of name order/);
  });

  it('refuses a signature swapped in from another bundle or another key', async () => {
    const a = bundleOf(t);
    await ok(t.app.dispatch('note:create', { on: { type: 'engagement', id: engagementId }, body: 'later' }));
    const b = bundleOf(t);
    const swapped = rebuild([...b.files.filter((f) => f.name !== 'bundle.dsse.json'), a.files.find((f) => f.name === 'bundle.dsse.json')!]);
    expect((await verifyBytes(swapped, own())).reason).toMatch(/does not match its signed digest|is missing|does not list/);

    // Signed by another key but claiming ours.
    await seed(other, 'Vega');
    const forged = signStatement(a.files.filter((f) => f.name !== 'bundle.dsse.json'), signerOf(other.app.workspace).key, t.app.workspace.requireIdentity().key_id);
    const report = await verifyBytes(rebuild([...a.files.filter((f) => f.name !== 'bundle.dsse.json'), forged]), own());
    expect(report.reason).toMatch(/has a signature that does not verify with Ada Lovelace's key/);
  });

  it('refuses a record by another author even when its signer signs it', async () => {
    await seed(other, 'Vega');
    const theirs = contentFromWorkspace(other.app.workspace, { types: ['engagement'] }).files.filter((f) => f.name.startsWith('records/engagements/'));
    const { files } = bundleOf(t);
    const content = [...files.filter((f) => f.name !== 'bundle.dsse.json' && f.name !== 'bundle.json'), ...theirs];
    const signer = signerOf(t.app.workspace);
    const newest = contentFromWorkspace(other.app.workspace, { types: ['engagement'] }).newest;
    const bytes = buildBundle(content, signer, manifestFor(content, signer, newest, engagementId));
    const report = await verifyBytes(bytes, own());
    expect(report.valid).toBe(false);
    expect(report.reason).toMatch(/holds a record \([0-9a-f-]+\) by another author than its signer/);
  });

  it('refuses an audit chain with a changed withheld hash', async () => {
    const { files } = bundleOf(t);
    const audit = files.find((f) => f.name === 'records/audit.jsonl')!;
    const lines = audit.data.toString().trimEnd().split('\n');
    const withheld = lines.findIndex((l) => l.includes('"body_hash"'));
    expect(withheld).toBeGreaterThanOrEqual(0);
    lines[withheld] = lines[withheld]!.replace(/"body_hash":"([0-9a-f])/, (_m, c: string) => `"body_hash":"${c === '0' ? '1' : '0'}`);
    const changed = files.map((f) => (f === audit ? { ...f, data: Buffer.from(lines.join('\n') + '\n') } : f));
    // Re-signed by the signer: the signature is fine, the chain is not.
    const content = changed.filter((f) => f.name !== 'bundle.dsse.json' && f.name !== 'bundle.json');
    const signer = signerOf(t.app.workspace);
    const manifest = manifestFor(content, signer, (JSON.parse(files.find((f) => f.name === 'bundle.json')!.data.toString()) as { created_at: string }).created_at, engagementId);
    const report = await verifyBytes(buildBundle(content, signer, manifest), own());
    expect(report.reason).toMatch(/has an audit chain broken at event \d+/);
  });
});

describe('trust', () => {
  it('refuses a bundle by a key it does not know, and accepts it once trusted', async () => {
    await seed(other, 'Vega');
    const { bytes } = bundleOf(other);
    const unknown = await verifyBytes(bytes, own());
    expect(unknown).toMatchObject({ valid: false, signer: { trusted: false } });
    expect(unknown.reason).toMatch(/is signed by a key that is not trusted here \([0-9a-f ]+\): trust it with `evalnotes keys trust`/);

    const pem = other.app.workspace.requireIdentity().public_key_pem;
    await ok(t.app.dispatch('keys:trust', { public_key_pem: pem, name: 'Grace Hopper', role: 'evaluator' }));
    const trusted = await verifyBytes(bytes, own());
    expect(trusted).toMatchObject({ valid: true, signer: { trusted: true, trusted_as: 'evaluator', name: 'Ada Lovelace' } });

    // Key untrusted after the fact: refused from then on.
    await ok(t.app.dispatch('keys:untrust', { key_id: other.app.workspace.requireIdentity().key_id }));
    const after = await verifyBytes(bytes, own());
    expect(after.valid).toBe(false);
    expect(after.reason).toMatch(/is signed by Grace Hopper, whose key \(.*\) was untrusted on \d{4}-\d{2}-\d{2}\./);
  });

  it('with --trust keys, trusts exactly those keys', async () => {
    const { bytes } = bundleOf(t);
    const pem = t.app.workspace.requireIdentity().public_key_pem;
    expect((await verifyBytes(bytes, fileTrust([{ pem, label: 'ada.pub' }]))).valid).toBe(true);
    const stranger = generateKeyPairSync('ed25519').publicKey;
    const strangerPem = stranger.export({ format: 'pem', type: 'spki' }).toString();
    expect(keyIdOf(stranger)).not.toBe(t.app.workspace.requireIdentity().key_id);
    expect((await verifyBytes(bytes, fileTrust([{ pem: strangerPem, label: 'x.pub' }]))).valid).toBe(false);
  });

  it('refuses a key trusted as evaluator that claims to be a supervisor', async () => {
    // other is an evaluator; trust it as a supervisor: the claim and the trust disagree.
    await seed(other, 'Vega');
    await ok(t.app.dispatch('keys:trust', { public_key_pem: other.app.workspace.requireIdentity().public_key_pem, name: 'Grace', role: 'supervisor' }));
    const report = await verifyBytes(bundleOf(other).bytes, own());
    expect(report.reason).toMatch(/says its signer is an evaluator, but the key is trusted as a supervisor/);
  });
});

describe('hostile ZIPs', () => {
  const cases: [string, () => Buffer, RegExp][] = [
    ['a non-ZIP', () => Buffer.from('just some text, not a bundle at all'), /is not a ZIP file/],
    ['an empty file', () => Buffer.alloc(0), /is not a ZIP file \(it is too short\)/],
    ['a zip-slip name', () => canonicalZip([{ name: '../evil', data: Buffer.from('x') }]), /unsafe name \("\.\.\/evil": parent-directory segment\)/],
    ['an absolute name', () => canonicalZip([{ name: '/etc/passwd', data: Buffer.from('x') }]), /unsafe name \("\/etc\/passwd": absolute path\)/],
    ['a backslash name', () => canonicalZip([{ name: 'records\\x', data: Buffer.from('x') }]), /unsafe name .*backslash/],
    ['a symlink', () => writeZip([{ name: 'bundle.json', data: '/etc/passwd', method: 0, externalAttributes: 0o120777 * 0x10000 }]), /holds a symbolic link entry \("bundle\.json"\)/],
    ['a zip bomb', () => writeZip([{ name: 'bundle.json', data: Buffer.alloc(50 * 1024 * 1024), method: 8 }]), /looks like a ZIP bomb/],
    ['duplicate names', () => canonicalZip([{ name: 'bundle.json', data: Buffer.from('{}') }, { name: 'bundle.json', data: Buffer.from('{}') }]), /holds two entries named "bundle\.json"/],
    ['an entry bundles never hold', () => canonicalZip([{ name: 'evil.sh', data: Buffer.from('x') }]), /holds an entry a bundle never contains \("evil\.sh"\)/],
    ['a deflated entry', () => writeZip([{ name: 'bundle.json', data: '{}', method: 8 }]), /compresses "bundle\.json" \(ZIP method 8\)|not in canonical form/],
    ['trailing bytes', () => Buffer.concat([canonicalZip([{ name: 'bundle.json', data: Buffer.from('{}') }]), Buffer.from('junk')]), /has bytes after its ZIP end record/],
    ['a non-canonical time', () => canonicalZip([{ name: 'bundle.json', data: Buffer.from('{}') }], { dosTime: 1 }), /a time other than 1980-01-01 00:00/],
  ];
  for (const [what, make, reason] of cases) {
    it(`refuses ${what}`, async () => {
      const report = await verifyBytes(make(), own());
      expect(report.valid).toBe(false);
      expect(report.reason).toMatch(reason);
      expect(report.reason!.split('. ').length).toBe(1);
    });
  }

  it('refuses a truncated bundle at every cut', async () => {
    const { bytes } = bundleOf(t);
    for (const cut of [1, 21, 22, 100, bytes.length - 23, bytes.length - 1]) {
      const report = await verifyBytes(bytes.subarray(0, cut), own());
      expect({ cut, valid: report.valid }).toEqual({ cut, valid: false });
      expect(report.reason).toMatch(/not a ZIP file|not a complete ZIP archive|damaged|gap/);
    }
  });
});

describe('forwarded bundles', () => {
  it('verifies a forwarded bundle inside, and refuses a second level or an untrusted one', async () => {
    await seed(other, 'Vega');
    const inner = bundleOf(other).bytes;
    const outer = bundleOf(t, { forwarded: [inner] }).bytes;
    const untrustedInner = await verifyBytes(outer, own());
    expect(untrustedInner.valid).toBe(false);
    expect(untrustedInner.reason).toMatch(/forwarded bundle [0-9a-f]{12}… is signed by a key that is not trusted here/);

    await ok(t.app.dispatch('keys:trust', { public_key_pem: other.app.workspace.requireIdentity().public_key_pem, name: 'Grace', role: 'evaluator' }));
    const report = await verifyBytes(outer, own());
    expect(report.reason).toBeNull();
    expect(report.forwarded).toEqual([
      { sha256: createHash('sha256').update(inner).digest('hex'), valid: true, reason: null, signer_key_id: other.app.workspace.requireIdentity().key_id, signer_name: 'Ada Lovelace' },
    ]);
    expect(report.counts?.forwarded).toBe(1);

    const twice = bundleOf(other, { forwarded: [outer] }).bytes;
    const nested = await verifyBytes(twice, own());
    expect(nested.reason).toMatch(/forwards a bundle inside a forwarded bundle/);
  });

  it('reads a forwarded bundle in place from the outer file', async () => {
    const { bytes } = bundleOf(t);
    const padded = Buffer.concat([Buffer.from('prefix'), bytes]);
    const report = await verifySource(sliceSource(bufferSource(padded), 6, bytes.length), 'inner', { trust: own() }, 1);
    expect(report.valid).toBe(true);
  });
});

describe('on worker threads (large bundles)', () => {
  it('gives the same report as on the main thread, for a valid bundle with a forwarded one and for changed bytes', async () => {
    await seed(other, 'Vega');
    await ok(t.app.dispatch('keys:trust', { public_key_pem: other.app.workspace.requireIdentity().public_key_pem, name: 'Grace', role: 'evaluator' }));
    const bytes = bundleOf(t, { forwarded: [bundleOf(other).bytes] }).bytes;
    const path = join(dir.path, 'b.evb');
    const both = async (b: Buffer) => {
      writeFileSync(path, b);
      const here = await verifyBundleFile(path, { trust: own() });
      const threads = await verifyBundleFile(path, { trust: own(), digest: { parallelFromBytes: 0, chunkBytes: 1024 } });
      return { here, threads };
    };
    const valid = await both(bytes);
    expect(valid.here.reason).toBeNull();
    expect(valid.threads).toEqual(valid.here);
    // Changed bytes spread over the file: headers, attachment and record bytes, the forwarded bundle, the directory.
    for (let i = 0; i < 40; i++) {
      const copy = Buffer.from(bytes);
      const at = Math.floor((i * bytes.length) / 40);
      copy[at] = copy[at]! ^ 0x01;
      const { here, threads } = await both(copy);
      expect(here.valid).toBe(false);
      expect(threads).toEqual(here);
    }
  }, 60_000);
});

describe('round trip with the exporter', () => {
  async function exportTo(app: TestApp, eng: string, path: string, opts: { includeThresholds?: boolean; forward?: string[] } = {}) {
    const ws = app.app.workspace;
    const keys = new KeyService(ws);
    const service = new BundleService(ws, new BlobStore(ws.blobDir), { appVersion: '0.0.0-test', trust: () => keys.lookup() });
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    return service.export({ engagementId: eng, findings: null, includeThresholds: opts.includeThresholds ?? false, forward: opts.forward ?? [], confirmCredentials: false }, path, ctx);
  }

  it('verifies what the exporter writes, with and without thresholds, and a forwarded bundle', async () => {
    await ok(t.app.dispatch('finding:create', { engagement_id: engagementId, title: 'Jailbreak via role play', kind: 'safeguard-bypass', severity: 'high' }));
    const plain = join(dir.path, 'plain.evb');
    const summary = await exportTo(t, engagementId, plain);
    const report = await verifyBundleFile(plain, { trust: own() });
    expect(report.reason).toBeNull();
    expect(report).toMatchObject({ valid: true, id: summary.id, counts: summary.counts });

    const withThresholds = join(dir.path, 'thresholds.evb');
    await exportTo(t, engagementId, withThresholds, { includeThresholds: true });
    expect((await verifyBundleFile(withThresholds, { trust: own() })).counts?.records.thresholds).toBe(1);

    // The other workspace forwards this bundle inside its own; it trusts Ada.
    const theirs = await seed(other, 'Vega');
    await ok(other.app.dispatch('keys:trust', { public_key_pem: t.app.workspace.requireIdentity().public_key_pem, name: 'Ada', role: 'evaluator' }));
    const outer = join(dir.path, 'outer.evb');
    await exportTo(other, theirs, outer, { forward: [plain] });
    const outerReport = await verifyBundleFile(outer, { trust: workspaceTrust(other.app.workspace) });
    expect(outerReport.reason).toBeNull();
    expect(outerReport.forwarded).toMatchObject([{ valid: true, signer_key_id: t.app.workspace.requireIdentity().key_id }]);
  });
});
