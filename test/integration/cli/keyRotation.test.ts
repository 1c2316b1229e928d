import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedKey } from '../../../shared/domain/bundle';
import type { Identity } from '../../../shared/domain/identity';
import { tempDir } from '../../helpers/app';
import { expectOneLineFailure, ok, runCli } from '../../helpers/cli';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-rotation-');
const as = (ws: string) => (args: string[], env: Record<string, string> = PASS) => runCli(['--data-dir', join(dir.path, ws), ...args], { env });
const ada = as('ada');
const sam = as('sam');
const ben = as('ben');
const pub = (name: string) => join(dir.path, `${name}.pub`);
const show = (cli: typeof ada) => JSON.parse(ok(cli(['keys', 'show', '--json']))) as Identity;

beforeAll(() => {
  ok(ada(['init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator']));
  ok(sam(['init', '--name', 'Sam Supervisor', '--org', 'Oversight Office', '--role', 'supervisor']));
  ok(ben(['init', '--name', 'Ben Evaluator', '--org', 'Evaluation Institute', '--role', 'evaluator']));
  for (const [name, cli] of [['ada', ada], ['ben', ben]] as const) ok(cli(['keys', 'export-public', '--out', pub(name)]));
}, 120_000);
afterAll(() => dir.cleanup());

describe('evalnotes keys rotate', () => {
  it('replaces the signing key, keeps the old one as a former key, and refuses a wrong passphrase in one line', () => {
    const before = show(ada);
    expectOneLineFailure(ada(['keys', 'rotate'], { EVALNOTES_PASSPHRASE: 'not the passphrase at all' }), 1, /^evalnotes: That passphrase is not correct\.\n$/);
    expect(show(ada).key_id).toBe(before.key_id);

    const out = ok(ada(['keys', 'rotate']));
    const after = show(ada);
    expect(after.key_id).not.toBe(before.key_id);
    expect(after.former_key_ids).toEqual([before.key_id]);
    expect(out).toContain(`Rotated your key: ${before.key_id.slice(0, 16)}… is replaced by ${after.key_id}.`);
    expect(ok(ada(['keys', 'show']))).toContain(`Former key:  ${before.key_id}`);
    // The exported public key is the new one; the old one stays in the trust store under Ada's name.
    ok(ada(['keys', 'export-public', '--out', pub('ada-new')]));
    expect(readFileSync(pub('ada-new'), 'utf8')).toBe(after.public_key_pem);
    const list = JSON.parse(ok(ada(['keys', 'list', '--json']))) as TrustedKey[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ key_id: before.key_id, name: 'Ada Lovelace', succeeded_by: { key_id: after.key_id, kind: 'rotation' } });
    expect(ok(ada(['keys', 'list']))).toMatch(/rotated to [0-9a-f]{8}…/);
  }, 180_000);
});

describe('evalnotes keys reassign', () => {
  it('lets a supervisor give a lost key’s author a new key, and refuses an evaluator and bad input in one line', () => {
    const lost = show(ben);
    ok(sam(['keys', 'trust', pub('ben'), '--name', 'Ben Evaluator', '--role', 'evaluator']));
    ok(ada(['keys', 'trust', pub('ben'), '--name', 'Ben Evaluator', '--role', 'evaluator']));
    // Ben's new identity.
    ok(as('ben2')(['init', '--name', 'Ben Evaluator', '--org', 'Evaluation Institute', '--role', 'evaluator']));
    ok(as('ben2')(['keys', 'export-public', '--out', pub('ben2')]));
    const next = show(as('ben2'));

    expectOneLineFailure(ada(['keys', 'reassign', '--lost', lost.key_id, '--new', pub('ben2')]), 1, /Only a supervisor can re-assign a lost key, and this workspace’s role is evaluator; nothing was changed\./);
    expectOneLineFailure(sam(['keys', 'reassign', '--lost', 'not-a-key', '--new', pub('ben2')]), 1, /--lost: must be a 64-character lowercase hex key id/);
    expectOneLineFailure(sam(['keys', 'reassign', '--lost', lost.key_id, '--new', join(dir.path, 'missing.pub')]), 1, /missing\.pub: there is no such file/);
    expectOneLineFailure(sam(['keys', 'reassign', '--lost', lost.key_id, '--new', pub('ben')]), 1, /The new key is the lost key itself/);

    const k = JSON.parse(ok(sam(['keys', 'reassign', '--lost', lost.key_id, '--new', pub('ben2'), '--json']))) as TrustedKey;
    expect(k).toMatchObject({ key_id: next.key_id, name: 'Ben Evaluator', role: 'evaluator', succeeds: { key_id: lost.key_id, kind: 'reassignment', signed_by: show(sam).key_id } });
    expect(ok(sam(['keys', 'list']))).toMatch(/lost; re-assigned to [0-9a-f]{8}…/);
    expectOneLineFailure(sam(['keys', 'reassign', '--lost', lost.key_id, '--new', pub('ada-new')]), 1, /was already replaced by key/);
  }, 180_000);
});
