import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeSegments } from '../../../main/serve/static';
import { INDEX_HTML, SECRET_TEXT, startHarness, type Harness } from './harness';

let h: Harness;
let cookie: string;

beforeAll(async () => {
  h = await startHarness();
  cookie = await h.login();
  symlinkSync(join(h.outsideDir, 'secret.txt'), join(h.rendererDir, 'assets', 'linked.txt'));
});
afterAll(() => h.close());

const get = (path: string, method = 'GET') => h.send({ method, path, headers: { cookie } });

describe('the built renderer', () => {
  it('serves index.html for / and for app routes', async () => {
    for (const path of ['/', '/index.html', '/engagements/0190e2c4-aaaa', '/settings?tab=keys']) {
      const reply = await get(path);
      expect(reply.status, path).toBe(200);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reply.text).toBe(INDEX_HTML);
    }
  });

  it('serves assets with their MIME types', async () => {
    const expected: Record<string, string> = {
      '/assets/app.js': 'text/javascript; charset=utf-8',
      '/assets/style.css': 'text/css; charset=utf-8',
      '/assets/logo.svg': 'image/svg+xml',
    };
    for (const [path, type] of Object.entries(expected)) {
      const reply = await get(path);
      expect(reply.status, path).toBe(200);
      expect(reply.headers['content-type'], path).toBe(type);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('answers HEAD without a body', async () => {
    const reply = await get('/', 'HEAD');
    expect(reply.status).toBe(200);
    expect(Number(reply.headers['content-length'])).toBe(Buffer.byteLength(INDEX_HTML));
    expect(reply.body.length).toBe(0);
  });

  it('answers 404 for a missing file instead of handing out the page', async () => {
    const reply = await get('/assets/missing.js');
    expect(reply.status).toBe(404);
    expect(reply.text).not.toContain('<html');
  });

  it('never serves dot files', async () => {
    const reply = await get('/.env');
    expect(reply.status).toBe(404);
    expect(reply.text).not.toContain('NOT_FOR_BROWSERS');
  });
});

describe('path traversal', () => {
  it('refuses every way of climbing out of the renderer folder', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/%2E%2E/etc/passwd',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/%252e%252e/secret.txt',
      '/secret.txt%00.js',
      '/%c0%ae%c0%ae/secret.txt',
      '/assets/linked.txt',
    ];
    for (const path of attempts) {
      const reply = await get(path);
      expect([400, 404], path).toContain(reply.status);
      expect(reply.text, path).not.toContain(SECRET_TEXT);
      expect(reply.text, path).not.toContain('root:');
    }
  });

  it('decodes each segment once and rejects dot segments, hidden separators and bad escapes', () => {
    expect(safeSegments('/assets/app.js')).toEqual(['assets', 'app.js']);
    expect(safeSegments('/a%20b/c')).toEqual(['a b', 'c']);
    expect(safeSegments('//assets//app.js')).toEqual(['assets', 'app.js']);
    expect(safeSegments('/%2e%2e/x')).toBeNull();
    expect(safeSegments('/a/%2E/x')).toBeNull();
    expect(safeSegments('/a%2fb')).toBeNull();
    expect(safeSegments('/a%5cb')).toBeNull();
    expect(safeSegments('/a%00b')).toBeNull();
    expect(safeSegments('/a%zz')).toBeNull();
    expect(safeSegments('/a\\b')).toBeNull();
  });
});
