/**
 * `evalnotes backup`, `backup verify` and `restore` as a user runs them (the
 * built CLI, separate processes): a round trip keeps every record, the audit
 * chain, the blobs byte for byte and search; damaged, newer and foreign
 * backups and a non-empty target are refused in one line, exit 1, with
 * nothing written.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA } from '../../../main/db/migrate';
import { expectOneLineFailure, ok, runCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/app';
import { unzipIndependently, writeZip } from '../../helpers/zipWriter';

const PASS = { EVALNOTES_PASSPHRASE: 'correct horse battery staple' };
const dir = tempDir('evalnotes-cli-backup-');
const source = join(dir.path, 'ada');
const restored = join(dir.path, 'restored');
const backup = join(dir.path, 'ada.evbackup');
const cli = (args: string[]) => runCli(args, { env: PASS });
const EVIDENCE = 'Proof of concept: the ICS console answered uid=0(root).\n';
let findingId: string;

/** Every file of a workspace's blob store by relative path, with its SHA-256. */
function blobDigests(ws: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'tmp') walk(p);
      } else out[relative(ws, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(join(ws, 'blobs'));
  return out;
}

beforeAll(() => {
  const as = (args: string[]) => ok(cli(['--data-dir', source, ...args]));
  as(['init', '--name', 'Ada Lovelace', '--org', 'Evaluation Institute', '--role', 'evaluator']);
  const engagement = (JSON.parse(as(['engagement', 'add', '--developer', 'Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01', '--json'])) as { id: string }).id;
  findingId = (JSON.parse(as(['finding', 'add', '--engagement', engagement, '--title', 'Exploit chain in the ICS web UI', '--kind', 'capability', '--severity', 'high', '--json'])) as { id: string }).id;
  const note = join(dir.path, 'note.md');
  writeFileSync(note, 'Reproduced twice with the same payload.\n');
  as(['note', 'add', '--on', findingId, '--file', note]);
  const evidence = join(dir.path, 'poc.txt');
  writeFileSync(evidence, EVIDENCE);
  as(['attach', '--to', findingId, evidence]);
}, 120_000);
afterAll(() => dir.cleanup());

// Each case runs the CLI several times, a second or more each on a busy machine.
describe('evalnotes backup and restore', { timeout: 120_000 }, () => {
  it('backs up without a passphrase, verifies, and restores into a new folder with records, audit chain, blobs and search intact', () => {
    // No EVALNOTES_PASSPHRASE: the backup copies files and signs nothing.
    const written = ok(runCli(['--data-dir', source, 'backup', '--out', backup]));
    expect(written).toMatch(new RegExp(`^Backup written to ${backup.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 2 files, \\d+ bytes, database schema ${LATEST_SCHEMA}\\.\\n$`));

    const report = JSON.parse(ok(runCli(['backup', 'verify', backup, '--json']))) as Record<string, unknown>;
    expect(report).toMatchObject({ members: 2, schema_version: LATEST_SCHEMA, database_encrypted: false });
    expect(ok(runCli(['backup', 'verify', backup]))).toMatch(/^.*ada\.evbackup: every file matches its digest \(2 files, \d+ bytes\); made by EvalNotes [\d.]+ at \S+, database schema \d+\.\n$/);

    expect(ok(runCli(['restore', backup, '--data-dir', restored]))).toMatch(
      new RegExp(`^Restored 2 files \\(\\d+ bytes\\) into ${restored.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; database schema ${LATEST_SCHEMA}, integrity checked\\.\\n$`),
    );

    const both = (args: string[]) => [ok(cli(['--data-dir', source, ...args])), ok(cli(['--data-dir', restored, ...args]))];
    const [findingsBefore, findingsAfter] = both(['findings', '--json']);
    expect(findingsAfter).toBe(findingsBefore);
    expect(findingsAfter).toContain(findingId);
    const [auditBefore, auditAfter] = both(['audit', 'verify', '--json']);
    expect(JSON.parse(auditAfter!)).toEqual(JSON.parse(auditBefore!));
    expect(JSON.parse(auditAfter!)).toMatchObject({ ok: true });
    expect(blobDigests(restored)).toEqual(blobDigests(source));
    expect(Object.values(blobDigests(restored))).toContain(createHash('sha256').update(EVIDENCE).digest('hex'));
    const hits = JSON.parse(ok(cli(['--data-dir', restored, 'search', 'same', 'payload', '--json']))) as { hits: { type: string }[] };
    expect(hits.hits.map((h) => h.type)).toEqual(['note']);
  });

  it('refuses a target folder that is not empty, in one line, and writes nothing', () => {
    const occupied = join(dir.path, 'occupied');
    mkdirSync(occupied, { recursive: true });
    writeFileSync(join(occupied, 'keep.txt'), 'mine');
    expectOneLineFailure(runCli(['restore', backup, '--data-dir', occupied]), 1, /^evalnotes: .*occupied is not empty; restore into a new or empty folder \(nothing was written\)\.\n$/);
    expect(readdirSync(occupied)).toEqual(['keep.txt']);
  });

  const flipped = () => {
    const bytes = readFileSync(backup);
    const at = bytes.indexOf(Buffer.from('uid=0(root)'));
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x20, at);
    const out = join(dir.path, 'flipped.evbackup');
    writeFileSync(out, bytes);
    return out;
  };
  const truncated = () => {
    const out = join(dir.path, 'truncated.evbackup');
    writeFileSync(out, readFileSync(backup).subarray(0, 5000));
    return out;
  };
  const rebuilt = async (name: string, change: (m: Map<string, Buffer>) => void) => {
    const { members } = await unzipIndependently(backup);
    change(members);
    const out = join(dir.path, name);
    writeFileSync(out, writeZip([...members].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, data]) => ({ name: n, data, method: 0 }))));
    return out;
  };
  const replaced = () =>
    rebuilt('replaced.evbackup', (m) => {
      const name = [...m.keys()].find((n) => m.get(n)!.toString('utf8') === EVIDENCE)!;
      m.set(name, Buffer.from(EVIDENCE.replace('root', 'user')));
    });
  const newer = () =>
    rebuilt('newer.evbackup', (m) => {
      const manifest = JSON.parse(m.get('manifest.json')!.toString('utf8')) as Record<string, unknown>;
      m.set('manifest.json', Buffer.from(JSON.stringify({ ...manifest, schema_version: LATEST_SCHEMA + 10 })));
    });
  const foreign = () => {
    const out = join(dir.path, 'photos.zip');
    writeFileSync(out, writeZip([{ name: 'cat.jpg', data: 'meow' }]));
    return out;
  };

  it.each([
    ['a flipped byte', flipped, /flipped\.evbackup is damaged: entry "data\/blobs\/[0-9a-f/]+" fails its CRC-32 check\./],
    ['a truncated file', truncated, /truncated\.evbackup is not a complete ZIP archive/],
    ['a member replaced', replaced, /replaced\.evbackup is damaged: data\/blobs\/[0-9a-f/]+ does not match the SHA-256 its manifest records\./],
    ['a newer EvalNotes’s backup', newer, /newer\.evbackup was made by a newer EvalNotes \(database schema \d+; this version knows up to \d+\); update EvalNotes to restore it\./],
    ['a ZIP that is not a backup', foreign, /photos\.zip is not an EvalNotes backup/],
  ])('%s: verify and restore refuse it in one line, exit 1, nothing written', async (_what, make, message) => {
    const file = await make();
    const target = join(dir.path, 'never');
    const before = readdirSync(dir.path).sort();
    expectOneLineFailure(runCli(['backup', 'verify', file]), 1, message);
    expectOneLineFailure(runCli(['restore', file, '--data-dir', target]), 1, message);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir.path).sort()).toEqual(before);
  });

  it('asks for --out or a subcommand, as a usage error', () => {
    expectOneLineFailure(runCli(['--data-dir', source, 'backup']), 2, /^evalnotes: backup needs --out <file>, or `backup verify FILE` \(see --help\)\n$/);
  });
});
