import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, FindingRow, FindingView } from '../../../shared/domain/finding';
import { runCli, expectOneLineFailure, ok } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-findings-');
const ws = join(dir.path, 'ws');
const cli = (args: string[]) => runCli(['--data-dir', ws, ...args]);
const VECTOR = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

let engagement = '';
const markdown = join(dir.path, 'description.md');

beforeAll(() => {
  ok(runCli(['--data-dir', ws, 'init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator'], { env: PASS }));
  engagement = (JSON.parse(ok(cli(['engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--json']))) as { id: string }).id;
  writeFileSync(markdown, '# What happens\n\nThe widget runs `<script>` from the query string.\n');
});
afterAll(() => dir.cleanup());

describe('evalnotes finding', () => {
  let id = '';

  it('adds a finding with every field and prints it as JSON', () => {
    const f = JSON.parse(
      ok(
        cli([
          'finding', 'add', '--engagement', engagement, '--title', 'XSS in the widget', '--kind', 'software-vulnerability', '--severity', 'high',
          '--description-file', markdown, '--cwe', 'CWE-79', '--cwe-name', 'Cross-site Scripting', '--cwe', 'CWE-80', '--cvss', VECTOR,
          '--atlas', 'AML.T0051', '--atlas', 'AML.T0051.001', '--tag', 'xss', '--tag', 'web', '--product', 'Widget', '--vendor', 'Acme',
          '--product-version', '1.2', '--cve', 'CVE-2024-12345', '--json',
        ]),
      ),
    ) as Finding;
    expect(f).toMatchObject({
      type: 'finding', engagement_id: engagement, title: 'XSS in the widget', kind: 'software-vulnerability', severity: 'high', status: 'draft', revision: 1,
      description: '# What happens\n\nThe widget runs `<script>` from the query string.\n',
      cwe: [{ id: 'CWE-79', name: 'Cross-site Scripting' }, { id: 'CWE-80' }],
      cvss: { vector: VECTOR, score: 9.3, rating: 'Critical' },
      atlas: ['AML.T0051', 'AML.T0051.001'], tags: ['xss', 'web'],
      affected: { vendor: 'Acme', product: 'Widget', version: '1.2' }, cve_id: 'CVE-2024-12345',
    });
    id = f.id;
  });

  it('lists findings for people and for scripts, and filters by engagement', () => {
    expect(ok(cli(['findings']))).toMatch(new RegExp(`${id}\\s+high\\s+9\\.3\\s+draft\\s+software-vulnerability\\s+XSS in the widget`));
    const rows = JSON.parse(ok(cli(['findings', '--engagement', engagement, '--json']))) as FindingRow[];
    expect(rows).toEqual([expect.objectContaining({ id, title: 'XSS in the widget', cvss_score: 9.3, shown_status: 'draft', tags: ['xss', 'web'] })]);
    expect(JSON.parse(ok(cli(['findings', '--severity', 'low', '--json'])))).toEqual([]);
  });

  it('edits only the fields given, clears with --clear, and raises the revision', () => {
    const f = JSON.parse(ok(cli(['finding', 'edit', id, '--title', 'Stored XSS in the widget', '--clear', 'cvss', '--clear', 'tags', '--vendor', 'Acme Corp', '--json']))) as Finding;
    expect(f).toMatchObject({ revision: 2, title: 'Stored XSS in the widget', tags: [], affected: { vendor: 'Acme Corp', product: 'Widget', version: '1.2' }, cwe: [{ id: 'CWE-79', name: 'Cross-site Scripting' }, { id: 'CWE-80' }] });
    expect(f.cvss).toBeUndefined();
    expect(f.description).toContain('<script>');
  });

  it('moves a finding through its lifecycle and refuses what only a supervisor may do', () => {
    expect(ok(cli(['finding', 'set-status', id, 'submitted']))).toBe(`Finding ${id} is now submitted (revision 3).\n`);
    for (const status of ['validated', 'rejected']) {
      expectOneLineFailure(cli(['finding', 'set-status', id, status]), 1, new RegExp(`^evalnotes: Only a supervisor’s review can mark a finding ${status}; set-status takes draft, submitted, remediated, withdrawn\\.\\n$`));
    }
    expectOneLineFailure(cli(['finding', 'set-status', id, 'remediated']), 1, /needs a supervisor’s validation first/);
    expectOneLineFailure(cli(['finding', 'set-status', id, 'submitted']), 1, /already submitted; nothing was changed/);
    const withdrawn = JSON.parse(ok(cli(['finding', 'set-status', id, 'withdrawn', '--json']))) as Finding;
    expect(withdrawn).toMatchObject({ status: 'withdrawn', revision: 4 });
    expectOneLineFailure(cli(['finding', 'set-status', id, 'submitted']), 1, /A withdrawn finding cannot be set to submitted; it can go to draft\./);
  });

  it('shows one finding with its text, and as JSON with the status it shows', () => {
    const text = ok(cli(['finding', 'show', id]));
    expect(text).toMatch(/^Stored XSS in the widget\n/);
    expect(text).toMatch(/status:\s+withdrawn/);
    expect(text).toMatch(/cwe:\s+CWE-79 Cross-site Scripting; CWE-80/);
    expect(text).toContain('## Description\n# What happens');
    const view = JSON.parse(ok(cli(['finding', 'show', id, '--json']))) as FindingView;
    expect(view).toMatchObject({ shown_status: 'withdrawn', notes: 0, finding: { id, revision: 4 } });
  });

  it('refuses bad input in one line that names the flag, and changes nothing', () => {
    const add = ['finding', 'add', '--engagement', engagement, '--kind', 'other', '--severity', 'low'];
    expectOneLineFailure(cli([...add, '--title', '  ']), 1, /^evalnotes: --title: must not be empty/);
    expectOneLineFailure(cli([...add, '--title', 'x', '--cvss', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:Z']), 1, /SA:Z, but Subsequent System Availability \(SA\) takes H, L or N/);
    expectOneLineFailure(cli([...add, '--title', 'x', '--cwe', '79']), 1, /^evalnotes: --cwe: must be a CWE id such as CWE-79/);
    expectOneLineFailure(cli([...add, '--title', 'x', '--atlas', 'T0051']), 1, /^evalnotes: --atlas: must be a MITRE ATLAS technique id/);
    expectOneLineFailure(cli([...add, '--title', 'x', '--cve', 'CVE-24']), 1, /^evalnotes: --cve: must be a CVE id/);
    expectOneLineFailure(cli([...add, '--title', 'x', '--description-file', join(dir.path, 'missing.md')]), 1, /--description-file .*missing\.md: there is no such file\./);
    expectOneLineFailure(cli([...add, '--title', 'x', '--vendor', 'Acme']), 1, /give --product too/);
    expectOneLineFailure(cli([...add, '--title', 'x', '--cwe-name', 'Orphan']), 2, /--cwe-name.*give it after the --cwe it names/);
    expectOneLineFailure(cli([...add, '--title', 'x', '--kind', 'bug']), 2, /--kind/);
    expectOneLineFailure(cli(['finding', 'add', '--engagement', engagement, '--title', 'x', '--kind', 'other']), 2, /--severity/);
    expectOneLineFailure(cli(['finding', 'edit', id]), 1, /Nothing to change/);
    expectOneLineFailure(cli(['finding', 'edit', id, '--clear', 'everything']), 1, /--clear takes one of cvss, cvss31, cve, affected/);
    expectOneLineFailure(cli(['finding', 'show', 'not-an-id']), 1, /^evalnotes: ID: must be a UUIDv7 record id/);
    expect(JSON.parse(ok(cli(['findings', '--json'])))).toHaveLength(1);
  });

  it('has help for every finding command', () => {
    for (const cmd of [['findings'], ['finding', 'add'], ['finding', 'edit'], ['finding', 'set-status'], ['finding', 'show']]) {
      expect(runCli([...cmd, '--help']).code).toBe(0);
    }
    expect(runCli(['finding', 'add', '--help']).stdout).toContain('--product-version');
  });
});
