import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../../../shared/domain/bundle';
import type { ApiError } from '../../../shared/result';
import { runCli, type CliResult } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-ingest-');
const as = (ws: string) => (args: string[]) => runCli(['--data-dir', ws, ...args], { env: PASS });
const adaCli = as(join(dir.path, 'ada'));
const graceCli = as(join(dir.path, 'grace'));

function ok(r: CliResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

type FileResult = { file: string; ingested: true; summary: IngestSummary } | { file: string; ingested: false; error: ApiError };

const bundle = join(dir.path, 'ada.evb');
const adaPub = join(dir.path, 'ada.pub');
const notZip = join(dir.path, 'notes.evb');
let findingId: string;

beforeAll(() => {
  ok(adaCli(['init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator']));
  ok(graceCli(['init', '--name', 'Grace Hopper', '--org', 'Oversight Office', '--role', 'supervisor']));
  const engagement = (JSON.parse(ok(adaCli(['engagement', 'add', '--developer', 'Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--tlp', 'AMBER', '--json']))) as { id: string }).id;
  findingId = (JSON.parse(ok(adaCli(['finding', 'add', '--engagement', engagement, '--title', 'Exploit chain', '--kind', 'capability', '--severity', 'high', '--json']))) as { id: string }).id;
  ok(adaCli(['export', '--engagement', engagement, '--out', bundle]));
  ok(adaCli(['keys', 'export-public', '--out', adaPub]));
  writeFileSync(notZip, 'not a bundle\n');
}, 60_000);
afterAll(() => dir.cleanup());

describe('evalnotes ingest', () => {
  it('prints the signer and what was added; again with --json, everything is skipped', () => {
    ok(graceCli(['keys', 'trust', adaPub, '--name', 'Ada', '--role', 'evaluator']));
    const out = ok(graceCli(['ingest', bundle]));
    expect(out).toMatch(/^.*ada\.evb: signed by Ada Lovelace \(evaluator\), key [0-9a-f ]+\n {2}Marking: TLP:AMBER\n/);
    expect(out).toContain('  Records: 2 added, 0 updated, 0 skipped (added/updated/skipped: engagements 1/0/0, findings 1/0/0)');
    expect(out).toContain('  Waiting: nothing');

    const again = JSON.parse(ok(graceCli(['ingest', bundle, '--json']))) as FileResult[];
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ ingested: true, summary: { totals: { added: 0, updated: 0, skipped: 2 }, waiting: [] } });
    expect(ok(graceCli(['findings', '--json']))).toContain(findingId);
    ok(graceCli(['audit', 'verify']));
  });

  it('refuses a file that is not a bundle in one line, exit 1, and still merges the next file', () => {
    const fresh = as(join(dir.path, 'fresh'));
    ok(fresh(['init', '--name', 'Clearinghouse', '--org', 'CH', '--role', 'supervisor']));
    // --trust: exactly this key for this ingest, the trust store untouched.
    const r = fresh(['ingest', notZip, bundle, '--trust', adaPub]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('evalnotes: not ingested: notes.evb is not a ZIP file.\n');
    expect(r.stdout).toContain('ada.evb: signed by Ada Lovelace (evaluator)');
    expect(r.stdout).toContain('Records: 2 added');
    expect(JSON.parse(ok(fresh(['keys', 'list', '--json'])))).toEqual([]);

    // Without --trust, the unknown signer is refused; --json names the file and the reason.
    const refused = fresh(['ingest', bundle, '--json']);
    expect(refused.code).toBe(1);
    const results = JSON.parse(refused.stdout) as FileResult[];
    expect(results).toMatchObject([{ file: bundle, ingested: false, error: { code: 'INVALID_INPUT' } }]);
    expect(results[0]?.ingested === false && results[0].error.message).toMatch(/ada\.evb is signed by a key that is not trusted here/);
  });
});
