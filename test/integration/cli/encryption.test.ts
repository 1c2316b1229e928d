import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/app';
import { expectOneLineFailure, ok, runCli } from '../../helpers/cli';
import { fixture } from '../../helpers/fixtures';

const PASSPHRASE = 'correct horse battery staple';
const PASS = { EVALNOTES_PASSPHRASE: PASSPHRASE };
const dir = tempDir('evalnotes-cli-encryption-');
const ws = join(dir.path, 'ws');
const cli = (args: string[], env: Record<string, string> = PASS) => runCli(['--data-dir', ws, ...args], { env });
const json = <T>(args: string[]): T => JSON.parse(ok(cli([...args, '--json']))) as T;

const MARKER = 'CLI-ENCRYPTION-MARKER-7f3a';
/** Every command derives the key with scrypt at N = 2^17 (real workspaces' cost): a dozen commands take a while. */
const SLOW = 180_000;
const LOG = fixture('inspect_json', 'inspect_ai__2025-05-12_security-guide.json');

function allFiles(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(d, e.name)) : [join(d, e.name)]));
}
const plaintextIn = (d: string, needle: string) => allFiles(d).filter((f) => readFileSync(f).includes(needle));

let engagement = '';
let finding = '';

beforeAll(() => {
  const init = json<{ encrypted: boolean; identity: { name: string } }>(['init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator', '--encrypt']);
  expect(init).toMatchObject({ encrypted: true, identity: { name: 'Ada Lovelace' } });
  engagement = json<{ id: string }>(['engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01']).id;
  finding = json<{ id: string }>(['finding', 'add', '--engagement', engagement, '--title', `Bypass ${MARKER}`, '--kind', 'safeguard-bypass', '--severity', 'high']).id;
}, SLOW);
afterAll(() => dir.cleanup());

describe('the CLI on an encrypted workspace', () => {
  it('works as on a plain one given the passphrase: attach, import, list, search, export, verify, audit, summary', () => {
    const evidence = join(dir.path, 'evidence.txt');
    writeFileSync(evidence, `${MARKER} evidence\n`);
    ok(cli(['attach', '--to', finding, evidence]));
    const imported = json<{ files: { status: string; samples: number }[] }>(['import', LOG, '--engagement', engagement]);
    expect(imported.files).toMatchObject([{ status: 'imported', samples: 3 }]);
    expect(json<{ title: string }[]>(['findings']).map((f) => f.title)).toEqual([`Bypass ${MARKER}`]);
    expect(json<{ hits: unknown[] }>(['search', 'SQL', 'Injection']).hits).toHaveLength(1);
    const out = join(dir.path, 'out.evb');
    ok(cli(['export', '--engagement', engagement, '--out', out]));
    expect(readFileSync(out).includes(`${MARKER} evidence`)).toBe(true);
    expect(json<{ valid: boolean }>(['verify', out]).valid).toBe(true);
    expect(json<{ ok: boolean }>(['audit', 'verify']).ok).toBe(true);
    expect(json<{ engagements: unknown[] }>(['summary']).engagements).toHaveLength(1);
    expect(plaintextIn(ws, MARKER)).toEqual([]);
    expect(plaintextIn(ws, 'How do I prevent SQL Injection attacks?')).toEqual([]);
  }, SLOW);

  it('refuses a wrong passphrase, and a missing one, in one line', () => {
    expectOneLineFailure(cli(['findings'], { EVALNOTES_PASSPHRASE: 'not the passphrase at all' }), 1, /^evalnotes: That passphrase is not correct\.\n$/);
    expectOneLineFailure(cli(['findings'], {}), 1, /No passphrase: set EVALNOTES_PASSPHRASE/);
    expectOneLineFailure(cli(['init', '--name', 'Eve', '--org', 'X', '--role', 'evaluator', '--encrypt']), 1, /already has an identity/);
  }, SLOW);

  it('decrypts and encrypts again without losing a record, an audit event or a file', () => {
    const before = { findings: ok(cli(['findings', '--json'])), audit: json<{ events: number; head: string }>(['audit', 'verify']) };
    const plain = json<{ encrypted: boolean; audit_events: number; blobs: number }>(['decrypt']);
    expect(plain).toMatchObject({ encrypted: false, audit_events: before.audit.events, blobs: 2 });
    expect(existsSync(join(ws, 'workspace-key.json'))).toBe(false);
    expect(plaintextIn(ws, MARKER).length).toBeGreaterThan(0);
    // A plain workspace needs no passphrase to list.
    expect(ok(cli(['findings', '--json'], {}))).toBe(before.findings);

    expect(json<{ encrypted: boolean }>(['encrypt'])).toMatchObject({ encrypted: true });
    expect(plaintextIn(ws, MARKER)).toEqual([]);
    expect(ok(cli(['findings', '--json']))).toBe(before.findings);
    expect(json<{ events: number; head: string }>(['audit', 'verify'])).toMatchObject({ events: before.audit.events, head: before.audit.head });
    expectOneLineFailure(cli(['encrypt']), 1, /is encrypted already/);
  }, SLOW);
});
