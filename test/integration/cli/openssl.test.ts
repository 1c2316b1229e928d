/**
 * The README's "verify with standard tools" recipe, run step by step with the
 * system's unzip, sha256sum, jq, base64 and openssl, exactly as documented.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-openssl-');
const ws = join(dir.path, 'ws');
const cli = (args: string[]) => runCli(['--data-dir', ws, ...args], { env: PASS });
const sh = (script: string, cwd: string) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  expect(cli(['init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator']).code).toBe(0);
  const eng = JSON.parse(cli(['engagement', 'add', '--developer', 'Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--json']).stdout) as { id: string };
  expect(cli(['finding', 'add', '--engagement', eng.id, '--title', 'Exploit chain', '--kind', 'capability', '--severity', 'high']).code).toBe(0);
  expect(cli(['export', '--engagement', eng.id, '--out', join(dir.path, 'bundle.evb')]).code).toBe(0);
  expect(cli(['keys', 'export-public', '--out', join(dir.path, 'signer.pub')]).code).toBe(0);
}, 60_000);
afterAll(() => dir.cleanup());

/** The README recipe, verbatim (README.md, "Verify a bundle with standard tools"). */
const RECIPE = `
mkdir -p b && unzip -q bundle.evb -d b && cd b
jq -r .payload bundle.dsse.json | base64 -d > statement.json
jq -r '.signatures[0].sig' bundle.dsse.json | base64 -d > sig.bin
printf 'DSSEv1 %d %s %d ' 28 application/vnd.in-toto+json "$(stat -c %s statement.json)" > pae.bin
cat statement.json >> pae.bin
openssl pkeyutl -verify -pubin -inkey ../signer.pub -rawin -in pae.bin -sigfile sig.bin
jq -r '.subject[] | "\\(.digest.sha256)  \\(.name)"' statement.json | sha256sum --check --quiet
test "$(jq -r '.subject[].name' statement.json)" = "$(find . -type f ! -name bundle.dsse.json ! -name statement.json ! -name sig.bin ! -name pae.bin | sed 's|^\\./||' | LC_ALL=C sort)"
echo ALL CHECKS PASSED
`;

describe('verifying with only unzip, sha256sum, jq, base64 and openssl', () => {
  it('the README recipe accepts a bundle EvalNotes wrote', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(RECIPE.trim());
    const out = sh(RECIPE, dir.path);
    expect(out).toContain('Signature Verified Successfully');
    expect(out.trimEnd().endsWith('ALL CHECKS PASSED')).toBe(true);
  });

  it('the recipe refuses a changed record', () => {
    const work = join(dir.path, 'tampered');
    mkdirSync(work);
    copyFileSync(join(dir.path, 'signer.pub'), join(work, 'signer.pub'));
    // Change one letter of the finding's title inside the ZIP (stored, so the bytes are plain).
    const bytes = readFileSync(join(dir.path, 'bundle.evb'));
    const at = bytes.indexOf('Exploit chain');
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'X'.charCodeAt(0);
    writeFileSync(join(work, 'bundle.evb'), bytes);
    expect(() => sh(RECIPE, work)).toThrow();
    // Past unzip's CRC complaint, the digests refuse it too.
    expect(() => sh(RECIPE.replace('unzip -q bundle.evb -d b', '{ unzip -q bundle.evb -d b || true; }'), work)).toThrow(/FAILED|did NOT match/);
  });
});
