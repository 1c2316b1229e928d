import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_TYPE, preAuthEncoding, type DsseEnvelope, type ExportSummary } from '../../../shared/domain/bundle';
import { runCli, type CliResult } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';
import { Workspace } from '../../../main/workspace/workspace';
import { unzipIndependently } from '../../helpers/zipWriter';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-export-');
const ws = join(dir.path, 'ws');
const cli = (args: string[], env: Record<string, string> = PASS) => runCli(['--data-dir', ws, ...args], { env });

function ok(r: CliResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}
function expectOneLineFailure(r: CliResult, code: number, text: RegExp) {
  expect(r.stdout).toBe('');
  expect(r.code).toBe(code);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(text);
}

let engagement = '';
let finding = '';
let otherFinding = '';

beforeAll(() => {
  ok(runCli(['--data-dir', ws, 'init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator'], { env: PASS }));
  engagement = (JSON.parse(ok(cli(['engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--tlp', 'RED', '--json']))) as { id: string }).id;
  const add = (title: string) => (JSON.parse(ok(cli(['finding', 'add', '--engagement', engagement, '--title', title, '--kind', 'capability', '--severity', 'high', '--json']))) as { id: string }).id;
  finding = add('Exploit chain');
  otherFinding = add('Second finding');
  ok(cli(['threshold', 'add', '--engagement', engagement, '--task', 'cyber', '--metric', 'accuracy', '--comparison', '>=', '--value', '0.35']));
});
afterAll(() => dir.cleanup());

describe('evalnotes export', () => {
  it('writes a signed bundle and prints the marking, counts, id and file', () => {
    const out = join(dir.path, 'all.evb');
    const text = ok(cli(['export', '--engagement', engagement, '--out', out]));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('TLP:RED');
    expect(lines[1]).toMatch(/^Bundle [0-9a-f]{64}$/);
    expect(lines[2]).toBe('  1 engagements, 2 findings, 0 attachments, 0 forwarded bundles');
    expect(lines[3]).toMatch(new RegExp(`^  written to ${out} \\(\\d+ bytes\\)$`));
  });

  it('--json: the summary; --finding narrows; --include-thresholds adds them; the signature verifies', async () => {
    const out = join(dir.path, 'one.evb');
    const summary = JSON.parse(ok(cli(['export', '--engagement', engagement, '--out', out, '--finding', finding, '--include-thresholds', '--json']))) as ExportSummary;
    expect(summary.counts.records).toMatchObject({ engagements: 1, findings: 1, thresholds: 1 });
    expect(summary.file).toBe(out);
    expect(summary.bytes).toBe(readFileSync(out).length);

    const { members } = await unzipIndependently(out);
    expect([...members.keys()].some((n) => n.includes(otherFinding))).toBe(false);
    const envelope = JSON.parse(members.get('bundle.dsse.json')!.toString()) as DsseEnvelope;
    expect((JSON.parse(ok(cli(['audit', 'verify', '--json']))) as { ok: boolean }).ok).toBe(true);
    const pem = publicKeyPem();
    const signed = verify(null, preAuthEncoding(PAYLOAD_TYPE, Buffer.from(envelope.payload, 'base64')), createPublicKey(pem), Buffer.from(envelope.signatures[0]!.sig, 'base64'));
    expect(signed).toBe(true);
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as { subject: { name: string; digest: { sha256: string } }[] };
    for (const s of statement.subject) expect(createHash('sha256').update(members.get(s.name)!).digest('hex')).toBe(s.digest.sha256);
  });

  it('exports the same selection twice byte for byte', () => {
    const a = join(dir.path, 'a.evb');
    const b = join(dir.path, 'b.evb');
    ok(cli(['export', '--engagement', engagement, '--out', a, '--json']));
    ok(cli(['export', '--engagement', engagement, '--out', b, '--json']));
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('refuses in one line: a wrong passphrase, a missing folder, a finding that is not in the engagement, a non-bundle to forward', () => {
    const out = join(dir.path, 'x.evb');
    expectOneLineFailure(cli(['export', '--engagement', engagement, '--out', out], { EVALNOTES_PASSPHRASE: 'wrong passphrase!!' }), 1, /passphrase is not correct/);
    expectOneLineFailure(cli(['export', '--engagement', engagement, '--out', join(dir.path, 'nope', 'x.evb')]), 1, /its folder does not exist/);
    expectOneLineFailure(cli(['export', '--engagement', engagement, '--out', out, '--finding', engagement]), 1, /is not one of your findings/);
    const text = join(dir.path, 'plain.txt');
    writeFileSync(text, 'not a zip');
    expectOneLineFailure(cli(['export', '--engagement', engagement, '--out', out, '--forward', text]), 1, /plain\.txt is not a ZIP file\. It cannot be forwarded\./);
    expectOneLineFailure(cli(['export', '--engagement', 'not-an-id', '--out', out]), 1, /engagement/);
    expect(existsSync(out)).toBe(false);
  });
});

/** The workspace's public key (SPKI PEM), read from its identity. */
function publicKeyPem(): string {
  const w = Workspace.open({ dataDir: ws });
  try {
    return w.requireIdentity().public_key_pem;
  } finally {
    w.close();
  }
}
