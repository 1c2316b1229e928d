import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDisposition } from '../../../main/serve/files';
import { FileRef } from '../../../shared/api/files';
import { startHarness, type Harness, type Reply } from './harness';

const MAX_UPLOAD = 256 * 1024;

let h: Harness;
let cookie: string;

beforeAll(async () => {
  h = await startHarness({ maxUploadBytes: MAX_UPLOAD });
  cookie = await h.login();
});
afterAll(() => h.close());

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function upload(name: string | null, body: Buffer, extra: Record<string, string> = {}): Promise<Reply> {
  const query = name === null ? '' : `?name=${encodeURIComponent(name)}`;
  return h.send({ method: 'PUT', path: `/files${query}`, headers: h.sameOrigin(cookie, { 'content-type': 'application/octet-stream', ...extra }), body });
}

/** Files the app holds in its private temp area (uploads land there). */
function uploadedFiles(): string[] {
  return readdirSync(h.tempRoot)
    .filter((d) => d.startsWith('evalnotes-files-'))
    .flatMap((d) => readdirSync(join(h.tempRoot, d)));
}

describe('PUT /files then GET /files/<ref>', () => {
  it('gives back the same bytes as a download the browser will not render', async () => {
    const bytes = randomBytes(MAX_UPLOAD);
    const name = 'résultats <script>.eval';
    const put = await upload(name, bytes);
    expect(put.status).toBe(200);
    const envelope = JSON.parse(put.text) as { ok: true; value: unknown };
    expect(envelope.ok).toBe(true);
    const ref = FileRef.parse(envelope.value);
    expect(ref).toMatchObject({ name, size: bytes.length });

    const got = await h.send({ path: `/files/${ref.ref}`, headers: { cookie } });
    expect(got.status).toBe(200);
    expect(sha256(got.body)).toBe(sha256(bytes));
    expect(got.headers['content-type']).toBe('application/octet-stream');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['cache-control']).toBe('no-store');
    expect(got.headers['content-disposition']).toBe(`attachment; filename="r_sultats <script>.eval"; filename*=UTF-8''r%C3%A9sultats%20%3Cscript%3E.eval`);
  });

  it('keeps only a display name: directories in the name are dropped', async () => {
    const put = await upload('../../etc/passwd', Buffer.from('hello'));
    const ref = FileRef.parse((JSON.parse(put.text) as { value: unknown }).value);
    expect(ref.name).toBe('passwd');
  });

  it('refuses an upload without a name', async () => {
    const put = await upload(null, Buffer.from('hello'));
    expect(put.status).toBe(400);
    expect(JSON.parse(put.text)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('refuses an upload over the limit with 413 and leaves nothing behind', async () => {
    const before = uploadedFiles();
    const put = await upload('big.bin', randomBytes(MAX_UPLOAD + 1));
    expect(put.status).toBe(413);
    expect(put.text.trim()).toBe(`The upload is larger than the ${MAX_UPLOAD} bytes this serve host accepts.`);
    const chunked = await upload('big.bin', randomBytes(MAX_UPLOAD * 2), { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect(uploadedFiles()).toEqual(before);
  });

  it('refuses uploads from other pages or without proof of origin', async () => {
    const foreign = await h.send({ method: 'PUT', path: '/files?name=a.txt', headers: { cookie, origin: 'http://evil.example' }, body: 'x' });
    expect(foreign.status).toBe(403);
    const noCookie = await h.send({ method: 'PUT', path: '/files?name=a.txt', headers: { origin: h.host.origin }, body: 'x' });
    expect(noCookie.status).toBe(401);
  });

  it('serves a download only to a signed-in browser', async () => {
    const put = await upload('note.txt', Buffer.from('private'));
    const ref = FileRef.parse((JSON.parse(put.text) as { value: unknown }).value);
    const anonymous = await h.send({ path: `/files/${ref.ref}` });
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('private');
  });
});

describe('GET /files/<ref> refuses anything that is not a live ref', () => {
  it('answers 404 for unknown refs and traversal attempts, never a file from disk', async () => {
    const attempts = [
      '/files/AAAAAAAAAAAAAAAAAAAAAA',
      '/files/../../../../etc/passwd',
      '/files/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '/files/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/files/..%5c..%5csecret.txt',
      '/files/' + encodeURIComponent(join(h.outsideDir, 'secret.txt')),
      '/files/',
    ];
    for (const path of attempts) {
      const reply = await h.send({ path, headers: { cookie } });
      expect(reply.status, path).toBe(404);
      expect(reply.text).not.toContain('root:');
      expect(reply.text).not.toContain('outside the renderer');
    }
  });
});

describe('contentDisposition', () => {
  it('quotes nothing dangerous into the header', () => {
    expect(contentDisposition('a"b\\c;d%e.txt')).toBe(`attachment; filename="a_b_c_d_e.txt"; filename*=UTF-8''a%22b%5Cc%3Bd%25e.txt`);
    expect(contentDisposition("it's (1)*.txt")).toBe(`attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`);
    expect(contentDisposition('\uD800.txt')).toBe(`attachment; filename="_.txt"; filename*=UTF-8''_.txt`);
  });
});
