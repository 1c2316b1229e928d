import { describe, expect, it } from 'vitest';
import { cvss31Scores, cvssRating, scoreCvss31, scoreCvss4 } from '../../../main/services/cvss';
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

/**
 * Base vectors and scores from FIRST's "CVSS v3.1: Examples"
 * (https://www.first.org/cvss/v3.1/examples), named by the CVE they score.
 */
const FIRST_31_EXAMPLES: [string, string, number, string][] = [
  ['CVE-2013-1937 (phpMyAdmin reflected XSS)', 'AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'Medium'],
  ['CVE-2013-0375 (MySQL stored SQL injection)', 'AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4, 'Medium'],
  ['CVE-2014-3566 (SSLv3 POODLE)', 'AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1, 'Low'],
  ['CVE-2012-1516 (VMware guest to host escape)', 'AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9, 'Critical'],
  ['CVE-2014-0160 (Heartbleed)', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'High'],
  ['CVE-2014-6271 (Shellshock)', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'Critical'],
  ['CVE-2008-1447 (DNS cache poisoning)', 'AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8, 'Medium'],
  ['CVE-2014-2005 (Sophos login screen bypass)', 'AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8, 'Medium'],
  ['CVE-2013-6014 (Juniper proxy ARP)', 'AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H', 9.3, 'Critical'],
  ['CVE-2016-1645 (Chrome PDFium)', 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8, 'High'],
];

describe('CVSS v3.1 scoring', () => {
  it.each(FIRST_31_EXAMPLES)('scores FIRST’s example %s', (_name, metrics, score, rating) => {
    const vector = `CVSS:3.1/${metrics}`;
    expect(scoreCvss31(vector)).toEqual({ vector, score, rating });
    expect(cvss31Scores(vector)).toEqual({ base: score, temporal: null, environmental: null });
  });

  it('scores the most specific group the vector gives, and keeps every group’s score for CSAF', () => {
    // Temporal: 9.8 × E:U 0.91 × RL:O 0.95 × RC:C 1 = 8.47, rounded up to 8.5.
    expect(scoreCvss31('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C')).toMatchObject({ score: 8.5, rating: 'High' });
    expect(cvss31Scores('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C')).toEqual({ base: 9.8, temporal: 8.5, environmental: null });
    // Environmental only: the requirement cannot raise an impact already at its cap.
    expect(cvss31Scores('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H')).toEqual({ base: 9.8, temporal: null, environmental: 9.8 });
    // A modified scope changes the environmental score: 10.0 with MS:C.
    expect(scoreCvss31('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MS:C')).toMatchObject({ score: 10, rating: 'Critical' });
  });

  it('stores the vector in the specification’s order without Not Defined metrics', () => {
    expect(scoreCvss31('CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:X/MAV:X').vector).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
  });
});

describe('CVSS v3.1 validation', () => {
  it.each([
    ['another version', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /must start with "CVSS:3\.1\/"/],
    ['a v4.0 metric', 'CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H', /unknown metric AT/],
    ['a bad value', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:A/S:U/C:H/I:H/A:H', /UI:A, but User Interaction \(UI\) takes N or R/],
    ['a metric twice', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L', /Availability \(A\) twice/],
    ['a missing base metric', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H', /lacks the base metric Scope \(S\)/],
    ['a base metric left Not Defined', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:X/I:H/A:H', /C:X, but Confidentiality \(C\) takes H, L or N/],
  ])('refuses %s with a sentence naming the problem', (_name, vector, message) => {
    let text = '';
    try {
      scoreCvss31(vector);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'INVALID_INPUT') throw e;
      text = e.message;
    }
    expect(text).toMatch(message);
    expect(text).toMatch(/^The CVSS v3\.1 vector .*\.$/);
  });
});
