/**
 * A CSAF 2.0 validator for tests: the official JSON schema (draft 2020-12) with
 * the FIRST CVSS schemas it references, all read from ../shared/fixtures/csaf
 * (never copied into the repo), under ajv; plus the mandatory tests of CSAF 2.0
 * section 6.1 that a schema cannot express and that concern what EvalNotes
 * writes (a schema-valid document can still be invalid CSAF: the official
 * negative case for 6.1.1 is schema-valid).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as CvssLibrary from 'ae-cvss-calculator';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import addFormats from 'ajv-formats';
import { fixture } from './fixtures';

const { Cvss3P1 } = createRequire(import.meta.url)('ae-cvss-calculator') as typeof CvssLibrary;

type Json = Record<string, unknown>;

/** A CSAF fixture (schema, example or test case) as parsed JSON. */
export function readCsafFixture(path: string): Json {
  return JSON.parse(readFileSync(fixture('csaf', path), 'utf8')) as Json;
}

/**
 * The CSAF schema $refs the FIRST schemas by their plain URLs; the fixtures
 * declare ids with a date query (and v2.0/v3.0 the draft-04 `id`). Each is
 * registered under the URL the CSAF schema uses. The draft-04 ones lose their
 * $schema: ajv has no draft-04 mode, and neither schema uses a keyword whose
 * meaning changed after draft-04 (no boolean exclusiveMinimum/Maximum).
 */
function cvssSchema(version: '2.0' | '3.0' | '3.1'): Json {
  const { $schema, id: _draft04Id, $id: _id, ...rest } = readCsafFixture(`schema/first__cvss-v${version}.json`);
  const keep = typeof $schema === 'string' && !$schema.includes('draft-04') ? { $schema } : {};
  return { ...rest, ...keep, $id: `https://www.first.org/cvss/cvss-v${version}.json` };
}

function makeSchemaValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addMetaSchema(draft07);
  for (const v of ['2.0', '3.0', '3.1'] as const) ajv.addSchema(cvssSchema(v));
  return ajv.compile(readCsafFixture('schema/csaf_2.0__csaf_json_schema.json'));
}

let schemaValidator: ReturnType<typeof makeSchemaValidator> | undefined;

function schemaErrors(doc: unknown): string[] {
  schemaValidator ??= makeSchemaValidator();
  if (schemaValidator(doc)) return [];
  return (schemaValidator.errors ?? []).map((e: ErrorObject) => `schema: ${e.instancePath || '/'} ${e.message ?? ''}`);
}

// ---- Mandatory tests (CSAF 2.0 section 6.1), over plain JSON ----

const asArray = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const asObject = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function eachBranch(branches: unknown, visit: (b: Json) => void): void {
  for (const b of asArray(branches)) {
    visit(b);
    eachBranch(b.branches, visit);
  }
}

function definedProductIds(doc: Json): string[] {
  const tree = asObject(doc.product_tree);
  const ids: string[] = [];
  eachBranch(tree.branches, (b) => {
    const id = asObject(b.product).product_id;
    if (typeof id === 'string') ids.push(id);
  });
  for (const p of asArray(tree.full_product_names)) if (typeof p.product_id === 'string') ids.push(p.product_id);
  for (const r of asArray(tree.relationships)) {
    const id = asObject(r.full_product_name).product_id;
    if (typeof id === 'string') ids.push(id);
  }
  return ids;
}

function referencedProductIds(doc: Json): string[] {
  const tree = asObject(doc.product_tree);
  const refs: string[] = [];
  for (const g of asArray(tree.product_groups)) refs.push(...strings(g.product_ids));
  for (const r of asArray(tree.relationships)) refs.push(...strings([r.product_reference, r.relates_to_product_reference]));
  for (const v of asArray(doc.vulnerabilities)) {
    for (const ids of Object.values(asObject(v.product_status))) refs.push(...strings(ids));
    for (const r of asArray(v.remediations)) refs.push(...strings(r.product_ids));
    for (const s of asArray(v.scores)) refs.push(...strings(s.products));
    for (const t of asArray(v.threats)) refs.push(...strings(t.product_ids));
    for (const f of asArray(v.flags)) refs.push(...strings(f.product_ids));
  }
  return refs;
}

/** Integer versioning gives the number, semantic versioning its major part (what 6.1.21 counts). */
function major(version: string): number {
  return Number(version.split(/[.+-]/)[0]);
}

function revisionChecks(doc: Json): string[] {
  const errors: string[] = [];
  const tracking = asObject(asObject(doc.document).tracking);
  const status = tracking.status;
  const version = String(tracking.version);
  // Sorted by date; equal dates keep their numbers' order (what the validators do).
  const items = asArray(tracking.revision_history)
    .map((r) => ({ number: String(r.number), date: Date.parse(String(r.date)) }))
    .sort((a, b) => a.date - b.date || major(a.number) - major(b.number));
  const numbers = items.map((i) => i.number);
  const majors = numbers.map(major);

  if (majors.some((n, i) => i > 0 && n < (majors[i - 1] ?? 0))) errors.push('6.1.14: the revision history sorted by date is not sorted by number');
  const last = numbers[numbers.length - 1];
  const strip = (v: string) => v.replace(/\+.*$/, '').replace(status === 'draft' ? /-.*$/ : /$^/, '');
  if (last === undefined || strip(last) !== strip(version)) errors.push(`6.1.16: version ${version} is not the newest revision's number ${last ?? '(none)'}`);
  if ((/^0(\.|$)/.test(version) || /^\d+\.\d+\.\d+-/.test(version)) && status !== 'draft') errors.push('6.1.17: a version 0, 0.y.z or pre-release needs status draft');
  if ((status === 'final' || status === 'interim') && numbers.some((n) => /^0(\.|$)/.test(n))) errors.push('6.1.18: a released document has a revision numbered 0');
  if (numbers.some((n) => /^\d+\.\d+\.\d+-/.test(n))) errors.push('6.1.19: a revision number carries pre-release information');
  const first = majors[0];
  if (first !== 0 && first !== 1) errors.push('6.1.21: the revision history does not start at 0 or 1');
  if (majors.some((n, i) => i > 0 && n - (majors[i - 1] ?? 0) > 1)) errors.push('6.1.21: the revision history omits a version');
  if (new Set(numbers).size !== numbers.length) errors.push('6.1.22: a revision number is used twice');
  return errors;
}

/** 6.1.9: the scores a CVSS v3.1 object states are the ones its vector gives (FIRST's formulas, ae-cvss-calculator). */
function cvssChecks(doc: Json): string[] {
  const errors: string[] = [];
  for (const v of asArray(doc.vulnerabilities)) {
    for (const s of asArray(v.scores)) {
      const c = asObject(s.cvss_v3);
      if (c.version !== '3.1') continue;
      const scores = new Cvss3P1(String(c.vectorString)).calculateScores();
      for (const [field, expected] of [
        ['baseScore', scores.base],
        ['temporalScore', scores.temporal],
        ['environmentalScore', scores.environmental],
      ] as const) {
        const stated = c[field];
        if (stated !== undefined && stated !== expected) errors.push(`6.1.9: ${field} ${JSON.stringify(stated)} is not ${String(expected)} for ${String(c.vectorString)}`);
      }
    }
  }
  return errors;
}

/** The words 6.1.31 takes for a version range in a product_version name. */
const RANGE_WORDS = ['<', '<=', '>', '>=', 'after', 'all', 'before', 'earlier', 'later', 'prior', 'versions'];

function mandatoryErrors(doc: Json): string[] {
  const errors: string[] = [];
  const defined = definedProductIds(doc);
  const known = new Set(defined);
  for (const id of referencedProductIds(doc)) if (!known.has(id)) errors.push(`6.1.1: product id ${id} is used but not defined`);
  if (known.size !== defined.length) errors.push('6.1.2: a product id is defined twice');
  errors.push(...revisionChecks(doc), ...cvssChecks(doc));

  const cves = asArray(doc.vulnerabilities).flatMap((v) => strings([v.cve]));
  if (new Set(cves).size !== cves.length) errors.push('6.1.23: a CVE is used by two vulnerabilities');
  if (asObject(doc.document).category === 'csaf_security_advisory') {
    if (doc.product_tree === undefined) errors.push('6.1.27.4: a security advisory needs a product tree');
    for (const v of asArray(doc.vulnerabilities)) if (asArray(v.notes).length === 0) errors.push('6.1.27.5: a vulnerability of a security advisory needs notes');
  }
  for (const v of asArray(doc.vulnerabilities)) {
    for (const r of asArray(v.remediations)) {
      if (strings(r.product_ids).length === 0 && strings(r.group_ids).length === 0) errors.push('6.1.29: a remediation names no product or group');
    }
  }
  eachBranch(asObject(doc.product_tree).branches, (b) => {
    const name = String(b.name).toLowerCase();
    if (b.category === 'product_version' && RANGE_WORDS.some((w) => name.includes(w))) errors.push(`6.1.31: product_version "${String(b.name)}" is a version range`);
  });
  return errors;
}

/** Every reason the document is not valid CSAF 2.0 (schema first, then the mandatory tests); empty when it is. */
export function csafErrors(doc: unknown): string[] {
  const schema = schemaErrors(doc);
  return schema.length > 0 ? schema : mandatoryErrors(asObject(doc));
}
