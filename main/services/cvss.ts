/**
 * CVSS v4.0: the vector is checked here against the specification's metric
 * table (FIRST, CVSS v4.0 Specification Document, section 7), and the score is
 * computed by ae-cvss-calculator, whose implementation follows FIRST's own
 * calculator. The library alone is too lenient to validate: it fills a missing
 * base metric with X, takes a metric twice, and accepts base values (SC:S) that
 * only the environmental group allows.
 */
import { createRequire } from 'node:module';
import type * as CvssLibrary from 'ae-cvss-calculator';
import type { Cvss } from '../../shared/domain/finding';
import { AppError } from '../../shared/result';

// The package is a CommonJS bundle whose named exports Node's ESM loader cannot
// see; require() is the one way that works in vitest, the CLI and the app alike.
const { Cvss4P0 } = createRequire(import.meta.url)('ae-cvss-calculator') as typeof CvssLibrary;

type Metric = { name: string; values: readonly string[] };

/** Every v4.0 metric, in the specification's order, with the values it takes. */
const METRICS: Readonly<Record<string, Metric>> = {
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
const BASE = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'];
const PREFIX = 'CVSS:4.0/';

const invalid = (why: string) => new AppError('INVALID_INPUT', `The CVSS v4.0 vector ${why}.`);

function orList(values: readonly string[]): string {
  return values.length === 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1] ?? ''}`;
}

/**
 * Reads a vector against the metric table: the metrics it gives, or
 * INVALID_INPUT naming the first problem. Metrics may come in any order (the
 * specification contradicts itself on that), each at most once.
 */
function readVector(vector: string): Map<string, string> {
  if (!vector.startsWith(PREFIX)) throw invalid(`must start with "${PREFIX}"`);
  const given = new Map<string, string>();
  for (const part of vector.slice(PREFIX.length).split('/')) {
    const m = /^([^:/]+):([^:/]+)$/.exec(part);
    if (!m) throw invalid(`has "${part}" where a METRIC:VALUE pair such as AV:N belongs`);
    const [, key = '', value = ''] = m;
    const metric = METRICS[key];
    if (!metric) throw invalid(`names an unknown metric ${key}`);
    if (given.has(key)) throw invalid(`gives ${metric.name} (${key}) twice`);
    if (!metric.values.includes(value)) throw invalid(`has ${key}:${value}, but ${metric.name} (${key}) takes ${orList(metric.values)}`);
    given.set(key, value);
  }
  const missing = BASE.filter((k) => !given.has(k));
  if (missing.length > 0) {
    const names = missing.map((k) => `${METRICS[k]?.name ?? k} (${k})`);
    throw invalid(`lacks the base metric${missing.length > 1 ? 's' : ''} ${orList(names).replace(/ or ([^,]*)$/, ' and $1')}`);
  }
  return given;
}

/** The vector in the specification's metric order, without metrics set to X (Not Defined). */
function canonicalVector(given: Map<string, string>): string {
  const parts = Object.keys(METRICS).flatMap((k) => {
    const v = given.get(k);
    return v === undefined || v === 'X' ? [] : [`${k}:${v}`];
  });
  return PREFIX + parts.join('/');
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
  const canonical = canonicalVector(readVector(vector.trim()));
  let score: number;
  try {
    score = new Cvss4P0(canonical).calculateScores().overall;
  } catch (error) {
    // readVector accepts only what the library reads: reaching this is a bug, not bad input.
    throw new AppError('INTERNAL', `The CVSS calculator refused a vector EvalNotes accepted: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { vector: canonical, score, rating: cvssRating(score) };
}
