/**
 * A software-vulnerability finding as a CSAF 2.0 security advisory (OASIS CSAF
 * 2.0, profile "Security Advisory"), valid against the official JSON schema
 * and its mandatory tests (section 6.1). A pure mapping: the service reads the
 * finding, its stored revisions, the engagement's marking and the identity.
 *
 * DESIGN.md gives the mapping for what CSAF 2.0 cannot hold; the rest is
 * decided here (the README lists every rule):
 * - tracking.status: a validated or remediated finding is "final", a submitted
 *   one "interim", a draft "draft"; withdrawn and rejected findings are refused.
 * - tracking.version: the finding's revision; revision_history has one item per
 *   revision (CSAF forbids gaps), dated by when that revision was saved.
 * - publisher: whoever exports (the workspace identity): category "discoverer"
 *   for their own finding, "coordinator" for one ingested from another key.
 * - What stays out: the reproduction (it may be a working exploit, and an
 *   advisory goes to operators), evidence, the engagement and model under review,
 *   ATLAS ids, tags and the author's name. The signed bundle carries those.
 */
import { csafRefusal, trackingId } from '../../shared/domain/csaf';
import type { Affected, Finding, ShownStatus } from '../../shared/domain/finding';
import { handlingLine, type Handling, type Tlp } from '../../shared/domain/handling';
import { AppError } from '../../shared/result';
import { cvss31Scores, cvssRating } from '../services/cvss';
import { changedFields } from '../services/history';

// ---- The part of CSAF 2.0 this mapping writes (names as in the schema) ----

type Note = { category: 'description' | 'details' | 'other'; title: string; text: string };
type FullProductName = { name: string; product_id: string };
type Branch = {
  category: 'vendor' | 'product_name' | 'product_version' | 'product_version_range';
  name: string;
} & ({ product: FullProductName } | { branches: Branch[] });
type CvssV3 = {
  version: '3.1';
  vectorString: string;
  baseScore: number;
  baseSeverity: string;
  temporalScore?: number;
  temporalSeverity?: string;
  environmentalScore?: number;
  environmentalSeverity?: string;
};
type RevisionItem = { number: string; date: string; summary: string };
export type DocumentStatus = 'draft' | 'interim' | 'final';

export type CsafDocument = {
  document: {
    category: 'csaf_security_advisory';
    csaf_version: '2.0';
    publisher: { category: 'discoverer' | 'coordinator'; name: string; namespace: string; contact_details: string };
    title: string;
    tracking: {
      id: string;
      status: DocumentStatus;
      version: string;
      revision_history: RevisionItem[];
      initial_release_date: string;
      current_release_date: string;
      generator: { engine: { name: 'EvalNotes'; version: string } };
    };
    distribution: { tlp: { label: 'WHITE' | 'GREEN' | 'AMBER' | 'RED' }; text: string };
    aggregate_severity: { text: string };
  };
  product_tree: { branches: Branch[] };
  vulnerabilities: [
    {
      title: string;
      cve?: string;
      cwe?: { id: string; name: string };
      notes: Note[];
      product_status: { known_affected: string[] };
      remediations?: { category: 'mitigation' | 'vendor_fix'; details: string; product_ids: string[] }[];
      scores?: { products: string[]; cvss_v3: CvssV3 }[];
    },
  ];
};

/** What the mapping reads. */
export type CsafSource = {
  finding: Finding;
  shownStatus: ShownStatus;
  /** Every revision of the finding this workspace holds, any order (a finding from a bundle may lack older ones). */
  revisions: readonly Finding[];
  /** The engagement's handling marking. */
  handling: Handling;
  /** Who exports: the workspace identity. */
  publisher: { key_id: string; name: string; org: string; fingerprint: string; former_key_ids?: string[] | undefined };
  /** An absolute URI for publisher.namespace; by default publisherNamespace(org). */
  namespace?: string;
  appVersion: string;
};

/** The one product an advisory names: CSAF product ids are local to the document. */
export const PRODUCT_ID = 'CSAFPID-0001';

/** TLP 2.0 (ours) to TLP 1.0 (CSAF 2.0's labels): DESIGN.md's mapping. The exact label goes into distribution.text. */
const TLP_LABEL: Readonly<Record<Tlp, CsafDocument['document']['distribution']['tlp']['label']>> = {
  CLEAR: 'WHITE',
  GREEN: 'GREEN',
  AMBER: 'AMBER',
  'AMBER+STRICT': 'AMBER',
  RED: 'RED',
};

/** The document status a finding's shown status gives; null: not an advisory at all. */
const DOCUMENT_STATUS: Readonly<Record<ShownStatus, DocumentStatus | null>> = {
  draft: 'draft',
  submitted: 'interim',
  validated: 'final',
  remediated: 'final',
  rejected: null,
  withdrawn: null,
};

/**
 * CSAF asks for a URI under the publisher's control. An offline workspace
 * knows only the organisation's name, so the default is a URN made from it
 * (`urn:evalnotes:org:<name, lower case, spaces as dashes, percent-encoded>`):
 * a valid absolute URI that claims no web address. `evalnotes csaf
 * --namespace URL` gives the organisation's real one.
 */
export function publisherNamespace(org: string): string {
  return `urn:evalnotes:org:${encodeURIComponent(org.trim().toLowerCase().replace(/\s+/g, '-'))}`;
}

/** Refuses (one sentence naming what to fill) a finding CSAF cannot carry as a security advisory. */
export function checkExportable(finding: Finding, shownStatus: ShownStatus): void {
  const refusal = csafRefusal(finding, shownStatus);
  if (refusal !== null) throw new AppError('INVALID_INPUT', refusal);
}

/** The finding as a CSAF 2.0 security advisory; refused (AppError) when checkExportable refuses it. */
export function toCsaf(src: CsafSource): CsafDocument {
  const { finding: f } = src;
  checkExportable(f, src.shownStatus);
  const affected = f.affected as Affected;
  const status = DOCUMENT_STATUS[src.shownStatus] as DocumentStatus;
  const [cwe, ...otherCwes] = f.cwe;

  const notes: Note[] = [{ category: 'description', title: 'Description', text: f.description.trim() }];
  if (f.impact.trim() !== '') notes.push({ category: 'details', title: 'Impact', text: f.impact.trim() });
  if (otherCwes.length > 0) {
    notes.push({ category: 'other', title: 'Other weaknesses (CWE)', text: otherCwes.map((c) => (c.name ? `${c.id} ${c.name}` : c.id)).join('\n') });
  }
  if (f.cvss) notes.push({ category: 'other', title: 'CVSS v4.0', text: `${f.cvss.vector} (score ${f.cvss.score.toFixed(1)}, ${f.cvss.rating})` });

  const remediation = f.remediation.trim();
  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      publisher: {
        // A finding written under one of the publisher's former keys (key rotation) is still theirs.
        category: f.author === src.publisher.key_id || src.publisher.former_key_ids?.includes(f.author) ? 'discoverer' : 'coordinator',
        name: src.publisher.org,
        namespace: src.namespace ?? publisherNamespace(src.publisher.org),
        contact_details: `${src.publisher.name} (EvalNotes key ${src.publisher.fingerprint})`,
      },
      title: f.title,
      tracking: {
        id: trackingId(f.id),
        status,
        version: String(f.revision),
        revision_history: revisionHistory(f, src.revisions),
        initial_release_date: f.created_at,
        current_release_date: f.updated_at,
        generator: { engine: { name: 'EvalNotes', version: src.appVersion } },
      },
      distribution: { tlp: { label: TLP_LABEL[src.handling.tlp] }, text: handlingLine(src.handling) },
      aggregate_severity: { text: `${f.severity[0]?.toUpperCase() ?? ''}${f.severity.slice(1)}` },
    },
    product_tree: { branches: [productBranch(affected)] },
    vulnerabilities: [
      {
        title: f.title,
        ...(f.cve_id ? { cve: f.cve_id } : {}),
        ...(cwe?.name ? { cwe: { id: cwe.id, name: cwe.name } } : {}),
        notes,
        product_status: { known_affected: [PRODUCT_ID] },
        ...(remediation !== ''
          ? { remediations: [{ category: src.shownStatus === 'remediated' ? ('vendor_fix' as const) : ('mitigation' as const), details: remediation, product_ids: [PRODUCT_ID] }] }
          : {}),
        ...(f.cvss31 ? { scores: [{ products: [PRODUCT_ID], cvss_v3: cvssV3(f.cvss31.vector) }] } : {}),
      },
    ],
  };
}

/**
 * Mandatory test 6.1.31 takes a product_version whose name holds any of these
 * (in lower case) for a version range; such a version is given as a
 * product_version_range instead.
 */
const RANGE_WORDS = ['<', '>', 'after', 'all', 'before', 'earlier', 'later', 'prior', 'versions'];

/** vendor → product_name → product_version, as far as the finding says; the innermost branch holds the product. */
function productBranch(a: Affected): Branch {
  const product: FullProductName = { name: [a.vendor, a.product, a.version].filter(Boolean).join(' '), product_id: PRODUCT_ID };
  const version: Branch | null = a.version
    ? { category: RANGE_WORDS.some((w) => a.version?.toLowerCase().includes(w)) ? 'product_version_range' : 'product_version', name: a.version, product }
    : null;
  const name: Branch = version ? { category: 'product_name', name: a.product, branches: [version] } : { category: 'product_name', name: a.product, product };
  return a.vendor ? { category: 'vendor', name: a.vendor, branches: [name] } : name;
}

/** FIRST's CVSS v3.1 object: the scores the vector's metric groups give, each with its severity. */
function cvssV3(vector: string): CvssV3 {
  const s = cvss31Scores(vector);
  const severity = (score: number) => cvssRating(score).toUpperCase();
  return {
    version: '3.1',
    vectorString: vector,
    baseScore: s.base,
    baseSeverity: severity(s.base),
    ...(s.temporal !== null ? { temporalScore: s.temporal, temporalSeverity: severity(s.temporal) } : {}),
    ...(s.environmental !== null ? { environmentalScore: s.environmental, environmentalSeverity: severity(s.environmental) } : {}),
  };
}

/**
 * One item per revision 1…N (mandatory test 6.1.21 allows no gap), each dated
 * when that revision was saved. A revision this workspace does not hold (an
 * older one of a finding that came in a bundle) is dated with the next one it
 * holds, the latest it can have been, and says so.
 */
function revisionHistory(current: Finding, held: readonly Finding[]): RevisionItem[] {
  const byRevision = new Map<number, Finding>(held.map((r) => [r.revision, r]));
  byRevision.set(current.revision, current);
  const items: RevisionItem[] = [];
  let nextDate = current.updated_at;
  for (let n = current.revision; n >= 1; n--) {
    const body = byRevision.get(n);
    const date = n === 1 ? current.created_at : (body?.updated_at ?? nextDate);
    items.push({ number: String(n), date, summary: revisionSummary(n, body, byRevision.get(n - 1)) });
    nextDate = date;
  }
  return items.reverse();
}

function revisionSummary(n: number, body: Finding | undefined, before: Finding | undefined): string {
  if (!body) return `Revision ${n} of the finding (not held in the exporting workspace).`;
  if (n === 1) return `Finding recorded (${body.status}).`;
  if (!before) return `Revision ${n} of the finding.`;
  const changed = changedFields(before, body).filter((k) => k !== 'status');
  const parts = [
    ...(before.status !== body.status ? [`Status ${before.status} → ${body.status}.`] : []),
    ...(changed.length > 0 ? [`Edited ${changed.map((k) => k.replace(/_/g, ' ')).join(', ')}.`] : []),
  ];
  return parts.length > 0 ? parts.join(' ') : 'Saved without changes.';
}
