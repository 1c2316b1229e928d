import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../../../main/importers/detectFormat';
import { type SourceFormat } from '../../../main/importers/types';
import { filesIn, lmEvalDir, sharedFixtures, syntheticDir } from './lmEvalFixtures';
import { refusal as refusedWith } from '../../helpers/importers';

const walk = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });

const expected: [string, SourceFormat][] = [
  ...filesIn(join(sharedFixtures, 'inspect_json'), '.json').map((f): [string, SourceFormat] => [f, 'inspect-json']),
  ...filesIn(join(sharedFixtures, 'inspect_eval'), '.eval').map((f): [string, SourceFormat] => [f, 'inspect-eval']),
  ...filesIn(lmEvalDir, '.json').map((f): [string, SourceFormat] => [f, 'lm-eval-results']),
  ...filesIn(lmEvalDir, '.jsonl').map((f): [string, SourceFormat] => [f, 'lm-eval-samples']),
  ...filesIn(syntheticDir, '.json').map((f): [string, SourceFormat] => [f, 'lm-eval-results']),
  ...filesIn(syntheticDir, '.jsonl').map((f): [string, SourceFormat] => [f, 'lm-eval-samples']),
];

const refusal = (path: string) => refusedWith(detectFormat(path), basename(path));

describe('detectFormat on the shared fixtures', () => {
  it.each(expected.map(([f, fmt]) => [relative(sharedFixtures, f), fmt, f]))('%s → %s', async (_rel, fmt, path) => {
    expect(await detectFormat(path)).toEqual({ format: fmt });
  });

  it('refuses the Inspect log-directory index and eval-set manifest, saying what they are', async () => {
    expect(await refusal(join(sharedFixtures, 'inspect_json/aux/inspect_ai__log-sets_logs.json'))).toBe(
      'inspect_ai__log-sets_logs.json is an Inspect log-directory index (logs.json), not a log; import the .eval or .json files it lists.',
    );
    expect(await refusal(join(sharedFixtures, 'inspect_json/aux/inspect_ai__log-sets_eval-set.json'))).toMatch(
      /is an Inspect eval-set manifest \(eval-set\.json\), not a log/,
    );
  });

  const others = ['helm', 'csaf', 'sarif', 'simple_evals', 'osv'].flatMap((d) => walk(join(sharedFixtures, d)));
  it.each(others.map((f) => [relative(sharedFixtures, f), f]))('refuses %s as not a format EvalNotes imports', async (_rel, path) => {
    expect(await refusal(path)).toContain('not a format EvalNotes imports (Inspect .eval/.json, lm-eval results/samples)');
  });
});

describe('detectFormat on synthetic input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detect-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, data: string | Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };

  it('goes by content, not by name', async () => {
    const asEval = join(dir, 'looks-like.eval');
    copyFileSync(join(lmEvalDir, 'testdata__arc_challenge-v2.0-res.json'), asEval);
    expect(await detectFormat(asEval)).toEqual({ format: 'lm-eval-results' });
    const asResults = join(dir, 'results_2024-01-01T00-00-00.json');
    copyFileSync(join(sharedFixtures, 'inspect_json/inspect_ai__log_formats.json'), asResults);
    expect(await detectFormat(asResults)).toEqual({ format: 'inspect-json' });
    const asJson = join(dir, 'archive.json');
    copyFileSync(join(sharedFixtures, 'inspect_eval/inspect_ai__log_formats.eval'), asJson);
    expect(await detectFormat(asJson)).toEqual({ format: 'inspect-eval' });
  });

  it('finds deciding keys past the first 64 KiB, with a BOM and NaN on the way', async () => {
    const p = write('big.json', `\uFEFF{"results": {"t": {"acc,none": NaN}}, "pad": "${'x'.repeat(200_000)}", "versions": {"t": 1}}`);
    expect(await detectFormat(p)).toEqual({ format: 'lm-eval-results' });
  });

  it('recognises a samples JSONL whose first line has doc_id, and refuses JSONL that has not', async () => {
    expect(await detectFormat(write('s.jsonl', '{"doc_id": 0, "doc": {}}\n{"doc_id": 1}\n'))).toEqual({ format: 'lm-eval-samples' });
    expect(await refusal(write('other.jsonl', '{"id": 0, "text": "hi"}\n{"doc_id": 1}\n'))).toContain('not a format EvalNotes imports');
  });

  it.each([
    ['empty.json', '', /^empty\.json is empty/],
    ['blank.json', ' \n\t\n', /^blank\.json is empty/],
    ['array.json', '[{"results": {}}]', /^array\.json holds a JSON array, not a format EvalNotes imports/],
    ['number.json', '42', /^number\.json holds a JSON number/],
    ['string.json', '"results"', /^string\.json holds a JSON string/],
    ['literal.json', 'true', /^literal\.json holds a bare JSON value/],
    ['notes.txt', 'results: 0.5\nversions: 1\n', /^notes\.txt is not a format EvalNotes imports/],
    ['page.html', '<!doctype html><p>{"results": 1}</p>', /^page\.html is not a format EvalNotes imports/],
    ['almost.json', '[1, 2', /^almost\.json is not a format EvalNotes imports/],
    ['truncated.json', '{"version": 2, "status": "success", "plan": {"steps": [', /^truncated\.json ends before its JSON is complete/],
    ['other.json', '{"name": "x", "count": 3}', /^other\.json is a JSON object but not a format EvalNotes imports/],
    ['eval-set.json', '{"eval_set_id": "abc", "tasks": []}', /^eval-set\.json is an Inspect eval-set manifest/],
  ])('%s → %s', async (name, text, message) => {
    expect(await refusal(write(name, text))).toMatch(message);
  });

  it('refuses binary garbage (NUL bytes, or bytes that are not UTF-8)', async () => {
    const withNul = Buffer.from([0x7b, 0x00, 0x01, 0x02, 0xff, 0x10]);
    expect(await refusal(write('garbage.bin', withNul))).toMatch(/^garbage\.bin is binary data, not a format EvalNotes imports/);
    const latin1 = Buffer.concat([Buffer.from('{"results": "caf'), Buffer.from([0xe9, 0x22, 0x7d])]);
    expect(await refusal(write('latin1.json', latin1))).toMatch(/is binary data/);
  });

  it('refuses a ZIP that is no Inspect log, a truncated .eval, and an EvalNotes bundle', async () => {
    expect(await refusal(write('plain.zip', storedZip({ 'readme.txt': 'hello', 'data/x.json': '{}' })))).toMatch(
      /^plain\.zip is a ZIP archive but not an Inspect \.eval log/,
    );
    const evalBytes = readFileSync(join(sharedFixtures, 'inspect_eval/inspect_ai__log_formats.eval'));
    expect(await refusal(write('cut.eval', evalBytes.subarray(0, Math.floor(evalBytes.length / 2))))).toMatch(
      /^cut\.eval looks like a ZIP archive but its directory cannot be read/,
    );
    expect(await refusal(write('b.evb', storedZip({ 'bundle.json': '{}', 'bundle.dsse.json': '{}' })))).toMatch(/is an EvalNotes bundle/);
    expect(await detectFormat(write('journal.eval', storedZip({ '_journal/start.json': '{}' })))).toEqual({ format: 'inspect-eval' });
  });

  it('refuses a folder', async () => {
    const folder = join(dir, 'logs');
    mkdirSync(folder);
    expect(await refusal(folder)).toMatch(/^logs is a folder/);
  });
});

/** A minimal stored (uncompressed) ZIP, enough for a central directory to list. */
function storedZip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
