import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY, resolveAppPath, resolveAppUrl, serveAppRequest } from '../../../main/protocol';

// protocol.ts imports electron's `protocol`; these tests use only its pure parts.
vi.mock('electron', () => ({ protocol: {} }));

const root = join(tmpdir(), 'evalnotes-renderer-root');

describe('resolveAppPath', () => {
  it('maps / and directories to index.html', () => {
    expect(resolveAppPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveAppPath(root, '/docs/')).toBe(join(root, 'docs', 'index.html'));
  });

  it('maps plain and percent-encoded file names inside the root', () => {
    expect(resolveAppPath(root, '/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveAppPath(root, '/assets/a%20b.css')).toBe(join(root, 'assets', 'a b.css'));
  });

  it.each([
    ['/../secret.txt'],
    ['/assets/../../secret.txt'],
    ['/%2e%2e/secret.txt'],
    ['/%2E%2E/secret.txt'],
    ['/.%2e/secret.txt'],
    ['/..%2fsecret.txt'],
    ['/assets/..%2f..%2fsecret.txt'],
    ['/..%5csecret.txt'],
    ['/assets\\..\\..\\secret.txt'],
    ['/./index.html'],
    ['//etc/passwd'],
    ['/%2fetc/passwd'],
    ['/C:/Windows/win.ini'],
    ['/C%3a%5cWindows%5cwin.ini'],
    ['/index.html%00.png'],
    ['/%E0%A4%A'],
    ['etc/passwd'],
  ])('refuses %s', (pathname) => {
    expect(resolveAppPath(root, pathname)).toBeNull();
  });

  it('accepts only the app origin', () => {
    expect(resolveAppUrl(root, 'app://evalnotes/index.html?x=1#top')).toBe(join(root, 'index.html'));
    expect(resolveAppUrl(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppUrl(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveAppUrl(root, 'https://evalnotes/index.html')).toBeNull();
    expect(resolveAppUrl(root, 'not a url')).toBeNull();
  });
});

describe('serveAppRequest', () => {
  let dir: string;
  let renderer: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'evalnotes-protocol-'));
    renderer = join(dir, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>EvalNotes</title>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(renderer, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
    symlinkSync(join(dir, 'secret.txt'), join(renderer, 'assets', 'link.txt'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves files with their MIME type and the CSP header', async () => {
    const cases = [
      ['app://evalnotes/', 'text/html; charset=utf-8'],
      ['app://evalnotes/assets/app.js', 'text/javascript; charset=utf-8'],
      ['app://evalnotes/assets/app.css', 'text/css; charset=utf-8'],
    ] as const;
    for (const [url, type] of cases) {
      const response = await serveAppRequest(renderer, url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(await (await serveAppRequest(renderer, 'app://evalnotes/')).text()).toContain('<title>EvalNotes</title>');
  });

  it('serves the app shell for client-side routes but 404s missing assets', async () => {
    expect(await (await serveAppRequest(renderer, 'app://evalnotes/engagements/123')).text()).toContain('EvalNotes');
    expect((await serveAppRequest(renderer, 'app://evalnotes/assets/missing.js')).status).toBe(404);
  });

  it('never serves anything outside the renderer folder, and still sends the CSP', async () => {
    for (const url of ['app://evalnotes/..%2fsecret.txt', 'app://evalnotes/%2e%2e/secret.txt', 'app://evalnotes/assets/link.txt', 'app://elsewhere/index.html']) {
      const response = await serveAppRequest(renderer, url);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('outside the renderer');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('answers only GET and HEAD', async () => {
    expect((await serveAppRequest(renderer, 'app://evalnotes/', 'POST')).status).toBe(405);
    const head = await serveAppRequest(renderer, 'app://evalnotes/', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
