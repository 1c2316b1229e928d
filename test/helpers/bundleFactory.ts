/**
 * Builds signed bundles for verifier tests, following DESIGN.md "Signed bundle
 * format v1" on its own (not the exporter's code), so the verifier is tested
 * against the specification. Lower-level pieces (signStatement, canonicalZip)
 * let tests build hostile variants: reordered entries, swapped signatures…
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { canonicalJson } from '../../shared/canonical';
import {
  AUDIT_ENTRY,
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  ENVELOPE_ENTRY,
  MANIFEST_ENTRY,
  PAYLOAD_TYPE,
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  preAuthEncoding,
  recordEntry,
  type BundleManifest,
} from '../../shared/domain/bundle';
import { recordFolders, type StorableType } from '../../shared/domain/records';
import { CANONICAL } from '../../main/bundles/canonicalZip';
import type { Workspace } from '../../main/workspace/workspace';

export type ZipFile = { name: string; data: Buffer };

/** The canonical ZIP layout (stored, fixed fields), entries in the order given. */
export function canonicalZip(files: ZipFile[], overrides: Partial<Record<keyof typeof CANONICAL, number>> = {}): Buffer {
  const c = { ...CANONICAL, ...overrides };
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const crc = crc32(f.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(c.versionNeeded, 4);
    local.writeUInt16LE(c.flags, 6);
    local.writeUInt16LE(c.method, 8);
    local.writeUInt16LE(c.dosTime, 10);
    local.writeUInt16LE(c.dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(f.data.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(c.versionMadeBy, 4);
    cd.writeUInt16LE(c.versionNeeded, 6);
    cd.writeUInt16LE(c.flags, 8);
    cd.writeUInt16LE(c.method, 10);
    cd.writeUInt16LE(c.dosTime, 12);
    cd.writeUInt16LE(c.dosDate, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(f.data.length, 20);
    cd.writeUInt32LE(f.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt16LE(c.internalAttributes, 36);
    cd.writeUInt32LE(c.externalAttributes >>> 0, 38);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, name, f.data);
    central.push(cd, name);
    offset += 30 + name.length + f.data.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBytes, end]);
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const byName = (a: ZipFile, b: ZipFile) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));

/** Statement over `files` (every entry but the envelope), signed: returns the envelope entry. */
export function signStatement(files: ZipFile[], key: KeyObject, keyId: string): ZipFile {
  const subject = [...files].sort(byName).map((f) => ({ name: f.name, digest: { sha256: sha256(f.data) } }));
  const bundleId = bundleIdOf(files.filter((f) => f.name !== MANIFEST_ENTRY));
  const statement = { _type: STATEMENT_TYPE, subject, predicateType: PREDICATE_TYPE, predicate: { bundle_id: bundleId } };
  const payload = Buffer.from(canonicalJson(statement));
  const sig = sign(null, preAuthEncoding(PAYLOAD_TYPE, payload), key);
  const envelope = { payloadType: PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid: keyId, sig: sig.toString('base64') }] };
  return { name: ENVELOPE_ENTRY, data: Buffer.from(canonicalJson(envelope)) };
}

/** The bundle id: SHA-256 of the sorted subject list of the content entries (all but bundle.json and the envelope). */
export function bundleIdOf(files: ZipFile[]): string {
  return sha256(canonicalJson([...files].sort(byName).map((f) => ({ name: f.name, digest: { sha256: sha256(f.data) } }))));
}

export type Signer = { key: KeyObject; keyId: string; name: string; org: string; role: 'evaluator' | 'supervisor' };

export function signerOf(ws: Workspace): Signer {
  const id = ws.requireIdentity();
  return { key: ws.requireUnlocked().signingKey, keyId: id.key_id, name: id.name, org: id.org, role: id.role };
}

/**
 * The content entries of a bundle of every record `signer` authored in `ws`
 * (optionally only some types), its full audit chain (bodies of events of
 * exported records, body hashes of the rest), the attachments' bytes and
 * `forwarded` bundles verbatim. Returns entries without bundle.json.
 */
export function contentFromWorkspace(ws: Workspace, opts: { types?: StorableType[]; forwarded?: Buffer[] } = {}): { files: ZipFile[]; newest: string; engagementId: string } {
  const author = ws.requireIdentity().key_id;
  const rows = ws.db.prepare('SELECT id, type, body, updated_at FROM records WHERE author = ? ORDER BY id').all(author) as { id: string; type: StorableType; body: string; updated_at: string }[];
  const chosen = rows.filter((r) => !opts.types || opts.types.includes(r.type));
  const files: ZipFile[] = [];
  let newest = '';
  let engagementId = '';
  for (const r of chosen) {
    files.push({ name: recordEntry(r.type, r.id), data: Buffer.from(r.body) });
    if (r.updated_at > newest) newest = r.updated_at;
    if (r.type === 'engagement') engagementId = r.id;
    if (r.type === 'attachment') {
      const sha = (JSON.parse(r.body) as { sha256: string }).sha256;
      files.push({ name: `attachments/${sha}`, data: readFileSync(join(ws.blobDir, sha.slice(0, 2), sha.slice(2))) });
    }
  }
  const exported = new Set(chosen.map((r) => r.id));
  const events = ws.db.prepare('SELECT seq, record_id, body, body_hash, chain_hash FROM audit_events ORDER BY seq').all() as {
    seq: number;
    record_id: string;
    body: string;
    body_hash: string;
    chain_hash: string;
  }[];
  const audit = events
    .map((e) => canonicalJson(exported.has(e.record_id) ? { seq: e.seq, body: JSON.parse(e.body) as unknown, chain_hash: e.chain_hash } : { seq: e.seq, body_hash: e.body_hash, chain_hash: e.chain_hash }) + '\n')
    .join('');
  files.push({ name: AUDIT_ENTRY, data: Buffer.from(audit) });
  for (const b of opts.forwarded ?? []) files.push({ name: `forwarded/${sha256(b)}.evb`, data: b });
  return { files, newest, engagementId };
}

export function manifestFor(files: ZipFile[], signer: Signer, newest: string, engagementId: string): BundleManifest {
  const records: Record<string, number> = {};
  for (const f of files) {
    const [top, folder, file] = f.name.split('/');
    if (top === 'records' && file) records[folder!] = (records[folder!] ?? 0) + 1;
  }
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    id: bundleIdOf(files),
    created_at: newest,
    created_by: { name: signer.name, org: signer.org, role: signer.role, key_id: signer.keyId },
    handling: { tlp: 'AMBER' },
    app_version: '0.0.0-test',
    counts: {
      records,
      attachments: files.filter((f) => f.name.startsWith('attachments/')).length,
      forwarded: files.filter((f) => f.name.startsWith('forwarded/')).length,
    },
    selection: { engagement_id: engagementId, findings: null, include_thresholds: false },
    confirmed_credential_warnings: 0,
  };
}

/** A whole signed bundle: content entries + bundle.json, signed, in the canonical ZIP. */
export function buildBundle(files: ZipFile[], signer: Signer, manifest: BundleManifest): Buffer {
  const withManifest = [...files, { name: MANIFEST_ENTRY, data: Buffer.from(canonicalJson(manifest)) }];
  const envelope = signStatement(withManifest, signer.key, signer.keyId);
  return canonicalZip([...withManifest, envelope].sort(byName));
}

export { recordFolders };
