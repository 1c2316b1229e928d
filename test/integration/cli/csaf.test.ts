import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/domain/finding';
import { runCli, expectOneLineFailure, ok } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';
import { csafErrors } from '../../helpers/csafValidator';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-csaf-');
const ws = join(dir.path, 'ws');
const out = join(dir.path, 'out');
const cli = (args: string[]) => runCli(['--data-dir', ws, ...args]);
const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

let engagement = '';
let vuln: Finding;
const description = join(dir.path, 'description.md');
const remediation = join(dir.path, 'remediation.md');

beforeAll(() => {
  mkdirSync(out);
  ok(runCli(['--data-dir', ws, 'init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator'], { env: PASS }));
  const e = cli(['engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--tlp', 'AMBER+STRICT', '--json']);
  engagement = (JSON.parse(ok(e)) as { id: string }).id;
  writeFileSync(description, 'The decoder trusts the row length in the header.\n');
  writeFileSync(remediation, 'Upgrade to 2.4.1.\n');
  vuln = JSON.parse(
    ok(
      cli([
        'finding', 'add', '--engagement', engagement, '--title', 'Heap overflow in the PNG decoder', '--kind', 'software-vulnerability', '--severity', 'critical',
        '--description-file', description, '--remediation-file', remediation, '--cwe', 'CWE-787', '--cwe-name', 'Out-of-bounds Write', '--cwe', 'CWE-20',
        '--cvss31', V31, '--vendor', 'Acme', '--product', 'Imaging Library', '--product-version', '2.4.0', '--cve', 'CVE-2026-12345', '--json',
      ]),
    ),
  ) as Finding;
});
afterAll(() => dir.cleanup());

describe('evalnotes finding --cvss31', () => {
  it('stores and shows the v3.1 vector with its score, and edit replaces and clears it', () => {
    expect(vuln.cvss31).toEqual({ vector: V31, score: 9.8, rating: 'Critical' });
    expect(ok(cli(['finding', 'show', vuln.id]))).toContain(`cvss 3.1:    9.8 Critical (${V31})`);

    const f = JSON.parse(ok(cli(['finding', 'add', '--engagement', engagement, '--title', 'T', '--kind', 'software-vulnerability', '--severity', 'low', '--json']))) as Finding;
    const edited = JSON.parse(ok(cli(['finding', 'edit', f.id, '--cvss31', 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', '--json']))) as Finding;
    expect(edited.cvss31).toEqual({ vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', score: 7.8, rating: 'High' });
    const cleared = JSON.parse(ok(cli(['finding', 'edit', f.id, '--clear', 'cvss31', '--json']))) as Finding;
    expect(cleared).not.toHaveProperty('cvss31');
  });

  it('refuses a bad vector in one line, naming the flag or the metric', () => {
    expectOneLineFailure(cli(['finding', 'edit', vuln.id, '--cvss31', 'CVSS:4.0/AV:N']), 1, /^evalnotes: --cvss31: must be a CVSS v3\.1 vector starting with "CVSS:3\.1\/"$/m);
    expectOneLineFailure(cli(['finding', 'edit', vuln.id, '--cvss31', 'CVSS:3.1/AV:N/AC:L']), 1, /The CVSS v3\.1 vector lacks the base metrics/);
  });
});

describe('evalnotes csaf', () => {
  it('writes a valid CSAF 2.0 advisory and says what it wrote', () => {
    const file = join(out, 'advisory.json');
    const stdout = ok(cli(['csaf', '--finding', vuln.id, '--out', file]));
    expect(stdout).toBe(`CSAF advisory EVALNOTES-${vuln.id} (draft, version 1, TLP:AMBER+STRICT)\n  written to ${file} (${readFileSync(file).length} bytes)\n`);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      document: { distribution: unknown; publisher: { namespace: string } };
      vulnerabilities: { cwe: unknown; notes: { title: string; text: string }[]; scores: unknown; remediations: unknown }[];
    };
    expect(csafErrors(doc)).toEqual([]);
    expect(doc.document.distribution).toEqual({ tlp: { label: 'AMBER' }, text: 'TLP:AMBER+STRICT' });
    expect(doc.vulnerabilities[0]?.cwe).toEqual({ id: 'CWE-787', name: 'Out-of-bounds Write' });
    expect(doc.vulnerabilities[0]?.notes.find((n) => n.title === 'Other weaknesses (CWE)')?.text).toBe('CWE-20');
    expect(doc.vulnerabilities[0]?.scores).toEqual([{ products: ['CSAFPID-0001'], cvss_v3: { version: '3.1', vectorString: V31, baseScore: 9.8, baseSeverity: 'CRITICAL' } }]);
  });

  it('--json prints the summary, and --namespace sets the publisher’s namespace', () => {
    const file = join(out, 'with-namespace.json');
    const summary = JSON.parse(ok(cli(['csaf', '--finding', vuln.id, '--out', file, '--namespace', 'https://csirt.example.org', '--json']))) as Record<string, unknown>;
    expect(summary).toEqual({
      tracking_id: `EVALNOTES-${vuln.id}`,
      file_name: `evalnotes-${vuln.id}.json`,
      bytes: readFileSync(file).length,
      status: 'draft',
      version: '1',
      marking: 'TLP:AMBER+STRICT',
      download_url: null,
      file,
    });
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { document: { publisher: { namespace: string } } };
    expect(csafErrors(doc)).toEqual([]);
    expect(doc.document.publisher.namespace).toBe('https://csirt.example.org/');
  });

  it('refuses in one line what CSAF cannot carry, and writes nothing', () => {
    const before = readdirSync(out);
    const capability = JSON.parse(
      ok(cli(['finding', 'add', '--engagement', engagement, '--title', 'Jailbreak', '--kind', 'capability', '--severity', 'high', '--json'])),
    ) as Finding;
    expectOneLineFailure(cli(['csaf', '--finding', capability.id, '--out', join(out, 'x.json')]), 1, /^evalnotes: Only software-vulnerability findings export as CSAF advisories; this one is of kind capability\.$/m);
    const bare = JSON.parse(ok(cli(['finding', 'add', '--engagement', engagement, '--title', 'Bare', '--kind', 'software-vulnerability', '--severity', 'low', '--json']))) as Finding;
    expectOneLineFailure(cli(['csaf', '--finding', bare.id, '--out', join(out, 'x.json')]), 1, /needs the affected product/);
    expect(readdirSync(out)).toEqual(before);
  });

  it('refuses bad flags as usage or input errors in one line', () => {
    expectOneLineFailure(cli(['csaf', '--finding', vuln.id]), 2, /required option '--out <file\.json>' not specified/);
    expectOneLineFailure(cli(['csaf', '--finding', 'nope', '--out', join(out, 'x.json')]), 1, /^evalnotes: --finding: /m);
    expectOneLineFailure(cli(['csaf', '--finding', vuln.id, '--out', join(out, 'x.json'), '--namespace', 'not a url']), 1, /^evalnotes: --namespace: must be an http or https URL/m);
    expectOneLineFailure(cli(['csaf', '--finding', vuln.id, '--out', join(dir.path, 'missing', 'x.json')]), 1, /its folder does not exist/);
    expectOneLineFailure(cli(['csaf', '--finding', vuln.id, '--out', out]), 1, /that is a folder; name a file/);
    expect(existsSync(join(out, 'x.json'))).toBe(false);
  });
});
