/**
 * Writes a signed bundle (`*.evb`, DESIGN.md "Signed bundle format v1").
 *
 * Decisions where DESIGN.md and shared/domain/bundle.ts leave room (also in the
 * README's bundle section; the verifier relies on them):
 *
 * 1. Bundle id = lowercase hex SHA-256 of the canonical JSON of the sorted
 *    subjects of the *content* entries: every entry except bundle.json (which
 *    holds the id) and bundle.dsse.json. The statement's subjects are every entry
 *    except bundle.dsse.json (bundle.json included, so it is signed), and its
 *    predicate.bundle_id repeats the id.
 * 2. Every JSON entry (bundle.json, records, the envelope) is RFC 8785 canonical
 *    JSON with no trailing newline; a record file is the record's stored body,
 *    byte for byte (its SHA-256 is the record hash in the audit chain).
 *    The statement payload is the canonical JSON of the statement.
 * 3. records/audit.jsonl holds the workspace's whole chain in seq order, one
 *    canonical JSON object per line, each line ending in "\n":
 *    {"body":{…},"chain_hash":…,"seq":N} for events of exported records (any
 *    revision, and the credential confirmations), {"body_hash":…,"chain_hash":…,
 *    "seq":N} for the rest. hash_0 is 32 zero bytes.
 * 4. ZIP form: see zipWriter.ts (stored only, fixed fields, no ZIP64).
 * 5. created_at = the newest updated_at among the exported record files,
 *    tombstones included. A selection with no record is refused.
 * 6. Selection (only the signer's records; anything by another key is skipped):
 *    the engagement if the signer wrote it; all the signer's findings of it (with
 *    tombstones) or exactly the live ones named; what live exported findings cite
 *    (attachments and their bytes, runs, samples via sample_record_id); a run
 *    always travels with its results, a sample with its run; notes: in a
 *    whole-engagement export every note of the signer in the engagement (a live
 *    note on a run or sample brings that run or sample along), with named
 *    findings only the notes on exported findings, runs and samples; thresholds
 *    (with tombstones) only with include_thresholds; a supervisor's reviews and
 *    determinations (with tombstones) in a whole-engagement export, and with
 *    named findings the reviews of those findings. A cited record that was
 *    deleted travels as its tombstone.
 * 7. Credential warnings: an exported live run with credential_warnings blocks
 *    the export unless confirmed. A confirmation appends one audit event per run
 *    and revision (action "confirm", entity "run", the run's current revision and
 *    record hash); exporting the same selection again adds none, so it stays
 *    byte-identical. bundle.json's confirmed_credential_warnings = the number of
 *    warnings on the exported runs (0 without any).
 * 8. Forwarded bundles: forwarded/<sha256 of the file>.evb, the file verbatim.
 * 9. Key statements (issue 7): keys/<old key id>.dsse.json, verbatim, for every
 *    link of the signer's chain and every re-assignment the chain issued
 *    (successionStore.statementsForBundle). The selection's records are those
 *    of every key of the signer's chain.
 */
import { createHash, hash, randomBytes, type KeyObject } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { canonicalJson } from '../../shared/canonical';
import {
  AUDIT_ENTRY,
  BUNDLE_EXTENSION,
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  ENVELOPE_ENTRY,
  MANIFEST_ENTRY,
  attachmentEntry,
  forwardedEntry,
  recordEntry,
  type BundleManifest,
  type ExportPreview,
  type Subject,
} from '../../shared/domain/bundle';
import type { Engagement } from '../../shared/domain/engagement';
import type { Identity } from '../../shared/domain/identity';
import { recordFolders, type StorableType } from '../../shared/domain/records';
import { AppError } from '../../shared/result';
import { auditAppender } from '../audit/auditChain';
import type { BlobStore } from '../blobs/blobStore';
import type { Db } from '../db/open';
import { bundleIdOf, envelopeBytes, makeStatement, signEnvelope, statementPayload } from './dsse';
import { chainOf, statementsForBundle } from '../identity/successionStore';
import type { TrustLookup } from '../services/keys';
import { verifyBundleFile } from './verifyBundle';
import { layOut, ZipWriter, type LaidOutEntries } from './zipWriter';
import { fsyncPath } from '../files/durable';

export type ExportRequest = {
  engagementId: string;
  /** null: every finding of the signer in the engagement. */
  findings: string[] | null;
  includeThresholds: boolean;
  /** Paths of other signers' bundles to carry verbatim. */
  forward: string[];
  confirmCredentials: boolean;
};

export type CredentialFlag = ExportPreview['credential_warnings'][number];

type Row = { id: string; type: StorableType; author: string; updated_at: string; deleted: 0 | 1; body: string; hash: string; parent_id: string | null };

/** What the signer's selection holds, before anything is written. */
export type Selection = {
  engagement: Engagement;
  records: Row[];
  /** Live attachments' bytes to carry, by SHA-256 (each once). */
  attachmentShas: string[];
  credentialWarnings: CredentialFlag[];
};

const COLUMNS = 'id, type, author, updated_at, deleted, body, hash, parent_id';

// #region selection

/** Applies the selection rules (decision 6) to the signer's records. */
export function selectForExport(db: Db, signer: string, req: Pick<ExportRequest, 'engagementId' | 'findings' | 'includeThresholds'>): Selection {
  return beginSelection(db, signer, req).finish();
}

/**
 * The selection in two steps: the findings and the attachments they cite
 * first (the export starts streaming those bytes at once), then, in
 * finish(), everything else (notes, runs, samples, reviews, credential
 * warnings), while the attachments stream.
 */
export function beginSelection(db: Db, signer: string, req: Pick<ExportRequest, 'engagementId' | 'findings' | 'includeThresholds'>): { attachmentShas: string[]; finish(): Selection } {
  const engagementRow = db.prepare(`SELECT ${COLUMNS} FROM records WHERE id = ? AND type = 'engagement' AND deleted = 0`).get(req.engagementId) as Row | undefined;
  if (!engagementRow) throw new AppError('NOT_FOUND', `There is no engagement with id ${req.engagementId}.`);
  // The signer's records are those of every key of its chain (rotations, re-assignments: migration 0090).
  const authors = chainOf(db, signer);
  const byId = db.prepare(`SELECT ${COLUMNS} FROM records WHERE id = ?`);
  const children = db.prepare(`SELECT ${COLUMNS} FROM records WHERE parent_id = ? AND type = ? AND author = ? ORDER BY id`);
  const own = (id: string, type: StorableType) => {
    const row = byId.get(id) as Row | undefined;
    return row?.type === type && authors.includes(row.author) ? row : undefined;
  };
  const childrenOf = (parent: string, type: StorableType) =>
    authors.length === 1 ? (children.all(parent, type, signer) as Row[]) : authors.flatMap((a) => children.all(parent, type, a) as Row[]).sort((x, y) => (x.id < y.id ? -1 : 1));

  const chosen = new Map<string, Row>();
  const add = (row: Row) => chosen.set(row.id, row);
  const addRun = (id: string) => {
    const run = own(id, 'run');
    if (!run || chosen.has(id)) return;
    add(run);
    for (const result of childrenOf(id, 'result')) add(result);
  };
  const addSample = (id: string) => {
    const sample = own(id, 'sample');
    if (!sample || chosen.has(id)) return;
    add(sample);
    addRun((JSON.parse(sample.body) as { run_id: string }).run_id);
  };

  if (authors.includes(engagementRow.author)) add(engagementRow);

  const whole = req.findings === null;
  const findings = whole
    ? childrenOf(req.engagementId, 'finding')
    : [...new Set(req.findings)].map((id) => {
        const row = own(id, 'finding');
        if (!row || row.deleted || row.parent_id !== req.engagementId) {
          throw new AppError('INVALID_INPUT', `Finding ${id} is not one of your findings in this engagement; only your own findings can be exported.`);
        }
        return row;
      });
  const attachmentShas = new Set<string>();
  const evidence: EvidenceRef[] = [];
  for (const finding of findings) {
    add(finding);
    if (finding.deleted) continue;
    for (const e of (JSON.parse(finding.body) as { evidence: EvidenceRef[] }).evidence) {
      if (e.kind !== 'attachment') {
        evidence.push(e);
        continue;
      }
      const a = own(e.attachment_id, 'attachment');
      if (!a) continue;
      add(a);
      if (!a.deleted) attachmentShas.add((JSON.parse(a.body) as { sha256: string }).sha256);
    }
  }
  const finish = (): Selection => {
    for (const e of evidence) {
      if (e.kind === 'run') addRun(e.run_id);
      else if (e.kind === 'sample' && e.sample_record_id) addSample(e.sample_record_id);
    }

    // Notes after evidence: with named findings, a note goes along when its target does.
    for (const note of childrenOf(req.engagementId, 'note')) {
      const on = (JSON.parse(note.body) as { on: { type: string; id: string } }).on;
      if (whole) {
        add(note);
        if (note.deleted) continue;
        if (on.type === 'run') addRun(on.id);
        else if (on.type === 'sample') addSample(on.id);
      } else if (on.type !== 'engagement' && chosen.has(on.id)) add(note);
    }

    if (req.includeThresholds) for (const t of childrenOf(req.engagementId, 'threshold')) add(t);

    // A supervisor's work goes back to the evaluators and on to the clearinghouse in the same bundle.
    for (const review of childrenOf(req.engagementId, 'review')) {
      if (whole || chosen.has((JSON.parse(review.body) as { finding_id: string }).finding_id)) add(review);
    }
    if (whole) for (const d of childrenOf(req.engagementId, 'determination')) add(d);

    const credentialWarnings: CredentialFlag[] = [];
    for (const row of chosen.values()) {
      if (row.type !== 'run' || row.deleted) continue;
      for (const w of (JSON.parse(row.body) as { credential_warnings: Omit<CredentialFlag, 'run_id'>[] }).credential_warnings) {
        credentialWarnings.push({ run_id: row.id, kind: w.kind, where: w.where, preview: w.preview });
      }
    }
    const records = [...chosen.values()];
    if (records.length === 0) {
      throw new AppError('INVALID_INPUT', 'There is nothing of yours to export in this engagement: write a finding or a note first.');
    }
    return {
      engagement: JSON.parse(engagementRow.body) as Engagement,
      records,
      attachmentShas: [...attachmentShas].sort(),
      credentialWarnings: credentialWarnings.sort((a, b) => (a.run_id + a.where < b.run_id + b.where ? -1 : 1)),
    };
  };
  return { attachmentShas: [...attachmentShas].sort(), finish };
}

type EvidenceRef =
  | { kind: 'attachment'; attachment_id: string }
  | { kind: 'run'; run_id: string }
  | { kind: 'sample'; sample_record_id?: string };

export function countsOf(selection: Selection, forwarded: number): BundleManifest['counts'] {
  const records: Record<string, number> = {};
  for (const folder of Object.values(recordFolders)) records[folder] = 0;
  for (const r of selection.records) records[recordFolders[r.type]] = (records[recordFolders[r.type]] ?? 0) + 1;
  return { records, attachments: selection.attachmentShas.length, forwarded };
}

/**
 * Records the signer's confirmation to export credential-shaped strings: one
 * audit event per warned run at its current revision, never twice (decision 7).
 */
export function confirmCredentials(db: Db, signer: string, now: string, selection: Selection): void {
  const runs = selection.records.filter((r) => r.type === 'run' && !r.deleted && selection.credentialWarnings.some((w) => w.run_id === r.id));
  const events = db.prepare('SELECT body FROM audit_events WHERE record_id = ?').pluck();
  db.transaction(() => {
    const audit = auditAppender(db);
    for (const run of runs) {
      const revision = (JSON.parse(run.body) as { revision: number }).revision;
      const done = (events.all(run.id) as string[]).some((b) => {
        const e = JSON.parse(b) as { action: string; revision: number };
        return e.action === 'confirm' && e.revision === revision;
      });
      if (!done) audit.append({ at: now, actor: signer, action: 'confirm', entity: 'run', id: run.id, revision, record_hash: run.hash });
    }
  }).immediate();
}

// #endregion

// #region plan

type MemoryEntry = { name: string; data: Buffer; sha256: string };
type FileEntry = { name: string; path: string; sha256: string; size: number };
type PlannedEntry = MemoryEntry | FileEntry;

/** Every entry but the envelope, with its digest, the manifest, and the statement to sign over them. */
export type BundlePlan = {
  id: string;
  manifest: BundleManifest;
  entries: PlannedEntry[];
  /** The statement payload (canonical JSON) the envelope signs. */
  statement: Buffer;
  suggestedName: string;
};

export type PlanInput = {
  db: Db;
  identity: Identity;
  appVersion: string;
  selection: Selection;
  /** The selection's attachments (attachmentFiles), which may already be streaming. */
  attachments: FileEntry[];
  request: Pick<ExportRequest, 'engagementId' | 'findings' | 'includeThresholds' | 'confirmCredentials'>;
  /** Forwarded bundles, already hashed. */
  forwarded: { path: string; sha256: string; size: number }[];
};

// One-shot hashing: a bundle may hold 10,000 small records, and a Hash object per record costs more than the hashing.
const memory = (name: string, data: Buffer): MemoryEntry => ({ name, data, sha256: hash('sha256', data, 'hex') });

/** Records (and audit lines) handled between two turns of the event loop while planning. */
const PLAN_SLICE = 256;

/**
 * The selection's attachment bytes as entries, in name order: they sort before
 * every other entry, and their digests are known (content addresses), so the
 * export streams them while the rest of the plan is made.
 */
export function attachmentFiles(attachmentShas: readonly string[], blobs: BlobStore): FileEntry[] {
  return attachmentShas.map((sha) => {
    const path = blobs.path(sha);
    let size: number;
    try {
      size = blobs.sizeSync(sha);
    } catch {
      throw new AppError('NOT_FOUND', `The bytes of attachment ${sha.slice(0, 12)}… are not in this workspace; attach the file again.`);
    }
    // A sealed blob (encrypted workspace) is read through the store, which decrypts in memory.
    return { name: attachmentEntry(sha), path, sha256: sha, size, ...(blobs.encrypted ? { open: () => blobs.openReader(sha) } : {}) };
  });
}

/**
 * Record files, the audit chain and the manifest, with every digest. It gives
 * the event loop a turn every PLAN_SLICE records, so an export's attachment
 * stream (and the app) keeps moving while 10,000 records are hashed.
 */
export async function planBundle(p: PlanInput): Promise<BundlePlan> {
  const { selection } = p;
  // Read in one step, before the first turn: the selection and the chain stay one snapshot.
  const auditRows = auditRowsOf(p.db);
  // The signer's chain of keys, so peers who trust an earlier key follow it (keyChain.ts).
  const content: PlannedEntry[] = [...p.attachments, ...statementsForBundle(p.db, p.identity.key_id).map((k) => memory(k.name, k.data))];
  let createdAt = '';
  for (const [i, r] of selection.records.entries()) {
    if (i % PLAN_SLICE === PLAN_SLICE - 1) await nextTurn();
    content.push(memory(recordEntry(r.type, r.id), Buffer.from(r.body, 'utf8')));
    if (r.updated_at > createdAt) createdAt = r.updated_at;
  }
  content.push(memory(AUDIT_ENTRY, await auditLines(auditRows, new Set(selection.records.map((r) => r.id)))));
  for (const f of p.forwarded) content.push({ name: forwardedEntry(f.sha256), path: f.path, sha256: f.sha256, size: f.size });

  const subjects: Subject[] = content.map((e) => ({ digest: { sha256: e.sha256 }, name: e.name }));
  const id = bundleIdOf(subjects);
  const { name, org, role, key_id } = p.identity;
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    id,
    created_at: createdAt,
    created_by: { name, org, role, key_id },
    handling: selection.engagement.handling,
    app_version: p.appVersion,
    counts: countsOf(selection, new Set(p.forwarded.map((f) => f.sha256)).size),
    selection: { engagement_id: p.request.engagementId, findings: p.request.findings ? [...new Set(p.request.findings)].sort() : null, include_thresholds: p.request.includeThresholds },
    confirmed_credential_warnings: p.request.confirmCredentials ? selection.credentialWarnings.length : 0,
  };
  const entries = dedupe([...content, memory(MANIFEST_ENTRY, Buffer.from(canonicalJson(manifest), 'utf8'))]);
  await nextTurn();
  const statement = statementPayload(makeStatement(entries.map((e) => ({ digest: { sha256: e.sha256 }, name: e.name })), id));
  return { id, manifest, entries, statement, suggestedName: suggestedName(selection.engagement, p.identity.name, createdAt, id) };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The same forwarded bundle given twice is carried once. */
function dedupe(entries: PlannedEntry[]): PlannedEntry[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

type AuditRow = [seq: number, recordId: string, body: string, bodyHash: string, chainHash: string];

function auditRowsOf(db: Db): AuditRow[] {
  return db.prepare('SELECT seq, record_id, body, body_hash, chain_hash FROM audit_events ORDER BY seq').raw().all() as AuditRow[];
}

/** The whole chain, bodies of exported records in full, the rest as body hashes (decision 3). */
async function auditLines(rows: AuditRow[], exported: Set<string>): Promise<Buffer> {
  // The stored body is canonical JSON already, and these keys are in canonical order.
  let text = '';
  for (const [i, [seq, recordId, body, bodyHash, chainHash]] of rows.entries()) {
    if (i % PLAN_SLICE === PLAN_SLICE - 1) await nextTurn();
    text += exported.has(recordId) ? `{"body":${body},"chain_hash":"${chainHash}","seq":${seq}}\n` : `{"body_hash":"${bodyHash}","chain_hash":"${chainHash}","seq":${seq}}\n`;
  }
  return Buffer.from(text, 'utf8');
}

/** `orion-2-rc3_ada-lovelace_2026-03-12_1a2b3c4d.evb` */
export function suggestedName(engagement: Engagement, signerName: string, createdAt: string, id: string): string {
  const slug = (s: string) =>
    s
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'x';
  return `${slug(`${engagement.model} ${engagement.model_version}`)}_${slug(signerName)}_${createdAt.slice(0, 10)}_${id.slice(0, 8)}${BUNDLE_EXTENSION}`;
}

// #endregion

// #region forwarded

/**
 * A bundle to forward: verified first (signature by a trusted key, every
 * digest), since the supervisor's ingest checks it again and a bad one would
 * spoil the whole bundle; then hashed (one pass, 1 MiB reads).
 */
export async function inspectForwarded(path: string, trust: TrustLookup): Promise<{ path: string; sha256: string; size: number }> {
  const report = await verifyBundleFile(path, { trust });
  if (!report.valid) throw new AppError('INVALID_INPUT', `${report.reason ?? `${basename(path)} did not verify.`} It cannot be forwarded.`);
  if (report.forwarded.length > 0) {
    throw new AppError('INVALID_INPUT', `${basename(path)} already forwards other bundles; forward those originals instead (bundles nest one level only).`);
  }
  const handle = await open(path, 'r');
  try {
    const digest = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1 << 20);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, size);
      if (bytesRead === 0) break;
      digest.update(chunk.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { path, sha256: digest.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

// #endregion

// #region write

export type WriteProgress = { signal?: AbortSignal; onProgress?: (done: number, total: number) => void };

/**
 * Writes the bundle to a temp file beside `target`, fsyncs it and renames it
 * into place; on any failure or cancel nothing is left behind. The attachments
 * (the first entries by name) start streaming at once, while `planning` hashes
 * the records and the rest is signed and laid out (laterEntries); then the
 * rest is written. Returns the archive's size.
 */
export async function writeBundle(
  attachments: readonly FileEntry[],
  planning: Promise<BundlePlan>,
  signingKey: KeyObject,
  keyId: string,
  target: string,
  progress: WriteProgress = {},
): Promise<number> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  const zip = await ZipWriter.create(temp);
  // Stops the attachment stream if the plan fails, as well as on the user's cancel.
  const stop = new AbortController();
  const cancel = () => stop.abort();
  progress.signal?.addEventListener('abort', cancel);
  try {
    let total = attachments.reduce((n, f) => n + f.size, 0);
    const streaming = writeFiles(zip, attachments, stop.signal, (n) => progress.onProgress?.(n, total));
    const later = planning.then((plan) => laterEntries(plan, attachments, signingKey, keyId));
    let runs: LaterRun[];
    try {
      [, runs] = await Promise.all([streaming, later]);
    } catch (error) {
      stop.abort();
      await streaming.catch(() => {});
      throw error;
    }
    let done = total;
    total += runs.reduce((n, run) => n + run.bytes, 0);
    for (const run of runs) {
      if (stop.signal.aborted) throw new AppError('CANCELLED', 'The export was cancelled; no file was written.');
      if (run.kind === 'memory') {
        for (const part of run.parts) await zip.addLaidOut(part);
        done += run.bytes;
      } else {
        const base = done;
        done += await writeFiles(zip, run.files, stop.signal, (n) => progress.onProgress?.(base + n, total));
      }
      progress.onProgress?.(done, total);
    }
    const bytes = await zip.finish();
    await rename(temp, target);
    await fsyncPath(dirname(target));
    return bytes;
  } catch (error) {
    await zip.close();
    await rm(temp, { force: true });
    if (progress.signal?.aborted) throw new AppError('CANCELLED', 'The export was cancelled; no file was written.');
    throw error;
  } finally {
    progress.signal?.removeEventListener('abort', cancel);
  }
}

/** What follows the attachments, in name order: runs of in-memory entries, laid out, and runs of files (forwarded bundles). */
type LaterRun = { kind: 'memory'; parts: LaidOutEntries[]; bytes: number } | { kind: 'files'; files: FileEntry[]; bytes: number };

/**
 * Signs the plan and lays out everything after the attachments, a slice at a
 * time with turns of the event loop between, so the attachment stream running
 * meanwhile is never held up for long.
 */
async function laterEntries(plan: BundlePlan, attachments: readonly FileEntry[], signingKey: KeyObject, keyId: string): Promise<LaterRun[]> {
  const envelope = envelopeBytes(signEnvelope(plan.statement, signingKey, keyId));
  const streamed = new Set(attachments.map((f) => f.name));
  // The zip writer refuses a name out of order, so the attachments must have been the first entries.
  const entries = [...plan.entries.filter((e) => !streamed.has(e.name)), memory(ENVELOPE_ENTRY, envelope)].sort((a, b) => (a.name < b.name ? -1 : 1));
  const runs: LaterRun[] = [];
  for (let i = 0; i < entries.length; ) {
    if ('data' in entries[i]!) {
      const run: MemoryEntry[] = [];
      for (let m = entries[i]; m && 'data' in m; m = entries[++i]) run.push(m);
      const parts: LaidOutEntries[] = [];
      for (let at = 0; at < run.length; at += PLAN_SLICE) {
        await nextTurn();
        parts.push(layOut(run.slice(at, at + PLAN_SLICE)));
      }
      runs.push({ kind: 'memory', parts, bytes: run.reduce((n, m) => n + m.data.length, 0) });
    } else {
      // A run of files streams as one: reads run ahead across files.
      const files: FileEntry[] = [];
      for (let f = entries[i]; f && !('data' in f); f = entries[++i]) files.push(f);
      runs.push({ kind: 'files', files, bytes: files.reduce((n, f) => n + f.size, 0) });
    }
  }
  return runs;
}

/** Streams files into the ZIP and checks each one's bytes against its digest; returns the bytes written. */
async function writeFiles(zip: ZipWriter, files: readonly FileEntry[], signal: AbortSignal, onBytes: (n: number) => void): Promise<number> {
  if (files.length === 0) return 0;
  const written = await zip.addFiles(files, { signal, onBytes });
  for (const [k, w] of written.entries()) {
    if (w.sha256 !== files[k]!.sha256) {
      throw new AppError('WORKSPACE_DAMAGED', `The bytes of ${w.name} do not match their SHA-256 (they changed or are damaged); nothing was exported.`);
    }
  }
  return written.reduce((n, w) => n + w.size, 0);
}

// #endregion
