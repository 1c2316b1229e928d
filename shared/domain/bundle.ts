/**
 * Signed bundle format v1 (DESIGN.md, "Signed bundle format v1"): the schemas
 * of what a `.evb` ZIP holds besides the records themselves. One place, so the
 * exporter, the verifier and the published JSON Schemas agree.
 */
import { z } from 'zod';
import { Timestamp } from '../dates';
import { Handling } from './handling';
import { KeyId, RecordId, Sha256Hex } from './ids';
import { KEY_STATEMENT_ENTRY_PATTERN, SuccessionLink } from './keySuccession';
import { recordFolders, type StorableType } from './records';

export const BUNDLE_FORMAT = 'evalnotes-bundle';
export const BUNDLE_VERSION = 1;
export const BUNDLE_EXTENSION = '.evb';

/** Entry names. Every entry but the envelope is a subject of the signed statement. */
export const MANIFEST_ENTRY = 'bundle.json';
export const ENVELOPE_ENTRY = 'bundle.dsse.json';
export const AUDIT_ENTRY = 'records/audit.jsonl';
export const recordEntry = (type: StorableType, id: string) => `records/${recordFolders[type]}/${id}.json`;
export const attachmentEntry = (sha256: string) => `attachments/${sha256}`;
export const forwardedEntry = (sha256: string) => `forwarded/${sha256}.evb`;

/** Names a verifier accepts; anything else is refused before it is read. */
export const ENTRY_NAME = new RegExp(
  String.raw`^(?:bundle\.json|bundle\.dsse\.json|records/audit\.jsonl|` +
    String.raw`records/(?:${Object.values(recordFolders).join('|')})/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.json|` +
    String.raw`attachments/[0-9a-f]{64}|forwarded/[0-9a-f]{64}\.evb|${KEY_STATEMENT_ENTRY_PATTERN})$`,
);

export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'urn:evalnotes:bundle:v1';

export const Role = z.enum(['evaluator', 'supervisor']);

/** Record counts by bundle folder name (engagements, findings, …). */
export const BundleCounts = z.strictObject({
  records: z.record(z.string(), z.number().int().min(0)),
  attachments: z.number().int().min(0),
  forwarded: z.number().int().min(0),
});

export const BundleManifest = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  /** SHA-256 of the sorted subject list (canonical JSON of [{name, digest}] sorted by name). */
  id: Sha256Hex,
  /** The newest updated_at among the records: the same selection exported twice is byte-identical. */
  created_at: Timestamp,
  created_by: z.strictObject({ name: z.string().max(200), org: z.string().max(200), role: Role, key_id: KeyId }),
  handling: Handling,
  app_version: z.string().max(100),
  counts: BundleCounts,
  /** What the signer chose to export. */
  selection: z.strictObject({
    engagement_id: RecordId,
    findings: z.array(RecordId).nullable(),
    include_thresholds: z.boolean(),
  }),
  /** Credential-shaped strings the signer confirmed exporting (an audit event records the confirmation). */
  confirmed_credential_warnings: z.number().int().min(0),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

// Keys in canonical order, so a parsed subject list is written as canonical JSON without a sorted copy (10,000 subjects per bundle id).
export const Subject = z.strictObject({ digest: z.strictObject({ sha256: Sha256Hex }), name: z.string().max(300) });
export type Subject = z.infer<typeof Subject>;

/** in-toto Statement v1: every entry but the envelope, sorted by name. */
export const Statement = z.strictObject({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(Subject).min(1),
  predicateType: z.literal(PREDICATE_TYPE),
  predicate: z.strictObject({ bundle_id: Sha256Hex }),
});
export type Statement = z.infer<typeof Statement>;

/** DSSE envelope; exactly one signature, keyid = the signer's key id. */
export const DsseEnvelope = z.strictObject({
  payloadType: z.literal(PAYLOAD_TYPE),
  payload: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'must be standard base64' }),
  signatures: z.array(z.strictObject({ keyid: KeyId, sig: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/) })).length(1),
});
export type DsseEnvelope = z.infer<typeof DsseEnvelope>;

/** One line of records/audit.jsonl: the full event for exported records, its body hash for the rest. */
export const AuditLine = z.union([
  z.strictObject({ seq: z.number().int().min(1), body: z.record(z.string(), z.unknown()), chain_hash: Sha256Hex }),
  z.strictObject({ seq: z.number().int().min(1), body_hash: Sha256Hex, chain_hash: Sha256Hex }),
]);
export type AuditLine = z.infer<typeof AuditLine>;

/** DSSE pre-authentication encoding: "DSSEv1 <len(type)> <type> <len(body)> <body>", lengths in bytes. */
export function preAuthEncoding(payloadType: string, body: Uint8Array): Uint8Array {
  const type = new TextEncoder().encode(payloadType);
  const head = new TextEncoder().encode(`DSSEv1 ${type.length} ${payloadType} ${body.length} `);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Trust store entry: whose key, trusted as what, and since / until when. */
export const TrustedKey = z.strictObject({
  key_id: KeyId,
  name: z.string().min(1).max(200),
  role: Role,
  public_key_pem: z.string().max(1000),
  trusted_at: Timestamp,
  /** Set when untrusted: its bundles are refused from then on, and what it signed before is flagged. */
  untrusted_at: Timestamp.nullable(),
  /** Trusted as the successor of this key (a rotation it signed, or a supervisor's re-assignment of it). */
  succeeds: SuccessionLink.optional(),
  /** Replaced by this key: rotated (its earlier bundles still verify) or re-assigned as lost (its bundles are refused). */
  succeeded_by: SuccessionLink.optional(),
});
export type TrustedKey = z.infer<typeof TrustedKey>;

/** What an export would write, shown before it is written (marking, counts, warnings). */
export const ExportPreview = z.strictObject({
  handling: Handling,
  counts: BundleCounts,
  include_thresholds: z.boolean(),
  /** Credential-shaped strings found at import in what would be exported: export needs them redacted or confirmed. */
  credential_warnings: z.array(z.strictObject({ run_id: RecordId, kind: z.string(), where: z.string(), preview: z.string() })),
  /** A file name that says what the bundle is. */
  suggested_name: z.string(),
});
export type ExportPreview = z.infer<typeof ExportPreview>;

export const ExportSummary = z.strictObject({
  id: Sha256Hex,
  /** Desktop and CLI: the path written; browser: the file name the download gets. */
  file: z.string(),
  bytes: z.number().int(),
  counts: BundleCounts,
  handling: Handling,
  /** Browser only: a one-time address on the serve host that answers with the bundle. */
  download_url: z.string().nullable(),
});
export type ExportSummary = z.infer<typeof ExportSummary>;

/** The verifier's answer: valid, or the first reason it is not, in one sentence. */
export const VerifyReport = z.strictObject({
  valid: z.boolean(),
  /** The first failed check, one sentence; null when valid. */
  reason: z.string().nullable(),
  id: Sha256Hex.nullable(),
  signer: z
    .strictObject({ key_id: KeyId, name: z.string(), org: z.string(), role: Role, trusted: z.boolean(), trusted_as: z.string().nullable() })
    .nullable(),
  handling: Handling.nullable(),
  counts: BundleCounts.nullable(),
  created_at: Timestamp.nullable(),
  /** Forwarded bundles inside, each verified (depth 1). */
  forwarded: z.array(z.strictObject({ sha256: Sha256Hex, valid: z.boolean(), reason: z.string().nullable(), signer_key_id: KeyId.nullable(), signer_name: z.string().nullable() })),
});
export type VerifyReport = z.infer<typeof VerifyReport>;

/** One bundle merged by an ingest: the outer one, or one it forwards. */
export const IngestedBundle = z.strictObject({
  id: Sha256Hex,
  signer_key_id: KeyId,
  signer_name: z.string(),
  role: Role,
  forwarded: z.boolean(),
});
export type IngestedBundle = z.infer<typeof IngestedBundle>;

const MergeCounts = z.strictObject({ added: z.number().int(), updated: z.number().int(), skipped: z.number().int() });

/** What an ingest merged (DESIGN.md, "Ownership instead of merge conflicts"). */
export const IngestSummary = z.strictObject({
  /** The outer bundle's verification (always valid here: an invalid bundle fails the ingest). */
  report: VerifyReport,
  bundles: z.array(IngestedBundle),
  /** Over every record of every bundle merged. */
  totals: MergeCounts,
  /** Per record type (folder name in the bundle, e.g. "findings"). */
  by_type: z.record(z.string(), MergeCounts),
  attachments_added: z.number().int(),
  /** Soft references to records not in this workspace yet: shown as "waiting for …". */
  waiting: z.array(z.strictObject({ record_id: RecordId, type: z.string(), waiting_for: RecordId })),
});
export type IngestSummary = z.infer<typeof IngestSummary>;
