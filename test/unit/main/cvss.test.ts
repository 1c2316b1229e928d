import { describe, expect, it } from 'vitest';
import { cvssRating, scoreCvss4 } from '../../../main/services/cvss';
import { AppError } from '../../../shared/result';

/**
 * Vectors and scores published by FIRST in "Common Vulnerability Scoring System
 * v4.0: Examples" (https://www.first.org/cvss/v4.0/examples), each named by the
 * CVE it scores, plus the v4.0 calculator's default vector (9.3, Critical), which
 * the specification document uses as well. The expected score is the one FIRST
 * prints for the metrics the vector gives (CVSS-B, -BT or -BE).
 */
const FIRST_EXAMPLES: [string, string, number, string][] = [
  ['calculator default', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'Critical'],
  ['CVE-2022-41741 (Attack Requirements)', 'CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3, 'High'],
  ['CVE-2020-3549 (base)', 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.7, 'High'],
  ['CVE-2020-3549 (threat: exploit unreported)', 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 5.2, 'Medium'],
  ['CVE-2023-3089', 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N', 8.3, 'High'],
  [
    'CVE-2023-3089 (environmental)',
    'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L',
    8.1,
    'High',
  ],
  ['CVE-2021-44714 (User Interaction)', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 4.6, 'Medium'],
  ['CVE-2022-21830 (User Interaction)', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 5.1, 'Medium'],
  ['CVE-2022-22186 (subsequent system)', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 6.9, 'Medium'],
  ['CVE-2023-21989 (subsequent system)', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:N/SA:N', 5.9, 'Medium'],
  ['CVE-2020-3947 (subsequent system)', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 9.4, 'Critical'],
  ['CVE-2013-6014 (Juniper proxy ARP)', 'CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:H/SI:N/SA:H', 6.4, 'Medium'],
];

function refusal(vector: string): string {
  try {
    scoreCvss4(vector);
  } catch (e) {
    if (e instanceof AppError && e.code === 'INVALID_INPUT') return e.message;
    throw e;
  }
  throw new Error(`${vector} was accepted`);
}

describe('CVSS v4.0 scoring', () => {
  it.each(FIRST_EXAMPLES)('scores FIRST’s example %s', (_name, vector, score, rating) => {
    expect(scoreCvss4(vector)).toEqual({ vector, score, rating });
  });

  it('scores a vector with no impact at all as 0.0, rated None', () => {
    expect(scoreCvss4('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N')).toMatchObject({ score: 0, rating: 'None' });
  });

  it('rates scores on the specification’s scale', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(cvssRating)).toEqual(['None', 'Low', 'Low', 'Medium', 'Medium', 'High', 'High', 'Critical', 'Critical']);
  });

  it('stores the vector in the specification’s order without Not Defined metrics', () => {
    const shuffled = 'CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:X';
    expect(scoreCvss4(shuffled)).toEqual({ vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, rating: 'Critical' });
  });
});

describe('CVSS v4.0 validation', () => {
  it.each([
    ['another version', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /must start with "CVSS:4\.0\/"/],
    ['no prefix', 'AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', /must start with/],
    ['a bad value', 'CVSS:4.0/AV:Q/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', /AV:Q, but Attack Vector \(AV\) takes N, A, L or P/],
    ['an unknown metric', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/ZZ:1', /unknown metric ZZ/],
    ['a metric twice', 'CVSS:4.0/AV:N/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', /Attack Vector \(AV\) twice/],
    ['a missing base metric', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N', /lacks the base metric Subsequent System Availability \(SA\)/],
    ['two missing base metrics', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N', /base metrics Subsequent System Integrity \(SI\) and Subsequent System Availability \(SA\)/],
    ['a base metric left Not Defined', 'CVSS:4.0/AV:X/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', /AV:X/],
    ['Safety on a base metric', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N', /SI:S, but Subsequent System Integrity \(SI\) takes H, L or N/],
    ['a trailing slash', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/', /has "" where a METRIC:VALUE pair/],
    ['garbage', 'CVSS:4.0/garbage', /has "garbage" where a METRIC:VALUE pair/],
  ])('refuses %s with a sentence naming the problem', (_name, vector, message) => {
    const text = refusal(vector);
    expect(text).toMatch(message);
    expect(text).toMatch(/^The CVSS v4\.0 vector .*\.$/);
  });

  it('accepts Safety (S) on the modified subsequent-system metrics, where the specification allows it', () => {
    expect(scoreCvss4('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSI:S').score).toBeGreaterThan(9.3);
  });
});
