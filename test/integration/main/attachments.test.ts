import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Platform } from '../../../main/platform/platform';
import { ATTACHMENT_MAX_BYTES, IMAGE_PREVIEW_MAX_BYTES, sniffMediaType, TEXT_PREVIEW_MAX_BYTES } from '../../../main/services/attachments';
import type { FileRef } from '../../../shared/api/files';
import type { Finding } from '../../../shared/domain/finding';
import type { Attachment } from '../../../shared/domain/note';
import type { Result } from '../../../shared/result';
import { TEST_PASSPHRASE, makeReadyApp, tempDir, type TestApp } from '../../helpers/app';
import { startHarness, type Harness } from '../serve/harness';

const desktopPlatform: Platform = {
  transport: 'desktop',
  openFiles: () => Promise.resolve([]),
  saveFile: () => Promise.resolve(null),
};

let t: TestApp;
let eng: string;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}
async function refused(r: Promise<Result<unknown>>): Promise<{ code: string; message: string }> {
  const res = await r;
  if (res.ok) throw new Error('expected a refusal');
  return res.error;
}

async function setUp(platform?: Platform) {
  t = await makeReadyApp(platform ? { platform } : {});
  cleanups.push(() => t.cleanup());
  eng = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' }))).id;
  const dir = tempDir('evalnotes-attach-');
  cleanups.push(() => dir.cleanup());
  return dir.path;
}

/** A file as the person picked it: a ref to a path, as the desktop dialog hands out. */
function picked(dir: string, name: string, bytes: Uint8Array | string): FileRef {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return t.app.files.register(path, 'read');
}
const attach = (file: FileRef, engagement = eng) => ok<Attachment>(t.app.dispatch('attachment:add', { engagement_id: engagement, file }));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Every file in the blob store (not its temp folder). */
const blobFiles = () =>
  readdirSync(join(t.dataDir, 'blobs'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'tmp')
    .flatMap((d) => readdirSync(join(t.dataDir, 'blobs', d.name)));
const attachmentRows = () => t.app.workspace.db.prepare("SELECT count(*) FROM records WHERE type = 'attachment'").pluck().get();

// Magic numbers as the format specifications give them.
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8L'), Buffer.alloc(14, 1)]);
const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1');

describe('media types come from the bytes', () => {
  it.each([
    ['image/png', PNG],
    ['image/jpeg', JPEG],
    ['image/gif', GIF],
    ['image/webp', WEBP],
    ['application/pdf', PDF],
    ['text/plain', Buffer.from('Ladder logic overwritten — café ✓\n')],
    ['text/plain', Buffer.alloc(0)],
    ['application/octet-stream', Buffer.from([0x48, 0x69, 0x00, 0x21])],
    ['application/octet-stream', Buffer.from([0x48, 0xc3, 0x28, 0x21])],
    // RIFF but not WebP (a WAV file) is not an image.
    ['application/octet-stream', Buffer.concat([Buffer.from('RIFF'), Buffer.from([4, 0, 0, 0]), Buffer.from('WAVEfmt '), Buffer.from([0, 0, 0, 0])])],
  ])('%s', (type, bytes) => {
    expect(sniffMediaType(bytes, true)).toBe(type);
  });

  it('accepts a character cut in half at the end of a partial read as text, but not at the end of the file', () => {
    const text = Buffer.from('é'.repeat(10));
    expect(sniffMediaType(text.subarray(0, 9), false)).toBe('text/plain');
    expect(sniffMediaType(text.subarray(0, 9), true)).toBe('application/octet-stream');
  });

  it('ignores the file name', async () => {
    const dir = await setUp();
    expect((await attach(picked(dir, 'notes.txt', PNG))).media_type).toBe('image/png');
    expect((await attach(picked(dir, 'screenshot.png', '<html><script>alert(1)</script></html>'))).media_type).toBe('text/plain');
    expect((await attach(picked(dir, 'report.pdf', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0])))).media_type).toBe('application/octet-stream');
  });
});

describe('attachment:add', () => {
  it('keeps the bytes once by SHA-256 and answers the same bytes with the same attachment', async () => {
    const dir = await setUp();
    const bytes = randomBytes(300_000);
    const first = await attach(picked(dir, 'capture.bin', bytes));
    expect(first).toMatchObject({ type: 'attachment', engagement_id: eng, sha256: sha256(bytes), name: 'capture.bin', size: bytes.length, media_type: 'application/octet-stream' });
    expect(readFileSync(join(t.dataDir, 'blobs', first.sha256.slice(0, 2), first.sha256.slice(2)))).toEqual(bytes);

    const again = await attach(picked(dir, 'same-bytes-other-name.bin', bytes));
    expect(again).toEqual(first);
    expect(attachmentRows()).toBe(1);
    expect(blobFiles()).toEqual([first.sha256.slice(2)]);

    // Another engagement gets its own record; the bytes stay stored once.
    const other = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Lab', model: 'Vega', model_version: '1', access_start: '2026-03-01' }))).id;
    const elsewhere = await attach(picked(dir, 'capture.bin', bytes), other);
    expect(elsewhere.id).not.toBe(first.id);
    expect(attachmentRows()).toBe(2);
    expect(blobFiles()).toHaveLength(1);
    expect((await ok<Attachment[]>(t.app.dispatch('attachments:list', { engagement_id: eng }))).map((a) => a.id)).toEqual([first.id]);
  });

  it('releases the file ref afterwards, also when it refuses', async () => {
    const dir = await setUp();
    const ref = picked(dir, 'a.txt', 'hello');
    await attach(ref);
    expect(() => t.app.files.resolve(ref.ref, 'read')).toThrow(/no longer available/);
    const bad = picked(dir, 'b.txt', 'hello again');
    expect((await refused(t.app.dispatch('attachment:add', { engagement_id: '01900000-0000-7000-8000-000000000000', file: bad }))).code).toBe('NOT_FOUND');
    expect(() => t.app.files.resolve(bad.ref, 'read')).toThrow(/no longer available/);
  });

  it('refuses a file larger than 2 GiB with a sentence and stores nothing', async () => {
    const dir = await setUp();
    const path = join(dir, 'huge.bin');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, ATTACHMENT_MAX_BYTES + 1); // sparse: no 2 GiB written
    closeSync(fd);
    const error = await refused(t.app.dispatch('attachment:add', { engagement_id: eng, file: t.app.files.register(path, 'read') }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/^huge\.bin is 2\.0 GiB; evidence files may be at most 2 GiB/);
    expect(attachmentRows()).toBe(0);
    expect(blobFiles()).toEqual([]);
  });

  it('adds to a finding as evidence in one more call, and the audit chain records both', async () => {
    const dir = await setUp();
    const finding = await ok<Finding>(t.app.dispatch('finding:create', { engagement_id: eng, title: 'F', kind: 'capability', severity: 'low' }));
    const a = await attach(picked(dir, 'shot.png', PNG));
    const cited = await ok<Finding>(t.app.dispatch('finding:addEvidence', { id: finding.id, evidence: { kind: 'attachment', attachment_id: a.id } }));
    expect(cited.evidence).toEqual([{ kind: 'attachment', attachment_id: a.id, sha256: a.sha256, name: 'shot.png' }]);
    const audited = t.app.workspace.db.prepare('SELECT record_id FROM audit_events WHERE record_id = ?').pluck().all(a.id);
    expect(audited).toEqual([a.id]);
  });
});

describe('attachment:preview', () => {
  it('shows an image as base64 of its exact bytes, from its content', async () => {
    const dir = await setUp();
    const a = await attach(picked(dir, 'x.dat', PNG));
    expect(await ok(t.app.dispatch('attachment:preview', { id: a.id }))).toEqual({ kind: 'image', media_type: 'image/png', base64: PNG.toString('base64') });
  });

  it('shows the start of a text file and says when it is cut', async () => {
    const dir = await setUp();
    const small = await attach(picked(dir, 'log.txt', 'line one\nline two ✓\n'));
    expect(await ok(t.app.dispatch('attachment:preview', { id: small.id }))).toEqual({ kind: 'text', text: 'line one\nline two ✓\n', truncated: false });
    // 3-byte characters across the 256 KB cut: the preview ends on a whole character.
    const long = '✓'.repeat(TEXT_PREVIEW_MAX_BYTES / 3 + 100);
    const big = await attach(picked(dir, 'big.txt', long));
    const preview = await ok<{ kind: string; text: string; truncated: boolean }>(t.app.dispatch('attachment:preview', { id: big.id }));
    expect(preview.kind).toBe('text');
    expect(preview.truncated).toBe(true);
    expect(Buffer.byteLength(preview.text)).toBeLessThanOrEqual(TEXT_PREVIEW_MAX_BYTES);
    expect(preview.text).toBe('✓'.repeat(Math.floor(TEXT_PREVIEW_MAX_BYTES / 3)));
  });

  it('offers nothing inline for a PDF, opaque bytes or an image over 20 MB', async () => {
    const dir = await setUp();
    const bigImage = Buffer.concat([PNG, Buffer.alloc(IMAGE_PREVIEW_MAX_BYTES)]);
    for (const [name, bytes] of [['a.pdf', PDF], ['b.bin', Buffer.from([1, 2, 0, 3])], ['c.png', bigImage]] as const) {
      const a = await attach(picked(dir, name, bytes));
      expect(await ok(t.app.dispatch('attachment:preview', { id: a.id }))).toEqual({ kind: 'none' });
    }
  });
});

describe('attachment:download', () => {
  it('desktop: writes the exact bytes to the file picked for saving', async () => {
    const dir = await setUp(desktopPlatform);
    const bytes = randomBytes(1_000_003);
    const a = await attach(picked(dir, 'evidence.bin', bytes));
    const target = join(dir, 'saved copy.bin');
    const to = t.app.files.register(target, 'write');
    expect(await ok(t.app.dispatch('attachment:download', { id: a.id, to }))).toEqual({ saved: true, download_url: null });
    expect(sha256(readFileSync(target))).toBe(sha256(bytes));
    // No temp file is left beside it.
    expect(readdirSync(dir).sort()).toEqual(['evidence.bin', 'saved copy.bin']);
    expect((await refused(t.app.dispatch('attachment:download', { id: a.id, to: null }))).code).toBe('INVALID_INPUT');
  });

  it('browser: a one-time address on the serve host, behind its cookie', async () => {
    const h: Harness = await startHarness();
    cleanups.push(() => h.close());
    await ok(h.app.dispatch('workspace:create', { name: 'Ada', org: 'Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE }));
    const e = await ok<{ id: string }>(h.app.dispatch('engagement:create', { developer: 'Lab', model: 'M', model_version: '1', access_start: '2026-03-01' }));
    const dir = tempDir('evalnotes-attach-');
    cleanups.push(() => dir.cleanup());
    const bytes = randomBytes(200_000);
    writeFileSync(join(dir.path, 'trace.bin'), bytes);
    const a = await ok<Attachment>(h.app.dispatch('attachment:add', { engagement_id: e.id, file: h.app.files.register(join(dir.path, 'trace.bin'), 'read') }));
    const { saved, download_url } = await ok<{ saved: boolean; download_url: string }>(h.app.dispatch('attachment:download', { id: a.id, to: null }));
    expect(saved).toBe(false);
    expect(download_url).toMatch(/^\/files\/[A-Za-z0-9_-]{22,64}$/);

    expect((await h.send({ path: download_url })).status).toBe(401); // no cookie
    const cookie = await h.login();
    expect((await h.send({ path: download_url, headers: { cookie, origin: 'http://evil.example' } })).status).toBe(403);
    expect((await h.send({ path: download_url, headers: { cookie, host: 'evil.example' } })).status).toBe(421); // DNS rebinding
    const got = await h.send({ path: download_url, headers: { cookie } });
    expect(got.status).toBe(200);
    expect(sha256(got.body)).toBe(sha256(bytes));
    expect(got.headers['content-disposition']).toContain('filename="trace.bin"');
    expect((await h.send({ path: download_url, headers: { cookie } })).status).toBe(404); // used up
    // The blob itself stays.
    const again = await ok<{ download_url: string }>(h.app.dispatch('attachment:download', { id: a.id, to: null }));
    expect(sha256((await h.send({ path: again.download_url, headers: { cookie } })).body)).toBe(sha256(bytes));
  });
});

describe('files:fromBytes', () => {
  it('desktop: pasted bytes become a file ref that attaches like a picked file', async () => {
    await setUp(desktopPlatform);
    const ref = await ok<FileRef>(t.app.dispatch('files:fromBytes', { name: 'pasted.png', bytes: new Uint8Array(PNG) }));
    expect(ref).toMatchObject({ name: 'pasted.png', size: PNG.length });
    const a = await attach(ref);
    expect(a).toMatchObject({ media_type: 'image/png', size: PNG.length, sha256: sha256(PNG) });
  });

  it('is refused in the browser, where pasted files are uploaded', async () => {
    await setUp();
    const error = await refused(t.app.dispatch('files:fromBytes', { name: 'pasted.png', bytes: new Uint8Array(PNG) }));
    expect(error.code).toBe('UNSUPPORTED');
  });
});
