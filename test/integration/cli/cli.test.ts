import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, expectOneLineFailure } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';
import { fixture } from '../../helpers/fixtures';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-');
const ws = join(dir.path, 'ws');
const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--data-dir', ws, ...args], { env });

function addArgs(extra: string[] = []) {
  return ['engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', ...extra];
}

let engagementId = '';

beforeAll(() => {
  const r = cli(['init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator', '--json'], PASS);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => dir.cleanup());

describe('evalnotes CLI', () => {
  it('prints its version and help', () => {
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = runCli(['engagement', 'add', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--model-version');
    expect(help.stdout).toContain('--access-start');
    for (const cmd of [['init'], ['engagements'], ['engagement', 'edit'], ['engagement', 'close'], ['audit', 'verify'], ['serve']]) {
      expect(runCli([...cmd, '--help']).code).toBe(0);
    }
  });

  it('serve refuses an idle lock that is not a number of minutes from above 0 to a day, in one line', () => {
    for (const value of ['0', '-5', 'soon', '1441', '']) {
      expectOneLineFailure(runCli(['--data-dir', dir.path, 'serve', '--lock-after', value]), 1, /^evalnotes: --lock-after must be a number of minutes above 0 and at most 1440/);
    }
  });

  it('init created an identity with a key id, and refuses a second one', () => {
    const again = cli(['init', '--name', 'Eve', '--org', 'X', '--role', 'evaluator'], PASS);
    expectOneLineFailure(again, 1, /already has an identity/);
  });

  it('init without a passphrase and without a terminal says how to give one', () => {
    const r = runCli(['--data-dir', join(dir.path, 'other'), 'init', '--name', 'A', '--org', 'B', '--role', 'evaluator']);
    expectOneLineFailure(r, 1, /EVALNOTES_PASSPHRASE/);
  });

  it('adds an engagement with every field and prints it as JSON', () => {
    const r = cli([
      ...addArgs(['--window-days', '30', '--release-date', '2026-04-15', '--tlp', 'AMBER+STRICT', '--banner', 'OFFICIAL-SENSITIVE']),
      '--partner', 'Partner A', '--partner', 'Partner B', '--weights-digest', 'ab'.repeat(32), '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(e).toMatchObject({
      type: 'engagement', developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01', window_days: 30,
      release_date: '2026-04-15', partners: ['Partner A', 'Partner B'], handling: { tlp: 'AMBER+STRICT', banner: 'OFFICIAL-SENSITIVE' },
      weights_digest: 'ab'.repeat(32), status: 'active', revision: 1,
    });
    engagementId = e.id as string;
  });

  it('lists engagements for people and for scripts', () => {
    const human = cli(['engagements']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Orion-2 rc3\s+Frontier Lab\s+active\s+window closed, overdue by \d+ days/);
    const json = JSON.parse(cli(['engagements', '--json']).stdout) as { id: string }[];
    expect(json.map((e) => e.id)).toContain(engagementId);
  });

  it('edits only the fields given, clears optional ones, and closes', () => {
    const edited = JSON.parse(cli(['engagement', 'edit', engagementId, '--window-days', '90', '--clear', 'release-date', '--json']).stdout) as Record<string, unknown>;
    expect(edited).toMatchObject({ window_days: 90, revision: 2, model: 'Orion-2', handling: { tlp: 'AMBER+STRICT', banner: 'OFFICIAL-SENSITIVE' } });
    expect(edited.release_date).toBeUndefined();
    const tlp = JSON.parse(cli(['engagement', 'edit', engagementId, '--tlp', 'RED', '--json']).stdout) as Record<string, unknown>;
    expect(tlp.handling).toEqual({ tlp: 'RED', banner: 'OFFICIAL-SENSITIVE' });
    const closed = cli(['engagement', 'close', engagementId]);
    expect(closed.code).toBe(0);
    expect(closed.stdout).toMatch(/Closed Orion-2 rc3/);
    expect(JSON.parse(cli(['engagement', 'show', engagementId, '--json']).stdout)).toMatchObject({ status: 'closed', revision: 4 });
  });

  it.each([
    ['an impossible date', addArgs().map((a) => (a === '2026-03-01' ? '2026-02-30' : a)), 1, /--access-start: must be a calendar date/],
    ['a window that is not a number', addArgs(['--window-days', 'thirty']), 1, /--window-days: expected number/],
    ['a release before the start', addArgs(['--release-date', '2026-01-01']), 1, /--release-date: must not be before access_start/],
    ['an unknown TLP', addArgs(['--tlp', 'PURPLE']), 2, /--tlp.*PURPLE.*invalid/],
    ['a missing required option', ['engagement', 'add', '--model', 'x'], 2, /required option '--developer/],
    ['an unknown option', addArgs(['--version-of-model', 'x']), 2, /unknown option/],
    ['an unknown command', ['frobnicate'], 2, /unknown command/],
    ['a malformed id', ['engagement', 'close', 'not-an-id'], 1, /id: must be a UUIDv7|--id/],
    ['an unknown id', ['engagement', 'close', '0190d0c4-7c4e-7000-8000-000000000000'], 1, /no engagement/],
    ['an edit with nothing to change', ['engagement', 'edit', '0190d0c4-7c4e-7000-8000-000000000000'], 1, /no engagement|Nothing to change/],
  ])('refuses %s with one line and changes nothing', (_case, args, code, text) => {
    const before = cli(['engagements', '--json']).stdout;
    expectOneLineFailure(cli(args), code, text);
    expect(cli(['engagements', '--json']).stdout).toBe(before);
  });

  it('refuses a workspace written by a newer version, with one line', () => {
    const d = tempDir();
    runCli(['--data-dir', d.path, 'engagements']);
    const db = new Database(join(d.path, 'evalnotes.db'));
    db.pragma('user_version = 100000');
    db.close();
    expectOneLineFailure(runCli(['--data-dir', d.path, 'engagements']), 1, /newer EvalNotes/);
    d.cleanup();
  });

  it('takes the workspace from EVALNOTES_DATA_DIR', () => {
    const r = runCli(['engagements', '--json'], { env: { EVALNOTES_DATA_DIR: ws } });
    expect((JSON.parse(r.stdout) as unknown[]).length).toBeGreaterThan(0);
  });

  it('verifies the audit chain and names the first broken link after tampering', () => {
    const ok = cli(['audit', 'verify', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, events: 4 });
    const db = new Database(join(ws, 'evalnotes.db'));
    db.prepare("UPDATE audit_events SET body = replace(body, '\"update\"', '\"create\"') WHERE seq = 2").run();
    db.close();
    const broken = cli(['audit', 'verify']);
    expectOneLineFailure(broken, 1, /audit chain broken: Event 2 was altered/);
    expect(JSON.parse(cli(['audit', 'verify', '--json']).stdout)).toMatchObject({ ok: false, problem: { seq: 2 } });
  });

  it('imports logs, lists runs with thresholds, and gives the same numbers as JSON', () => {
    const e = JSON.parse(cli([...addArgs(['--model', 'Vega']), '--json']).stdout) as { id: string };
    const log = fixture('inspect_eval/inspect_ai__2025-09-23_security-guide.eval');
    const imported = cli(['import', log, '--engagement', e.id, '--json']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.stdout) as { files: { status: string; run_id: string; metrics: { metric: string; value: number; n: number }[] }[] };
    expect(summary.files[0]).toMatchObject({ status: 'imported', metrics: [{ metric: 'accuracy', value: 0.6875, n: 16 }] });
    const again = cli(['import', log, '--engagement', e.id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already imported as run .* nothing changed/);

    const added = cli(['threshold', 'add', '--engagement', e.id, '--task', 'security_guide', '--scorer', 'model_graded_fact', '--metric', 'accuracy', '--comparison', '>=', '--value', '0.7']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/stays on this machine/);
    const runs = cli(['runs', '--engagement', e.id]);
    expect(runs.stdout).toMatch(/security_guide.*model_graded_fact\s+accuracy\s+0\.6875\s+0\.1197\s+16\s+misses >= 0\.7/);
    const listed = JSON.parse(cli(['runs', '--engagement', e.id, '--json']).stdout) as { run: { id: string }; results: { value: number }[] }[];
    expect(listed).toEqual([expect.objectContaining({ run: expect.objectContaining({ id: summary.files[0]?.run_id }) as unknown })]);
    expect(JSON.parse(cli(['thresholds', '--engagement', e.id, '--json']).stdout)).toMatchObject([{ comparison: '>=', value: 0.7 }]);
  });

  it('reports a file that is not a log with one line and exit 1, importing the others', () => {
    const e = (JSON.parse(cli(['engagements', '--json']).stdout) as { id: string }[])[0]?.id ?? '';
    const r = cli(['import', fixture('inspect_json/aux/inspect_ai__log-sets_logs.json'), fixture('inspect_json/inspect_ai__log_formats.json'), '--engagement', e]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^evalnotes: inspect_ai__log-sets_logs.json is an Inspect log-directory index/);
    expect(r.stdout).toMatch(/inspect_ai__log_formats.json: imported as run/);
  });

  it('refuses a threshold that is not a number', () => {
    const e = (JSON.parse(cli(['engagements', '--json']).stdout) as { id: string }[])[0]?.id ?? '';
    const r = cli(['threshold', 'add', '--engagement', e, '--task', 't', '--metric', 'm', '--comparison', '>=', '--value', 'high']);
    expectOneLineFailure(r, 1, /--value: expected number/);
  });
});
