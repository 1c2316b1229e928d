/**
 * The finding's details (everything but the Markdown sections) as form values,
 * and back to a partial edit. Each field is checked with the shared schema
 * before anything is sent, so the person sees which field is wrong and why;
 * main checks everything again (the CVSS vector fully).
 */
import type { z } from 'zod';
import {
  AtlasId,
  CveId,
  Cvss31Vector,
  CvssVector,
  CweId,
  Tag,
  findingEditable,
  type Finding,
  type FindingChanges,
  type FindingKind,
  type Severity,
} from '../../../shared/domain/finding';

export type CweRow = { id: string; name: string };

export type DetailsValues = {
  title: string;
  kind: FindingKind;
  severity: Severity;
  cvss: string;
  cvss31: string;
  cwe: CweRow[];
  atlas: string[];
  vendor: string;
  product: string;
  version: string;
  cve: string;
  tags: string[];
};

export type DetailsField = keyof DetailsValues;

export const KIND_LABEL: Record<FindingKind, string> = {
  capability: 'Capability',
  'safeguard-bypass': 'Safeguard bypass',
  'software-vulnerability': 'Software vulnerability',
  other: 'Other',
};

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  informational: 'Informational',
};

export function valuesFrom(f: Finding): DetailsValues {
  return {
    title: f.title,
    kind: f.kind,
    severity: f.severity,
    cvss: f.cvss?.vector ?? '',
    cvss31: f.cvss31?.vector ?? '',
    cwe: f.cwe.map((c) => ({ id: c.id, name: c.name ?? '' })),
    atlas: [...f.atlas],
    vendor: f.affected?.vendor ?? '',
    product: f.affected?.product ?? '',
    version: f.affected?.version ?? '',
    cve: f.cve_id ?? '',
    tags: [...f.tags],
  };
}

function firstIssue(result: z.ZodSafeParseResult<unknown>): string | null {
  return result.success ? null : (result.error.issues[0]?.message ?? 'is not valid');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The edit that turns the saved finding into what the form shows, or the
 * problems that stop it (one sentence per field). Affected product and CVE id
 * only count for software vulnerabilities.
 */
export function detailsChanges(f: Finding, v: DetailsValues): { changes: FindingChanges; errors: Partial<Record<DetailsField, string>> } {
  const errors: Partial<Record<DetailsField, string>> = {};
  const changes: FindingChanges = {};
  const saved = valuesFrom(f);

  const title = v.title.trim();
  const titleIssue = firstIssue(findingEditable.title.safeParse(title));
  if (titleIssue) errors.title = `Title ${titleIssue}.`;
  else if (title !== f.title) changes.title = title;

  if (v.kind !== f.kind) changes.kind = v.kind;
  if (v.severity !== f.severity) changes.severity = v.severity;

  const cvss = v.cvss.trim();
  if (cvss !== saved.cvss) {
    if (cvss === '') changes.cvss_vector = null;
    else {
      const issue = firstIssue(CvssVector.safeParse(cvss));
      if (issue) errors.cvss = `The CVSS vector ${issue}.`;
      else changes.cvss_vector = cvss;
    }
  }

  const cvss31 = v.cvss31.trim();
  if (cvss31 !== saved.cvss31) {
    if (cvss31 === '') changes.cvss31_vector = null;
    else {
      const issue = firstIssue(Cvss31Vector.safeParse(cvss31));
      if (issue) errors.cvss31 = `The CVSS vector ${issue}.`;
      else changes.cvss31_vector = cvss31;
    }
  }

  const cwe = v.cwe.map((c) => ({ id: c.id.trim().toUpperCase(), name: c.name.trim() })).filter((c) => c.id !== '' || c.name !== '');
  for (const c of cwe) {
    const issue = firstIssue(CweId.safeParse(c.id));
    if (issue) {
      errors.cwe = `“${c.id || '(empty)'}” ${issue}.`;
      break;
    }
  }
  if (!errors.cwe && !same(cwe, saved.cwe.filter((c) => c.id !== ''))) changes.cwe = cwe.map((c) => (c.name ? { id: c.id, name: c.name } : { id: c.id }));

  const atlas = v.atlas.map((a) => a.trim()).filter(Boolean);
  const badAtlas = atlas.find((a) => !AtlasId.safeParse(a).success);
  if (badAtlas !== undefined) errors.atlas = `“${badAtlas}” ${firstIssue(AtlasId.safeParse(badAtlas))}.`;
  else if (!same(atlas, saved.atlas)) changes.atlas = atlas;

  const tags = v.tags.map((t) => t.trim()).filter(Boolean);
  const badTag = tags.find((t) => !Tag.safeParse(t).success);
  if (badTag !== undefined) errors.tags = `The tag “${badTag}” ${firstIssue(Tag.safeParse(badTag))}.`;
  else if (!same(tags, saved.tags)) changes.tags = tags;

  if (v.kind === 'software-vulnerability') {
    const product = v.product.trim();
    const vendor = v.vendor.trim();
    const version = v.version.trim();
    if (product === '' && (vendor !== '' || version !== '')) errors.product = 'Name the affected product when you give its vendor or version.';
    else if (product !== saved.product || vendor !== saved.vendor || version !== saved.version) {
      changes.affected = product === '' ? null : { product, ...(vendor ? { vendor } : {}), ...(version ? { version } : {}) };
    }
    const cve = v.cve.trim().toUpperCase();
    if (cve !== saved.cve) {
      if (cve === '') changes.cve_id = null;
      else {
        const issue = firstIssue(CveId.safeParse(cve));
        if (issue) errors.cve = `The CVE id ${issue}.`;
        else changes.cve_id = cve;
      }
    }
  }
  return { changes, errors };
}

/** Which form field a refusal from main is about ("cvss_vector: …" → cvss), to show it there. */
export function fieldOfMessage(message: string): DetailsField | null {
  // main's own CVSS check speaks in a sentence that names the version.
  if (message.startsWith('The CVSS v4.0 vector')) return 'cvss';
  if (message.startsWith('The CVSS v3.1 vector')) return 'cvss31';
  const path = /^([a-z_]+)(?:\.\d+)?(?:\.[a-z_]+)?:/.exec(message)?.[1];
  const map: Record<string, DetailsField> = {
    title: 'title',
    kind: 'kind',
    severity: 'severity',
    cvss_vector: 'cvss',
    cvss: 'cvss',
    cvss31_vector: 'cvss31',
    cvss31: 'cvss31',
    cwe: 'cwe',
    atlas: 'atlas',
    affected: 'product',
    cve_id: 'cve',
    tags: 'tags',
  };
  return path ? (map[path] ?? null) : null;
}
