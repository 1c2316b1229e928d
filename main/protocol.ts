/**
 * The `app://` scheme: the renderer is served from out/renderer through this
 * handler instead of file:// (Electron security checklist #18), so it has a real
 * origin, a Content-Security-Policy header on every response (#7), and no way to
 * read anything outside its own folder.
 * https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols
 */
import { readFile, realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { protocol } from 'electron';
import { CONTENT_SECURITY_POLICY, mimeTypeFor } from './rendererAssets';

export { CONTENT_SECURITY_POLICY };

export const APP_SCHEME = 'app';
export const APP_HOST = 'evalnotes';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True for URLs on the app's own origin. (Node gives non-special schemes an opaque origin, so compare the parts.) */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/**
 * Must run before the app's `ready` event. Standard + secure gives the renderer a
 * proper secure origin (same-origin policy, fetch); deliberately no bypassCSP,
 * corsEnabled or service workers.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/**
 * Maps a URL path (still percent-encoded) to a file under root, or null when the
 * path could reach outside it. Refuses rather than repairs: `..` and `.` segments
 * (also encoded, e.g. %2e%2e or ..%2f), empty segments, backslashes, NUL and
 * colons (Windows drive letters and streams). A directory path serves its
 * index.html.
 */
export function resolveAppPath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || /[\\\0:]/.test(decoded)) return null;
  let rel = decoded.slice(1);
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const segments = rel.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  const base = resolve(root);
  const full = resolve(base, ...segments);
  const back = relative(base, full);
  if (back === '' || back.startsWith('..') || isAbsolute(back)) return null;
  return full;
}

/** As resolveAppPath, for a whole request URL; other origins get null. */
export function resolveAppUrl(root: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  return resolveAppPath(root, new URL(url).pathname);
}

function headersFor(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: headersFor('text/plain; charset=utf-8') });
}

async function isInside(root: string, path: string): Promise<boolean> {
  // A symlink inside out/renderer must not lead outside it.
  const [realRoot, realPath] = await Promise.all([realpath(root), realpath(path)]);
  const back = relative(realRoot, realPath);
  return back !== '' && !back.startsWith('..') && !isAbsolute(back);
}

async function readInside(root: string, path: string): Promise<Buffer | null> {
  try {
    if (!(await isInside(root, path))) return null;
    return await readFile(path);
  } catch {
    return null;
  }
}

/** Answers one app:// request from the files under root; every response carries the CSP. */
export async function serveAppRequest(root: string, url: string, method = 'GET'): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method not allowed');
  const path = resolveAppUrl(root, url);
  if (path === null) return plain(404, 'Not found');
  let body = await readInside(root, path);
  let servedPath = path;
  if (body === null && extname(path) === '') {
    // Client-side routes (no file extension) get the app shell.
    servedPath = resolve(root, 'index.html');
    body = await readInside(root, servedPath);
  }
  if (body === null) return plain(404, 'Not found');
  return new Response(method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: headersFor(mimeTypeFor(servedPath)) });
}

/** Serves the built renderer (out/renderer) on app://evalnotes/. Call after `ready`. */
export function registerAppProtocol(rendererRoot: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererRoot, request.url, request.method));
}
