import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { startServeHost, type ServeApp, type ServeHost, type ServeHostOptions } from '../../../main/serve/server';
import { makeTestApp, tempDir, type TestApp } from '../../helpers/app';

/**
 * Test plumbing for the serve host: a real app over a temp workspace, a small
 * fake renderer build, and raw node:http requests (fetch may not forge Host).
 */

export type Reply = { status: number; headers: IncomingHttpHeaders; body: Buffer; text: string };

export type RawRequest = {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Send headers only and take whatever answer comes (for a declared-but-unsent huge body). */
  headersOnly?: boolean;
};

export type LoggedMessage = { level: 'error' | 'warn'; message: string; detail?: unknown };

export type Harness = {
  host: ServeHost;
  app: TestApp['app'];
  rendererDir: string;
  /** Folder that holds rendererDir; a "secret" file sits here, outside the renderer. */
  outsideDir: string;
  tempRoot: string;
  /** The workspace folder (evalnotes.db, blobs/). */
  dataDir: string;
  logged: LoggedMessage[];
  /** A raw request with our Host header unless overridden. */
  send(req: RawRequest): Promise<Reply>;
  /** Shows the token and returns the session cookie ("evalnotes_session=…"). */
  login(): Promise<string>;
  /** Headers our own page would send with a state-changing request. */
  sameOrigin(cookie: string, extra?: Record<string, string | number>): Record<string, string | number>;
  close(): Promise<void>;
};

export const SECRET_TEXT = 'this file is outside the renderer and must never be served';

export const INDEX_HTML =
  '<!doctype html><html><head><meta charset="utf-8"><title>EvalNotes</title>' +
  '<script type="module" crossorigin src="./assets/app.js"></script><link rel="stylesheet" href="./assets/style.css"></head>' +
  '<body><div id="root"></div></body></html>';

function writeFakeRenderer(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'assets', 'app.js'), 'document.getElementById("root").textContent = "EvalNotes";\n');
  writeFileSync(join(dir, 'assets', 'style.css'), 'body { margin: 0; }\n');
  writeFileSync(join(dir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, '.env'), 'NOT_FOR_BROWSERS=1\n');
}

export function rawRequest(port: number, req: RawRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { host: `127.0.0.1:${port}`, ...req.headers };
    if (req.body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      headers['content-length'] = Buffer.byteLength(req.body);
    }
    const r = httpRequest({ host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    if (req.headersOnly) r.flushHeaders();
    else r.end(req.body);
  });
}

export function cookieFrom(reply: Reply): string {
  const setCookie = reply.headers['set-cookie']?.[0];
  if (!setCookie) throw new Error(`no Set-Cookie in a ${reply.status} answer`);
  return setCookie.split(';')[0] ?? '';
}

export type HarnessOptions = Partial<Omit<ServeHostOptions, 'app' | 'log' | 'rendererDir'>> & {
  /** Wrap or replace what the host sees of the app (a fake dispatch, a counting bus …). */
  wrapApp?: (app: TestApp['app']) => ServeApp;
};

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = tempDir('evalnotes-serve-');
  const outsideDir = join(dir.path, 'out');
  const rendererDir = join(outsideDir, 'renderer');
  writeFakeRenderer(rendererDir);
  writeFileSync(join(outsideDir, 'secret.txt'), SECRET_TEXT);
  const tempRoot = join(dir.path, 'tmp');
  mkdirSync(tempRoot);
  const testApp = makeTestApp({ tempRoot, dataDir: join(dir.path, 'workspace') });
  const logged: LoggedMessage[] = [];
  const log = {
    error: (message: string, detail?: unknown) => logged.push({ level: 'error', message, detail }),
    warn: (message: string) => logged.push({ level: 'warn', message }),
  };
  const { wrapApp, ...hostOpts } = opts;
  const host = await startServeHost({
    app: wrapApp ? wrapApp(testApp.app) : testApp.app,
    rendererDir,
    host: '127.0.0.1',
    log,
    ...hostOpts,
  });
  const send = (req: RawRequest) => rawRequest(host.port, req);
  return {
    host,
    app: testApp.app,
    rendererDir,
    outsideDir,
    tempRoot,
    dataDir: testApp.dataDir,
    logged,
    send,
    async login() {
      const reply = await send({ path: new URL(host.url).pathname + new URL(host.url).search });
      if (reply.status !== 303) throw new Error(`login answered ${reply.status}`);
      return cookieFrom(reply);
    },
    sameOrigin(cookie, extra = {}) {
      return { cookie, origin: host.origin, 'sec-fetch-site': 'same-origin', ...extra };
    },
    async close() {
      await host.close();
      await testApp.cleanup();
      dir.cleanup();
    },
  };
}

/** POST /api/<channel> as our own page would. */
export function callApi(h: Harness, cookie: string, channel: string, body: string): Promise<Reply> {
  return h.send({
    method: 'POST',
    path: `/api/${channel}`,
    headers: h.sameOrigin(cookie, { 'content-type': 'application/json' }),
    body,
  });
}
