import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedKey, VerifyReport } from '../../../shared/domain/bundle';
import { runCli, type CliResult } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-verify-');
const ada = join(dir.path, 'ada');
const grace = join(dir.path, 'grace');
const as = (ws: string) => (args: string[], env: Record<string, string> = PASS) => runCli(['--data-dir', ws, ...args], { env });
const adaCli = as(ada);
const graceCli = as(grace);

function ok(r: CliResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}
function oneLineFailure(r: CliResult, code: number, text: RegExp) {
  expect(r.code).toBe(code);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(text);
}

const bundle = join(dir.path, 'ada.evb');
const adaPub = join(dir.path, 'ada.pub');

beforeAll(() => {
  ok(adaCli(['init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator']));
  ok(graceCli(['init', '--name', 'Grace Hopper', '--org', 'Oversight Office', '--role', 'supervisor']));
  const engagement = (JSON.parse(ok(adaCli(['engagement', 'add', '--developer', 'Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--tlp', 'AMBER', '--json']))) as { id: string }).id;
  ok(adaCli(['finding', 'add', '--engagement', engagement, '--title', 'Exploit chain', '--kind', 'capability', '--severity', 'high']));
  ok(adaCli(['export', '--engagement', engagement, '--out', bundle]));
  ok(adaCli(['keys', 'export-public', '--out', adaPub]));
}, 60_000);
afterAll(() => dir.cleanup());

describe('evalnotes keys', () => {
  it('shows the key id and fingerprint, and exports the public key openssl reads', () => {
    const shown = JSON.parse(ok(adaCli(['keys', 'show', '--json']))) as { key_id: string; fingerprint: string; public_key_pem: string };
    expect(readFileSync(adaPub, 'utf8')).toBe(shown.public_key_pem);
    expect(ok(adaCli(['keys', 'show']))).toContain(`Fingerprint: ${shown.fingerprint}`);
  });

  it('trusts, lists and untrusts a key; refuses a bad role or file in one line', () => {
    oneLineFailure(graceCli(['keys', 'trust', adaPub, '--name', 'Ada', '--role', 'admin']), 2, /--role/);
    oneLineFailure(graceCli(['keys', 'trust', join(dir.path, 'missing.pub'), '--name', 'Ada', '--role', 'evaluator']), 1, /missing\.pub: there is no such file/);
    const trusted = JSON.parse(ok(graceCli(['keys', 'trust', adaPub, '--name', 'Ada', '--role', 'evaluator', '--json']))) as TrustedKey;
    expect((JSON.parse(ok(graceCli(['keys', 'list', '--json']))) as TrustedKey[]).map((k) => k.key_id)).toEqual([trusted.key_id]);
    expect(ok(graceCli(['verify', bundle]))).toMatch(/^Valid: signed by Ada Lovelace \(Evaluation Institute\), key [0-9a-f ]+, trusted as evaluator\.\nMarking: TLP:AMBER\n/);

    ok(graceCli(['keys', 'untrust', trusted.key_id]));
    oneLineFailure(graceCli(['verify', bundle]), 1, /^evalnotes: not valid: ada\.evb is signed by Ada, whose key \(.*\) was untrusted on \d{4}-\d{2}-\d{2}\.\n$/);
    ok(graceCli(['keys', 'trust', adaPub, '--name', 'Ada', '--role', 'evaluator']));
  });

  it('changes the passphrase: the old one no longer unlocks, the new one does', () => {
    const ws = join(dir.path, 'pp');
    const cli = as(ws);
    ok(cli(['init', '--name', 'Pat', '--org', 'Org', '--role', 'evaluator']));
    ok(cli(['keys', 'passphrase'], { ...PASS, EVALNOTES_NEW_PASSPHRASE: 'a brand new passphrase' }));
    const engagement = (JSON.parse(ok(cli(['engagement', 'add', '--developer', 'L', '--model', 'M', '--model-version', '1', '--access-start', '2026-03-01', '--json']))) as { id: string }).id;
    oneLineFailure(cli(['export', '--engagement', engagement, '--out', join(ws, 'x.evb')]), 1, /passphrase is not correct/);
    ok(cli(['export', '--engagement', engagement, '--out', join(ws, 'x.evb')], { EVALNOTES_PASSPHRASE: 'a brand new passphrase' }));
  });
});

describe('evalnotes verify', () => {
  it('exits 0 with --trust KEY.pub and needs no workspace', () => {
    const out = runCli(['--data-dir', join(dir.path, 'nowhere'), 'verify', bundle, '--trust', adaPub, '--json']);
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as VerifyReport;
    expect(report).toMatchObject({ valid: true, reason: null, signer: { name: 'Ada Lovelace', trusted_as: 'given key ada.pub' }, handling: { tlp: 'AMBER' } });
  });

  it('accepts a folder of keys with --trust DIR', () => {
    ok(runCli(['verify', bundle, '--trust', dir.path]));
  });

  it('refuses, in one line and non-zero, a bundle by an unknown key, a changed byte, a non-ZIP', () => {
    const other = join(dir.path, 'keys-other');
    const cli = as(other);
    ok(cli(['init', '--name', 'Stranger', '--org', 'Elsewhere', '--role', 'evaluator']));
    oneLineFailure(cli(['verify', bundle]), 1, /not valid: ada\.evb is signed by a key that is not trusted here \([0-9a-f ]+\): trust it with `evalnotes keys trust`/);

    const bytes = readFileSync(bundle);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x20;
    const changed = join(dir.path, 'changed.evb');
    writeFileSync(changed, bytes);
    const r = runCli(['verify', changed, '--trust', adaPub, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, reason: expect.stringMatching(/^changed\.evb /) as unknown });

    const text = join(dir.path, 'note.evb');
    writeFileSync(text, 'hello');
    oneLineFailure(runCli(['verify', text, '--trust', adaPub]), 1, /not valid: note\.evb is not a ZIP file\./);
    oneLineFailure(runCli(['verify', bundle, '--trust', join(dir.path, 'nope.pub')]), 1, /--trust .*nope\.pub: there is no such file or folder\./);
  });
});

describe('evalnotes show', () => {
  it('lists the entries with sizes and the manifest, saying it did not verify', () => {
    const out = ok(runCli(['show', bundle]));
    expect(out).toMatch(/^Not verified: run `evalnotes verify`/);
    expect(out).toMatch(/Signer \(claimed\): Ada Lovelace \(Evaluation Institute\), evaluator/);
    expect(out).toMatch(/\d+\s+bundle\.dsse\.json\n/);
    const json = JSON.parse(ok(runCli(['show', bundle, '--json']))) as { verified: boolean; entries: { name: string; size: number }[]; manifest: { handling: unknown } };
    expect(json.verified).toBe(false);
    expect(json.entries.map((e) => e.name)).toContain('records/audit.jsonl');
    expect(json.manifest.handling).toEqual({ tlp: 'AMBER' });
    oneLineFailure(runCli(['show', join(dir.path, 'note.evb')]), 1, /note\.evb is not a ZIP file/);
  });
});
