import { z } from 'zod';
import { RecordId, Sha256Hex } from './ids';
import { Envelope } from './record';
import { Name, Text } from './text';

export const FindingKind = z.enum(['capability', 'safeguard-bypass', 'software-vulnerability', 'other']);
export type FindingKind = z.infer<typeof FindingKind>;

export const Severity = z.enum(['critical', 'high', 'medium', 'low', 'informational']);
export type Severity = z.infer<typeof Severity>;

/** What the author sets (DESIGN.md). validated and rejected come only from a supervisor's review. */
export const AuthorStatus = z.enum(['draft', 'submitted', 'remediated', 'withdrawn']);
export type AuthorStatus = z.infer<typeof AuthorStatus>;

/** What a finding shows: the newest supervisor review of its current revision, else its author status. */
export const ShownStatus = z.enum(['draft', 'submitted', 'validated', 'rejected', 'remediated', 'withdrawn']);
export type ShownStatus = z.infer<typeof ShownStatus>;

export const CweId = z.string().regex(/^CWE-[1-9]\d{0,5}$/, { message: 'must be a CWE id such as CWE-79' });
export const Cwe = z.strictObject({ id: CweId, name: Name(300).optional() });
export type Cwe = z.infer<typeof Cwe>;

/** MITRE ATLAS technique or sub-technique, e.g. AML.T0051 or AML.T0051.001. */
export const AtlasId = z.string().regex(/^AML\.T\d{4}(?:\.\d{3})?$/, { message: 'must be a MITRE ATLAS technique id such as AML.T0051 or AML.T0051.001' });

export const CveId = z.string().regex(/^CVE-\d{4}-\d{4,19}$/, { message: 'must be a CVE id such as CVE-2024-12345' });

/** A CVSS v4.0 base vector as written by FIRST's calculator; main validates it fully and computes the score. */
export const CvssVector = z.string().max(300).regex(/^CVSS:4\.0\//, { message: 'must be a CVSS v4.0 vector starting with "CVSS:4.0/"' });
export const Cvss = z.strictObject({
  vector: CvssVector,
  /** Computed from the vector by main (never entered): 0.0 to 10.0. */
  score: z.number().min(0).max(10),
  /** The qualitative rating of the score: None, Low, Medium, High, Critical. */
  rating: z.enum(['None', 'Low', 'Medium', 'High', 'Critical']),
});
export type Cvss = z.infer<typeof Cvss>;

/**
 * A CVSS v3.1 vector, for CSAF 2.0 advisories (CSAF 2.0 scores only v2.0 to v3.1);
 * main validates it fully and computes the score.
 */
export const Cvss31Vector = z.string().max(200).regex(/^CVSS:3\.1\//, { message: 'must be a CVSS v3.1 vector starting with "CVSS:3.1/"' });
export const Cvss31 = z.strictObject({
  vector: Cvss31Vector,
  /** Computed from the vector by main: the base score, or the temporal or environmental one when the vector gives those metrics. */
  score: z.number().min(0).max(10),
  rating: Cvss.shape.rating,
});
export type Cvss31 = z.infer<typeof Cvss31>;

export const Tag = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._:/+-]*$/u, { message: 'must be one word (letters, digits, . _ : / + -)' });

export const Affected = z.strictObject({ vendor: Name(200).optional(), product: Name(200), version: Name(200).optional() });
export type Affected = z.infer<typeof Affected>;

/**
 * Evidence a finding cites. A sample is named by what survives a re-import on
 * another machine (the source file's SHA-256, sample id, epoch, and lm-eval's
 * hashes when the log has them); the local record id is a shortcut only.
 */
export const EvidenceLink = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('attachment'), attachment_id: RecordId, sha256: Sha256Hex, name: z.string().max(255) }),
  z.strictObject({ kind: z.literal('run'), run_id: RecordId, source_sha256: Sha256Hex.optional(), label: z.string().max(500) }),
  z.strictObject({
    kind: z.literal('sample'),
    source_sha256: Sha256Hex,
    sample_id: z.string().min(1).max(500),
    epoch: z.number().int().min(0),
    hashes: z.record(z.string().max(100), z.string().max(200)).default({}),
    /** The sample record on the machine that linked it. */
    sample_record_id: RecordId.optional(),
    /** A transcript excerpt the author chose, if any. */
    excerpt: Text(20_000).optional(),
  }),
]);
export type EvidenceLink = z.infer<typeof EvidenceLink>;

const MARKDOWN_MAX = 200_000;
const Markdown = Text(MARKDOWN_MAX);

/** What the author writes. */
export const findingEditable = {
  title: Name(300),
  kind: FindingKind,
  severity: Severity,
  description: Markdown,
  reproduction: Markdown,
  impact: Markdown,
  remediation: Markdown,
  cwe: z.array(Cwe).max(20),
  atlas: z.array(AtlasId).max(50),
  affected: Affected.optional(),
  cve_id: CveId.optional(),
  tags: z.array(Tag).max(50),
  evidence: z.array(EvidenceLink).max(500),
};

const findingFields = {
  engagement_id: RecordId,
  ...findingEditable,
  cvss: Cvss.optional(),
  /** Optional; old findings have none. */
  cvss31: Cvss31.optional(),
  status: AuthorStatus,
};

export const Finding = z.strictObject({ type: z.literal('finding'), ...Envelope, ...findingFields });
export type Finding = z.infer<typeof Finding>;

/** A new finding: the CVSS vectors are given, their scores computed by main. */
export const FindingInput = z.strictObject({
  engagement_id: RecordId,
  title: findingEditable.title,
  kind: findingEditable.kind,
  severity: findingEditable.severity,
  description: Markdown.default(''),
  reproduction: Markdown.default(''),
  impact: Markdown.default(''),
  remediation: Markdown.default(''),
  cwe: findingEditable.cwe.default([]),
  atlas: findingEditable.atlas.default([]),
  affected: Affected.optional(),
  cve_id: CveId.optional(),
  tags: findingEditable.tags.default([]),
  cvss_vector: CvssVector.optional(),
  cvss31_vector: Cvss31Vector.optional(),
});
export type FindingInput = z.input<typeof FindingInput>;

/**
 * A partial edit; null clears an optional field. Status changes go through
 * finding:setStatus; evidence enters only through finding:addEvidence (which
 * checks what it cites), so an edit's evidence list may only drop or reorder links.
 */
export const FindingChanges = z.strictObject({
  title: findingEditable.title.optional(),
  kind: findingEditable.kind.optional(),
  severity: findingEditable.severity.optional(),
  description: Markdown.optional(),
  reproduction: Markdown.optional(),
  impact: Markdown.optional(),
  remediation: Markdown.optional(),
  cwe: findingEditable.cwe.optional(),
  atlas: findingEditable.atlas.optional(),
  affected: Affected.nullable().optional(),
  cve_id: CveId.nullable().optional(),
  tags: findingEditable.tags.optional(),
  evidence: findingEditable.evidence.optional(),
  cvss_vector: CvssVector.nullable().optional(),
  cvss31_vector: Cvss31Vector.nullable().optional(),
});
export type FindingChanges = z.input<typeof FindingChanges>;

/** A finding as lists and pages show it: with the status it shows and its counts. */
export const FindingView = z.strictObject({
  finding: Finding,
  shown_status: ShownStatus,
  /** A supervisor reviewed an earlier revision and the author has changed the finding since. */
  changed_since_review: z.boolean(),
  notes: z.number().int().min(0),
});
export type FindingView = z.infer<typeof FindingView>;

/** One row of the findings table (no Markdown bodies: 100,000 rows must stay light). */
export const FindingRow = z.strictObject({
  id: RecordId,
  engagement_id: RecordId,
  title: z.string(),
  kind: FindingKind,
  severity: Severity,
  cvss_score: z.number().nullable(),
  shown_status: ShownStatus,
  tags: z.array(z.string()),
  author: z.string(),
  revision: z.number().int(),
  updated_at: z.string(),
});
export type FindingRow = z.infer<typeof FindingRow>;

export const FindingSort = z.enum(['updated', 'severity', 'title', 'status']);
export const FindingFilter = z.strictObject({
  engagement_id: RecordId.optional(),
  kind: FindingKind.optional(),
  severity: Severity.optional(),
  status: ShownStatus.optional(),
  tag: z.string().max(60).optional(),
  sort: FindingSort.default('updated'),
  descending: z.boolean().default(true),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(200),
});
export const FindingPage = z.strictObject({ total: z.number().int(), rows: z.array(FindingRow) });
export type FindingPage = z.infer<typeof FindingPage>;
