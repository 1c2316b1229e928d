/**
 * CVSS v4.0 and v3.1: a vector is checked here against its specification's
 * metric table (FIRST, CVSS v4.0 Specification Document, section 7; CVSS v3.1
 * Specification Document, section 6), and the score is computed by
 * ae-cvss-calculator, whose implementation follows FIRST's own calculators. The
 * library alone is too lenient to validate: it fills a missing base metric with
 * X, takes a metric twice, and accepts base values (SC:S) that only the
 * environmental group allows.
 *
 * v3.1 exists for CSAF 2.0 advisories, whose schema scores only v2.0 to v3.1.
 */
import { createRequire } from 'node:module';
import type * as CvssLibrary from 'ae-cvss-calculator';
import type { Cvss, Cvss31 } from '../../shared/domain/finding';
import { AppError } from '../../shared/result';

// The package is a CommonJS bundle whose named exports Node's ESM loader cannot
// see; require() is the one way that works in vitest, the CLI and the app alike.
const { Cvss3P1, Cvss4P0 } = createRequire(import.meta.url)('ae-cvss-calculator') as typeof CvssLibrary;

type Metric = { name: string; values: readonly string[] };

/** One CVSS version: its vector prefix, every metric in the specification's order, and the base metrics a vector must give. */
type Version = { label: string; prefix: string; metrics: Readonly<Record<string, Metric>>; base: readonly string[] };

/** Every v4.0 metric, in the specification's order, with the values it takes. */
const METRICS_4: Readonly<Record<string, Metric>> = {
  AV: { name: 'Attack Vector', values: ['N', 'A', 'L', 'P'] },
  AC: { name: 'Attack Complexity', values: ['L', 'H'] },
  AT: { name: 'Attack Requirements', values: ['N', 'P'] },
  PR: { name: 'Privileges Required', values: ['N', 'L', 'H'] },
  UI: { name: 'User Interaction', values: ['N', 'P', 'A'] },
  VC: { name: 'Vulnerable System Confidentiality', values: ['H', 'L', 'N'] },
  VI: { name: 'Vulnerable System Integrity', values: ['H', 'L', 'N'] },
  VA: { name: 'Vulnerable System Availability', values: ['H', 'L', 'N'] },
  SC: { name: 'Subsequent System Confidentiality', values: ['H', 'L', 'N'] },
  SI: { name: 'Subsequent System Integrity', values: ['H', 'L', 'N'] },
  SA: { name: 'Subsequent System Availability', values: ['H', 'L', 'N'] },
  E: { name: 'Exploit Maturity', values: ['X', 'A', 'P', 'U'] },
  CR: { name: 'Confidentiality Requirement', values: ['X', 'H', 'M', 'L'] },
  IR: { name: 'Integrity Requirement', values: ['X', 'H', 'M', 'L'] },
  AR: { name: 'Availability Requirement', values: ['X', 'H', 'M', 'L'] },
  MAV: { name: 'Modified Attack Vector', values: ['X', 'N', 'A', 'L', 'P'] },
  MAC: { name: 'Modified Attack Complexity', values: ['X', 'L', 'H'] },
  MAT: { name: 'Modified Attack Requirements', values: ['X', 'N', 'P'] },
  MPR: { name: 'Modified Privileges Required', values: ['X', 'N', 'L', 'H'] },
  MUI: { name: 'Modified User Interaction', values: ['X', 'N', 'P', 'A'] },
  MVC: { name: 'Modified Vulnerable System Confidentiality', values: ['X', 'H', 'L', 'N'] },
  MVI: { name: 'Modified Vulnerable System Integrity', values: ['X', 'H', 'L', 'N'] },
  MVA: { name: 'Modified Vulnerable System Availability', values: ['X', 'H', 'L', 'N'] },
  MSC: { name: 'Modified Subsequent System Confidentiality', values: ['X', 'H', 'L', 'N'] },
  MSI: { name: 'Modified Subsequent System Integrity', values: ['X', 'S', 'H', 'L', 'N'] },
  MSA: { name: 'Modified Subsequent System Availability', values: ['X', 'S', 'H', 'L', 'N'] },
  S: { name: 'Safety', values: ['X', 'N', 'P'] },
  AU: { name: 'Automatable', values: ['X', 'N', 'Y'] },
  R: { name: 'Recovery', values: ['X', 'A', 'U', 'I'] },
  V: { name: 'Value Density', values: ['X', 'D', 'C'] },
  RE: { name: 'Vulnerability Response Effort', values: ['X', 'L', 'M', 'H'] },
  U: { name: 'Provider Urgency', values: ['X', 'Clear', 'Green', 'Amber', 'Red'] },
};
const V4: Version = { label: 'v4.0', prefix: 'CVSS:4.0/', metrics: METRICS_4, base: ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'] };

/** Every v3.1 metric (base, temporal, environmental), in the specification's order (its Table 15). */
const METRICS_31: Readonly<Record<string, Metric>> = {
  AV: { name: 'Attack Vector', values: ['N', 'A', 'L', 'P'] },
  AC: { name: 'Attack Complexity', values: ['L', 'H'] },
  PR: { name: 'Privileges Required', values: ['N', 'L', 'H'] },
  UI: { name: 'User Interaction', values: ['N', 'R'] },
  S: { name: 'Scope', values: ['U', 'C'] },
  C: { name: 'Confidentiality', values: ['H', 'L', 'N'] },
  I: { name: 'Integrity', values: ['H', 'L', 'N'] },
  A: { name: 'Availability', values: ['H', 'L', 'N'] },
  E: { name: 'Exploit Code Maturity', values: ['X', 'H', 'F', 'P', 'U'] },
  RL: { name: 'Remediation Level', values: ['X', 'U', 'W', 'T', 'O'] },
  RC: { name: 'Report Confidence', values: ['X', 'C', 'R', 'U'] },
  CR: { name: 'Confidentiality Requirement', values: ['X', 'H', 'M', 'L'] },
  IR: { name: 'Integrity Requirement', values: ['X', 'H', 'M', 'L'] },
  AR: { name: 'Availability Requirement', values: ['X', 'H', 'M', 'L'] },
  MAV: { name: 'Modified Attack Vector', values: ['X', 'N', 'A', 'L', 'P'] },
  MAC: { name: 'Modified Attack Complexity', values: ['X', 'L', 'H'] },
  MPR: { name: 'Modified Privileges Required', values: ['X', 'N', 'L', 'H'] },
  MUI: { name: 'Modified User Interaction', values: ['X', 'N', 'R'] },
  MS: { name: 'Modified Scope', values: ['X', 'U', 'C'] },
  MC: { name: 'Modified Confidentiality', values: ['X', 'H', 'L', 'N'] },
  MI: { name: 'Modified Integrity', values: ['X', 'H', 'L', 'N'] },
  MA: { name: 'Modified Availability', values: ['X', 'H', 'L', 'N'] },
};
const V31: Version = { label: 'v3.1', prefix: 'CVSS:3.1/', metrics: METRICS_31, base: ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] };
const TEMPORAL_31 = ['E', 'RL', 'RC'];
const ENVIRONMENTAL_31 = ['CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA'];

function orList(values: readonly string[]): string {
  return values.length === 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1] ?? ''}`;
}

/**
 * Reads a vector against its version's metric table: the metrics it gives, or
 * INVALID_INPUT naming the first problem. Metrics may come in any order (the v4.0
 * specification contradicts itself on that), each at most once.
 */
function readVector(version: Version, vector: string): Map<string, string> {
  const invalid = (why: string) => new AppError('INVALID_INPUT', `The CVSS ${version.label} vector ${why}.`);
  if (!vector.startsWith(version.prefix)) throw invalid(`must start with "${version.prefix}"`);
  const given = new Map<string, string>();
  for (const part of vector.slice(version.prefix.length).split('/')) {
    const m = /^([^:/]+):([^:/]+)$/.exec(part);
    if (!m) throw invalid(`has "${part}" where a METRIC:VALUE pair such as AV:N belongs`);
    const [, key = '', value = ''] = m;
    const metric = version.metrics[key];
    if (!metric) throw invalid(`names an unknown metric ${key}`);
    if (given.has(key)) throw invalid(`gives ${metric.name} (${key}) twice`);
    if (!metric.values.includes(value)) throw invalid(`has ${key}:${value}, but ${metric.name} (${key}) takes ${orList(metric.values)}`);
    given.set(key, value);
  }
  const missing = version.base.filter((k) => !given.has(k));
  if (missing.length > 0) {
    const names = missing.map((k) => `${version.metrics[k]?.name ?? k} (${k})`);
    throw invalid(`lacks the base metric${missing.length > 1 ? 's' : ''} ${orList(names).replace(/ or ([^,]*)$/, ' and $1')}`);
  }
  return given;
}

/** The vector in the specification's metric order, without metrics set to X (Not Defined). */
function canonicalVector(version: Version, given: Map<string, string>): string {
  const parts = Object.keys(version.metrics).flatMap((k) => {
    const v = given.get(k);
    return v === undefined || v === 'X' ? [] : [`${k}:${v}`];
  });
  return version.prefix + parts.join('/');
}

/** readVector accepts only what the library reads: a refusal from it is a bug, not bad input. */
function libraryRefused(error: unknown): AppError {
  return new AppError('INTERNAL', `The CVSS calculator refused a vector EvalNotes accepted: ${error instanceof Error ? error.message : String(error)}`);
}

/** The specification's qualitative severity rating scale. */
export function cvssRating(score: number): Cvss['rating'] {
  if (score === 0) return 'None';
  if (score < 4) return 'Low';
  if (score < 7) return 'Medium';
  if (score < 9) return 'High';
  return 'Critical';
}

/**
 * Validates a CVSS v4.0 vector and scores it. The score takes every metric the
 * vector gives (CVSS-B, -BT, -BE or -BTE). The vector is stored in the
 * specification's metric order, without metrics set to X (Not Defined), so the
 * same assessment always reads the same.
 */
export function scoreCvss4(vector: string): Cvss {
  const canonical = canonicalVector(V4, readVector(V4, vector.trim()));
  let score: number;
  try {
    score = new Cvss4P0(canonical).calculateScores().overall;
  } catch (error) {
    throw libraryRefused(error);
  }
  return { vector: canonical, score, rating: cvssRating(score) };
}

/** The scores FIRST's CVSS v3.1 JSON schema names: base always, temporal and environmental when the vector gives such metrics. */
export type Cvss31Scores = {
  base: number;
  temporal: number | null;
  environmental: number | null;
};

/** Scores a v3.1 vector that readVector accepted, in its canonical form. */
function scores31(canonical: string): Cvss31Scores {
  const given = new Set(canonical.slice(V31.prefix.length).split('/').map((p) => p.split(':')[0]));
  const result = (() => {
    try {
      return new Cvss3P1(canonical).calculateScores();
    } catch (error) {
      throw libraryRefused(error);
    }
  })();
  const score = (value: number | undefined) => {
    if (value === undefined) throw libraryRefused(new Error(`no score for ${canonical}`));
    return value;
  };
  return {
    base: score(result.base),
    temporal: TEMPORAL_31.some((k) => given.has(k)) ? score(result.temporal) : null,
    environmental: ENVIRONMENTAL_31.some((k) => given.has(k)) ? score(result.environmental) : null,
  };
}

/**
 * Validates a CVSS v3.1 vector and scores it, stored like a v4.0 one: in the
 * specification's metric order without X metrics. The score is the one the
 * vector's most specific metric group gives (environmental, else temporal,
 * else base), as FIRST's calculator shows it last.
 */
export function scoreCvss31(vector: string): Cvss31 {
  const canonical = canonicalVector(V31, readVector(V31, vector.trim()));
  const s = scores31(canonical);
  const score = s.environmental ?? s.temporal ?? s.base;
  return { vector: canonical, score, rating: cvssRating(score) };
}

/** Every score of a stored (already validated) v3.1 vector, for CSAF's cvss_v3 object. */
export function cvss31Scores(vector: string): Cvss31Scores {
  return scores31(canonicalVector(V31, readVector(V31, vector)));
}
