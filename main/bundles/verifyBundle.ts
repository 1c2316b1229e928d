/**
 * Verifies a signed bundle (DESIGN.md "Signed bundle format v1") in the
 * design's order, and answers with the first reason it is not valid:
 *
 * 1. the ZIP layout, before anything inside is parsed (canonicalZip.ts: limits,
 *    names, links, duplicates, canonical form);
 * 2. one streaming pass over every entry: CRC-32 and SHA-256 of the real bytes
 *    (sequential reads of 4 MiB; for large bundles on worker threads that read
 *    the file themselves: digestPass.ts). Meanwhile the small entries (envelope, manifest, records,
 *    audit chain, up to KEPT_BYTES each) are read on their own and checked
 *    (checkEarly); what they show is raised in its turn below, and only if the
 *    bytes checked are the bytes the pass hashed;
 * 3. the DSSE envelope and its Ed25519 signature by a trusted key, or by a key
 *    trusted through the key statements under keys/ (rotations, re-assignments;
 *    keyChain.ts, read before the pass and judged after it);
 * 4. the statement: every entry's digest, nothing missing, nothing extra;
 * 5. bundle.json, every record against its schema (author = a key of the
 *    signer's chain), the audit
 *    chain in records/audit.jsonl (every exported record's current revision has
 *    its event), attachments and forwarded bundles by content address;
 * 6. forwarded bundles, each verified the same way (depth 1 only).
 *
 * Entries read again in step 5 are hashed again and compared with the signed
 * digest, so a file changed during verification cannot slip in.
 */
import { createHash, verify as verifySignature } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { canonicalJson } from '../../shared/canonical';
import { AuditEventBody } from '../../shared/domain/audit';
import {
  AUDIT_ENTRY,
  AuditLine,
  BundleManifest,
  DsseEnvelope,
  ENTRY_NAME,
  ENVELOPE_ENTRY,
  MANIFEST_ENTRY,
  PAYLOAD_TYPE,
  preAuthEncoding,
  Statement,
  type VerifyReport,
} from '../../shared/domain/bundle';
import { fingerprintOf } from '../../shared/domain/identity';
import { Sha256Hex } from '../../shared/domain/ids';
import { AppError } from '../../shared/result';
import { recordFolders, recordSchemas } from '../../shared/domain/records';
import type { RecordType } from '../../shared/domain/record';
import { linkHash, sha256Hex } from '../audit/auditChain';
import type { TrustLookup } from '../services/keys';
import { BundleRefused, ENTRY_CHUNK_BYTES, entryChunks, fileSource, readCanonicalZip, readInto, sliceSource, type BundleEntry, type ByteSource } from './canonicalZip';
import { DigestPass, type DigestOptions } from './digestPass';
import { keyChainOf, readKeyStatements, type AppliedSuccession } from './keyChain';

export type VerifyOptions = {
  trust: TrustLookup;
  /** Bytes hashed so far, of the total to hash (forwarded bundles count again). */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Called for every bundle found valid (each forwarded one, then the outer
   * one) with its entries and their verified SHA-256, while `src` is still
   * readable: ingest reads the records from there (and hashes them again).
   */
  onVerified?: (bundle: VerifiedBundle) => void;
  /** How the digest pass runs (tests lower the size from which it uses worker threads). */
  digest?: DigestOptions;
};

export type HashedEntry = BundleEntry & { sha256: string };
/** `successions`: the key statements the bundle established (keyChain.ts), for an ingest to store. */
export type VerifiedBundle = { report: VerifyReport; src: ByteSource; label: string; depth: number; entries: HashedEntry[]; successions: AppliedSuccession[] };

/** Small JSON entries are read whole; these caps keep a hostile bundle from filling memory. */
const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const MAX_AUDIT_BYTES = 256 * 1024 * 1024;

const folderType = new Map<string, RecordType>(Object.entries(recordFolders).map(([type, folder]) => [folder, type as RecordType]));

export async function verifyBundleFile(path: string, opts: VerifyOptions): Promise<VerifyReport> {
  const label = basename(path);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return emptyReport(`${label} cannot be read (${code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a folder' : 'access denied'}).`);
  }
  try {
    const size = (await handle.stat()).size;
    return await verifySource(fileSource(handle, size), label, opts, 0);
  } finally {
    await handle.close();
  }
}

function emptyReport(reason: string | null): VerifyReport {
  return { valid: reason === null, reason, id: null, signer: null, handling: null, counts: null, created_at: null, forwarded: [] };
}

/** Verifies the bundle in `src`; depth 1 is a forwarded bundle, which may not forward again. */
export async function verifySource(src: ByteSource, label: string, opts: VerifyOptions, depth: number): Promise<VerifyReport> {
  const report = emptyReport(null);
  // The digest pass's threads start now, while the layout is read.
  const pass = new DigestPass(src, opts.digest);
  try {
    const { entries, successions } = await check(src, label, opts, depth, report, pass);
    report.valid = true;
    opts.onVerified?.({ report, src, label, depth, entries, successions });
    return report;
  } catch (error) {
    if (!(error instanceof BundleRefused)) throw error;
    report.valid = false;
    report.reason = error.message;
    return report;
  } finally {
    await pass.close();
  }
}

type Hashed = HashedEntry;

async function check(src: ByteSource, label: string, opts: VerifyOptions, depth: number, report: VerifyReport, pass: DigestPass): Promise<{ entries: Hashed[]; successions: AppliedSuccession[] }> {
  const refuse = (what: string): never => {
    throw new BundleRefused(`${label} ${what}`);
  };

  // 1. Layout.
  const entries = await readCanonicalZip(src, label, (name) => ENTRY_NAME.test(name));
  // Key statements (rotations, re-assignments) under keys/: read first, since the signer's trust may rest on them.
  const keyChain = keyChainOf(label, opts.trust, await readKeyStatements(src, label, entries));

  // 2. CRC-32 and SHA-256 of every entry, in one pass over the real bytes.
  const total = entries.reduce((n, e) => n + e.size, 0);
  let done = 0;
  const hashed = new Map<string, Hashed>();
  // Meanwhile the small entries are checked on their own (checkEarly); what they
  // say counts only once the signature and digests below have been checked, and
  // a refusal among them is raised in its turn.
  const early = checkEarly(src, label, entries, keyChain.lookup, keyChain.authorsOf);
  early.catch(() => {}); // awaited below, unless the pass fails first
  const digests = await pass.digest(label, entries, (bytes) => {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Verification was cancelled.');
    done += bytes;
    opts.onProgress?.(done, total);
  });
  for (const [i, entry] of entries.entries()) hashed.set(entry.name, { ...entry, sha256: digests[i]! });
  const { records: checkedRecords, envelope: earlyEnvelope, manifest: earlyManifest, audit: earlyAudit } = await early;
  keyChain.check(hashed);

  // 3. The envelope and its signature; 4. the statement it signs (checked early when small).
  const envelopeEntry = hashed.get(ENVELOPE_ENTRY) ?? refuse(`is not signed: it has no ${ENVELOPE_ENTRY}.`);
  const signed = earlyOutcome(earlyEnvelope, envelopeEntry, label) ?? checkEnvelope(label, await readWhole(src, label, envelopeEntry, MAX_ENVELOPE_BYTES), keyChain.lookup);
  report.signer = signed.signer;
  if (signed.result instanceof BundleRefused) throw signed.result;
  const { keyId, trust, statement, bundleId } = signed.result;
  const signer = signed.signer!;
  let previous = '';
  for (const s of statement.subject) {
    if (s.name <= previous) refuse('has a signed statement whose subjects are not sorted by name without repeats.');
    previous = s.name;
    const entry = hashed.get(s.name) ?? refuse(`is missing ${JSON.stringify(s.name)}, which its signed statement lists.`);
    if (s.name === ENVELOPE_ENTRY) refuse('has a statement that lists its own envelope.');
    if (entry.sha256 !== s.digest.sha256) refuse(`has an entry (${JSON.stringify(s.name)}) that does not match its signed digest.`);
  }
  const listed = new Set(statement.subject.map((s) => s.name));
  for (const e of entries) if (e.name !== ENVELOPE_ENTRY && !listed.has(e.name)) refuse(`holds an entry its signed statement does not list (${JSON.stringify(e.name)}).`);
  if (statement.predicate.bundle_id !== bundleId) refuse('has a statement whose bundle id is not the hash of its subject list.');

  // 5. Content: the signer's key chain, manifest, records, audit chain, attachments, forwarded bundles.
  const signerChain = keyChain.forSigner(keyId);
  const manifestEntry = hashed.get(MANIFEST_ENTRY) ?? refuse(`has no ${MANIFEST_ENTRY}.`);
  const manifestBytes = earlyOutcome(earlyManifest, manifestEntry, label) ?? (await readWhole(src, label, manifestEntry, MAX_MANIFEST_BYTES));
  const manifest = parseJson(manifestBytes, BundleManifest, `${label}: its ${MANIFEST_ENTRY} does not match the bundle format`);
  if (manifest.id !== bundleId) refuse(`has a ${MANIFEST_ENTRY} whose id is not the signed bundle id.`);
  if (manifest.created_by.key_id !== keyId) refuse(`has a ${MANIFEST_ENTRY} naming another signer than the one who signed it.`);
  report.id = bundleId;
  report.signer = { ...signer, name: manifest.created_by.name, org: manifest.created_by.org, role: trust.role ?? manifest.created_by.role };
  if (trust.role && trust.role !== manifest.created_by.role) {
    refuse(`says its signer is ${a(manifest.created_by.role)}, but the key is trusted as ${a(trust.role)}.`);
  }
  report.handling = manifest.handling;
  report.created_at = manifest.created_at;

  const counts = { records: {} as Record<string, number>, attachments: 0, forwarded: 0 };
  const current = new Map<string, { revision: number; hash: string; name: string }>();
  const attachmentShas: { id: string; sha256: string }[] = [];
  let newest = '';
  for (const entry of hashed.values()) {
    const [top, folder, file] = entry.name.split('/');
    if (top === 'attachments') {
      counts.attachments += 1;
      if (file !== undefined || folder !== entry.sha256) refuse(`has an attachment (${JSON.stringify(entry.name)}) whose name is not the SHA-256 of its bytes.`);
    } else if (top === 'forwarded') {
      counts.forwarded += 1;
      if (folder !== `${entry.sha256}.evb`) refuse(`has a forwarded bundle (${JSON.stringify(entry.name)}) whose name is not the SHA-256 of its bytes.`);
    } else if (top === 'records' && file !== undefined) {
      counts.records[folder!] = (counts.records[folder!] ?? 0) + 1;
      const checked = checkedRecords.get(entry.name);
      // The bytes checked early must be the ones hashed: the file may have changed between the two reads.
      if (checked && checked.sha256 !== entry.sha256) refuse(`changed while it was being verified (${JSON.stringify(entry.name)}).`);
      const outcome = checked?.outcome ?? checkRecord(label, entry, await readWhole(src, label, entry, MAX_RECORD_BYTES));
      if (outcome instanceof BundleRefused) throw outcome;
      const record = outcome;
      if (!signerChain.authors.has(record.author)) refuse(`holds a record (${record.id}) by another author than its signer; a bundle carries only its signer's records.`);
      current.set(record.id, { revision: record.revision, hash: entry.sha256, name: entry.name });
      if (record.updated_at > newest) newest = record.updated_at;
      if (record.type === 'attachment' && !record.deleted && record.sha256) attachmentShas.push({ id: record.id, sha256: record.sha256 });
    }
  }
  // A folder with no records may be listed with 0 or left out.
  const folders = new Set([...Object.keys(manifest.counts.records), ...Object.keys(counts.records)]);
  const sameCounts =
    [...folders].every((f) => folderType.has(f) && (manifest.counts.records[f] ?? 0) === (counts.records[f] ?? 0)) &&
    manifest.counts.attachments === counts.attachments &&
    manifest.counts.forwarded === counts.forwarded;
  if (!sameCounts) refuse(`has a ${MANIFEST_ENTRY} whose counts do not match the entries it holds.`);
  report.counts = manifest.counts;
  if (current.size > 0 && manifest.created_at !== newest) refuse(`has a ${MANIFEST_ENTRY} whose created_at is not the newest updated_at of its records.`);
  for (const att of attachmentShas) {
    if (!hashed.has(`attachments/${att.sha256}`)) refuse(`is missing the bytes of attachment ${att.id}.`);
  }

  const auditEntry = hashed.get(AUDIT_ENTRY) ?? refuse(`has no ${AUDIT_ENTRY}.`);
  const audit = earlyOutcome(earlyAudit, auditEntry, label) ?? checkAuditChain(label, await readWhole(src, label, auditEntry, MAX_AUDIT_BYTES), signerChain.authors);
  if (audit instanceof BundleRefused) throw audit;
  for (const [id, rec] of current) {
    const event = audit.get(id);
    if (!event) return refuse(`holds record ${id}, which has no event in its audit chain.`);
    if (event.revision !== rec.revision || event.record_hash !== rec.hash) {
      refuse(`holds record ${id} at revision ${rec.revision}, which does not match its last audit event.`);
    }
  }

  // 6. Forwarded bundles, each on its own, with the same trust.
  for (const entry of hashed.values()) {
    if (!entry.name.startsWith('forwarded/')) continue;
    const sha = entry.sha256;
    if (depth >= 1) refuse('forwards a bundle inside a forwarded bundle; only one level of forwarding is allowed.');
    const inner = await verifySource(sliceSource(src, entry.dataOffset, entry.size), `its forwarded bundle ${sha.slice(0, 12)}…`, opts, depth + 1);
    report.forwarded.push({ sha256: sha, valid: inner.valid, reason: inner.reason, signer_key_id: inner.signer?.key_id ?? null, signer_name: inner.signer?.name ?? null });
    if (!inner.valid) throw new BundleRefused(`${label} is not valid: ${inner.reason ?? 'a forwarded bundle is not valid.'}`);
  }
  return { entries: [...hashed.values()], successions: signerChain.applied };
}

/** What the audit chain says last about each record: its revision and record hash. */
type AuditSummary = Map<string, { revision: number; record_hash: string }>;

/**
 * The signer's chain: every line in seq order from 1; full bodies are hashed,
 * withheld ones give their body hash; each chain_hash must follow from the one
 * before. Returns (rather than throws) a refusal, so a check made early can
 * raise it in its turn; the caller matches the result against the records.
 */
function checkAuditChain(label: string, bytes: Buffer, actors: ReadonlySet<string>): AuditSummary | BundleRefused {
  const refuse = (what: string): never => {
    throw new BundleRefused(`${label} ${what}`);
  };
  try {
    const text = decodeUtf8(bytes, `${label}: its ${AUDIT_ENTRY} is not an audit chain`);
    const lines = text === '' ? [] : text.endsWith('\n') ? text.slice(0, -1).split('\n') : refuse(`has an ${AUDIT_ENTRY} that does not end with a newline.`);
    let previous: string | null = null;
    const latest: AuditSummary = new Map();
    for (const [i, raw] of lines.entries()) {
      const seq = i + 1;
      const what = `${label}: line ${seq} of its ${AUDIT_ENTRY} is not an audit line`;
      const value = parseText(raw, what);
      // The line's two shapes told apart by a key, rather than by trying each: ten thousand lines add up.
      const line: z.output<typeof FULL_AUDIT_LINE> | z.output<typeof WITHHELD_AUDIT_LINE> =
        typeof value === 'object' && value !== null && 'body' in value ? checkSchema(value, FULL_AUDIT_LINE, what) : checkSchema(value, WITHHELD_AUDIT_LINE, what);
      if (line.seq !== seq) refuse(`has an audit chain that jumps from event ${seq - 1} to ${line.seq}.`);
      let bodyHash: string;
      if ('body' in line) {
        const parsed = AuditEventBody.safeParse(line.body);
        if (!parsed.success) refuse(`has audit event ${seq}, which is not a well-formed audit event.`);
        const body = parsed.data!;
        if (body.seq !== seq) refuse(`has audit event ${seq} that says it is event ${body.seq}.`);
        if (!actors.has(body.actor)) refuse(`has audit event ${seq} by another actor than its signer.`);
        // The line's own body, not the schema's copy: the same data (a strict schema, no transforms), with its keys still in canonical order.
        bodyHash = sha256Hex(canonicalJson(line.body));
        latest.set(body.id, { revision: body.revision, record_hash: body.record_hash });
      } else {
        bodyHash = line.body_hash;
      }
      const link = linkHash(previous, bodyHash);
      if (link !== line.chain_hash) refuse(`has an audit chain broken at event ${seq}: it does not follow from event ${seq - 1}.`);
      previous = link;
    }
    return latest;
  } catch (error) {
    if (error instanceof BundleRefused) return error;
    throw error;
  }
}

type SignedStatement = { keyId: string; trust: Extract<ReturnType<TrustLookup>, { status: 'trusted' }>; statement: z.output<typeof Statement>; bundleId: string };

/**
 * The envelope's signature by a trusted key and the statement it signs, parsed
 * (steps 3 and 4, before the statement is matched with the entries). Returns
 * the signer as far as it is known and the result or the refusal.
 */
function checkEnvelope(label: string, bytes: Buffer, trustLookup: TrustLookup): { signer: VerifyReport['signer']; result: SignedStatement | BundleRefused } {
  let signer: VerifyReport['signer'] = null;
  const refuse = (what: string): never => {
    throw new BundleRefused(`${label} ${what}`);
  };
  try {
    const envelope = parseJson(bytes, DsseEnvelope, `${label}: its ${ENVELOPE_ENTRY} is not a valid DSSE envelope`);
    const signature = envelope.signatures[0]!;
    const keyId = signature.keyid;
    signer = { key_id: keyId, name: '', org: '', role: 'evaluator', trusted: false, trusted_as: null };
    const trust = trustLookup(keyId);
    const fp = fingerprintOf(keyId);
    if (trust.status === 'unknown') {
      refuse(`is signed by a key that is not trusted here (${fp}): trust it with \`evalnotes keys trust\` or pass --trust.`);
    }
    if (trust.status === 'untrusted') refuse(`is signed by ${trust.name}, whose key (${fp}) was untrusted on ${trust.since.slice(0, 10)}.`);
    if (trust.status === 'lost') refuse(`is signed by ${trust.name}, whose key (${fp}) was reported lost on ${trust.since.slice(0, 10)}; bundles it signs are refused.`);
    if (trust.status !== 'trusted') return refuse('is signed by a key that is not trusted here.');
    const payload = strictBase64(envelope.payload) ?? refuse(`has a DSSE payload that is not canonical base64.`);
    const sig = strictBase64(signature.sig);
    if (!sig || sig.length !== 64 || !verifySignature(null, preAuthEncoding(PAYLOAD_TYPE, payload), trust.publicKey, sig)) {
      refuse(`has a signature that does not verify with ${trust.name}'s key: it was changed after signing.`);
    }
    signer = { ...signer, name: trust.name, trusted: true, trusted_as: trust.trustedAs, role: trust.role ?? 'evaluator' };
    const statement = parseJson(payload, Statement, `${label}: its signed statement is not an in-toto Statement v1 for an EvalNotes bundle`);
    // The id hashes the content entries' subjects: bundle.json holds the id, so it is not among them (dsse.ts).
    const bundleId = createHash('sha256').update(canonicalJson(statement.subject.filter((s) => s.name !== MANIFEST_ENTRY))).digest('hex');
    return { signer, result: { keyId, trust, statement, bundleId } };
  } catch (error) {
    if (error instanceof BundleRefused) return { signer, result: error };
    throw error;
  }
}

/** A check made early on bytes read apart from the pass, and the SHA-256 of those bytes. */
type Early<T> = { sha256: string; outcome: T };

/**
 * An early outcome for `entry`, if there is one; the bytes it checked must be
 * the ones the pass hashed (the file may have changed between the two reads).
 */
function earlyOutcome<T>(early: Early<T> | undefined, entry: Hashed, label: string): T | undefined {
  if (!early) return undefined;
  if (early.sha256 !== entry.sha256) throw new BundleRefused(`${label} changed while it was being verified (${JSON.stringify(entry.name)}).`);
  return early.outcome;
}

type CheckedRecord = { id: string; author: string; revision: number; updated_at: string; type: string; deleted: boolean; sha256?: string };

/**
 * One record entry's bytes: UTF-8 JSON, valid against its type's schema,
 * canonical, named by its id. Decoded and parsed once: the schema and the
 * canonical form are both checked on that one value. Returns the refusal
 * rather than throwing it, so a check made early can raise it in its turn.
 */
function checkRecord(label: string, entry: BundleEntry, bytes: Buffer): CheckedRecord | BundleRefused {
  const [, folder, file] = entry.name.split('/');
  const type = folderType.get(folder!)!;
  const what = `its record ${JSON.stringify(entry.name)}`;
  try {
    if (!(type in recordSchemas)) return new BundleRefused(`${label} holds ${a(type)} record, which this version of EvalNotes cannot read.`);
    const invalid = `${label}: ${what} does not match the ${type} schema`;
    const text = decodeUtf8(bytes, invalid);
    const value = parseText(text, invalid);
    const record = checkSchema(value, recordSchemas[type] as z.ZodType, invalid) as CheckedRecord;
    if (canonicalJson(value) !== text) return new BundleRefused(`${label} has ${what} not written as canonical JSON.`);
    if (`${record.id}.json` !== file) return new BundleRefused(`${label} has ${what} whose file name is not its id.`);
    // Only what the checks after the pass need: ten thousand whole records kept alive cost more in garbage collection than in parsing.
    const { id, author, revision, updated_at, deleted, sha256 } = record;
    return { id, author, revision, updated_at, type: record.type, deleted, sha256 };
  } catch (error) {
    if (error instanceof BundleRefused) return error;
    throw error;
  }
}

type EarlyChecks = {
  records: Map<string, Early<CheckedRecord | BundleRefused>>;
  envelope?: Early<ReturnType<typeof checkEnvelope>>;
  /** Only read: it is parsed in its turn. */
  manifest?: Early<Buffer>;
  audit?: Early<AuditSummary | BundleRefused>;
};

/**
 * The checks that need no digest from the pass, made while it runs (it hashes
 * on a worker thread and leaves this thread mostly idle): the envelope, its
 * signature and statement; the records; the audit chain. Each small entry is
 * read apart from the pass and its result carries the SHA-256 of the bytes it
 * checked. What they find counts only in its turn, after the pass.
 */
async function checkEarly(
  src: ByteSource,
  label: string,
  entries: readonly BundleEntry[],
  trust: TrustLookup,
  authorsOf: (keyId: string) => ReadonlySet<string>,
): Promise<EarlyChecks> {
  const out: EarlyChecks = { records: new Map() };
  const small = (name: string, max: number) => entries.find((e) => e.name === name && e.size <= Math.min(max, KEPT_BYTES));
  const read = async (entry: BundleEntry) => {
    const bytes = Buffer.allocUnsafe(entry.size);
    return (await readInto(src, bytes, entry.dataOffset)) === entry.size ? bytes : null;
  };
  const envelopeEntry = small(ENVELOPE_ENTRY, MAX_ENVELOPE_BYTES);
  const envelopeBytes = envelopeEntry && (await read(envelopeEntry));
  if (envelopeBytes) out.envelope = { sha256: sha256Hex(envelopeBytes), outcome: checkEnvelope(label, envelopeBytes, trust) };
  const manifestEntry = small(MANIFEST_ENTRY, MAX_MANIFEST_BYTES);
  const manifestBytes = manifestEntry && (await read(manifestEntry));
  if (manifestBytes) out.manifest = { sha256: sha256Hex(manifestBytes), outcome: manifestBytes };
  await nextTurn();
  out.records = await checkRecordsEarly(src, label, entries);
  const keyId = out.envelope?.outcome.signer?.key_id;
  const auditEntry = small(AUDIT_ENTRY, MAX_AUDIT_BYTES);
  const auditBytes = keyId && auditEntry && (await read(auditEntry));
  if (keyId && auditBytes) out.audit = { sha256: sha256Hex(auditBytes), outcome: checkAuditChain(label, auditBytes, authorsOf(keyId)) };
  return out;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Records checked per turn of the event loop: small enough that the hashing pass is never kept waiting long. */
const EARLY_BATCH = 32;

/**
 * Checks the small record entries while the hashing pass runs (it hashes on a
 * worker thread and leaves this thread mostly idle): their bytes are read
 * separately, in one read (they sit together at the end of the file), and each
 * result carries the SHA-256 of the bytes it checked, for the caller to match
 * against the pass. Records over the budget are left to the caller.
 */
async function checkRecordsEarly(src: ByteSource, label: string, entries: readonly BundleEntry[]): Promise<Map<string, Early<CheckedRecord | BundleRefused>>> {
  const out = new Map<string, Early<CheckedRecord | BundleRefused>>();
  const records = entries.filter((e) => e.name.startsWith('records/') && e.name !== AUDIT_ENTRY && e.name.split('/').length === 3 && e.size <= ENTRY_CHUNK_BYTES);
  const chosen: BundleEntry[] = [];
  for (const e of records) {
    if (chosen.length > 0 && e.dataOffset + e.size - chosen[0]!.dataOffset > KEPT_BYTES) break;
    chosen.push(e);
  }
  if (chosen.length === 0) return out;
  const start = chosen[0]!.dataOffset;
  const last = chosen.at(-1)!;
  const span = Buffer.allocUnsafe(last.dataOffset + last.size - start);
  if ((await readInto(src, span, start)) !== span.length) return out;
  for (const [i, e] of chosen.entries()) {
    if (i % EARLY_BATCH === 0) await nextTurn();
    const bytes = span.subarray(e.dataOffset - start, e.dataOffset - start + e.size);
    out.set(e.name, { sha256: sha256Hex(bytes), outcome: checkRecord(label, e, bytes) });
  }
  return out;
}

/** An audit line with its event in full (checked against AuditEventBody after) or with its body hash only. */
const FULL_AUDIT_LINE = z.strictObject({ seq: z.number().int().min(1), body: z.unknown(), chain_hash: Sha256Hex });
const WITHHELD_AUDIT_LINE = AuditLine.options[1];

/** Bytes of small entries checked early, in all (checkEarly). */
const KEPT_BYTES = 32 * 1024 * 1024;

/**
 * A whole small entry, read again, hashed again and compared with what the
 * pass saw (the file may have changed since).
 */
async function readWhole(src: ByteSource, label: string, entry: BundleEntry & { sha256?: string }, max: number): Promise<Buffer> {
  if (entry.size > max) throw new BundleRefused(`${label} has an entry (${JSON.stringify(entry.name)}) larger than the ${max} bytes allowed for it.`);
  const parts: Buffer[] = [];
  for await (const chunk of entryChunks(src, label, entry)) parts.push(chunk);
  const buf = Buffer.concat(parts);
  if (entry.sha256 !== undefined && createHash('sha256').update(buf).digest('hex') !== entry.sha256) {
    throw new BundleRefused(`${label} changed while it was being verified (${JSON.stringify(entry.name)}).`);
  }
  return buf;
}

function parseJson<T>(bytes: Buffer, schema: z.ZodType<T>, what: string): T {
  return checkSchema(parseText(decodeUtf8(bytes, what), what), schema, what);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BundleRefused(`${what}: it is not valid UTF-8 JSON.`);
  }
}

function parseText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BundleRefused(`${what}: it is not valid UTF-8 JSON.`);
  }
}

function checkSchema<T>(value: unknown, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw new BundleRefused(`${what} (${at}${issue?.message ?? 'invalid'}).`);
  }
  return parsed.data;
}

/** Base64 that decodes and re-encodes to itself: no second spelling of the same bytes. */
function strictBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

function a(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

export type BundleContents = { entries: { name: string; size: number }[]; manifest: BundleManifest | null };

/**
 * What a bundle holds, for `evalnotes show`: its entries and sizes and its
 * manifest, read after the layout checks but WITHOUT checking the signature
 * (the caller says so). Throws BundleRefused when the layout is refused.
 */
export async function readBundleContents(path: string): Promise<BundleContents> {
  const label = basename(path);
  const handle = await open(path, 'r').catch(() => {
    throw new BundleRefused(`${label} cannot be read.`);
  });
  try {
    const src = fileSource(handle, (await handle.stat()).size);
    const entries = await readCanonicalZip(src, label, (name) => ENTRY_NAME.test(name));
    const manifestEntry = entries.find((e) => e.name === MANIFEST_ENTRY);
    const manifest = manifestEntry ? parseJson(await readWhole(src, label, manifestEntry, MAX_MANIFEST_BYTES), BundleManifest, `${label}: its ${MANIFEST_ENTRY} does not match the bundle format`) : null;
    return { entries: entries.map((e) => ({ name: e.name, size: e.size })), manifest };
  } finally {
    await handle.close();
  }
}
