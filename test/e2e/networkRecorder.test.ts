/**
 * The recorder behind the whole-suite network check (network.ts, test/setup/e2e.ts),
 * shown to catch what it is for: real Chromium pages, launched by the shared
 * launcher, on a stand-in "app" server, one of which also reaches a second local
 * server on another port. A recorder of its own is used, so this file's
 * deliberate leaks do not trip the suite-wide check.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNoForeignRequests, NetworkRecorder } from './network';
import { launchBrowser } from './pages';

const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** The page sets its title to "done" once every request it makes has settled. */
function page(body: string, script: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>loading</title></head><body>${body}<script>(async () => {${script}})().finally(() => { document.title = 'done'; });</script></body></html>`;
}

let app: { server: Server; origin: string };
let elsewhere: { server: Server; origin: string };

beforeAll(async () => {
  elsewhere = await listen((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' });
    res.end(PIXEL);
  });
  app = await listen((req, res) => {
    const pages: Record<string, string> = {
      // Own files, a data: image and a blob: URL of its own: all the app's own traffic.
      '/clean': page(
        '<img alt="" src="/pixel.png"><img alt="" src="data:image/png;base64,' + PIXEL.toString('base64') + '">',
        "const own = await (await fetch('/pixel.png')).blob(); await fetch(URL.createObjectURL(own));",
      ),
      // The same, plus an image, a fetch and a WebSocket aimed at the other server.
      '/leaky': page(
        `<img alt="" src="/pixel.png"><img alt="" id="far" src="${elsewhere.origin}/tracker.png">`,
        `await fetch('${elsewhere.origin}/beacon', { mode: 'no-cors' }).catch(() => {});
         await new Promise((resolve) => { const ws = new WebSocket('${elsewhere.origin.replace('http', 'ws')}/socket'); ws.onerror = ws.onclose = resolve; });
         const far = document.getElementById('far'); if (!far.complete) await new Promise((resolve) => { far.onload = far.onerror = resolve; });`,
      ),
    };
    const html = pages[req.url ?? ''];
    if (html) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(html);
    } else {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.end(PIXEL);
    }
  });
});

afterAll(async () => {
  await close(app.server);
  await close(elsewhere.server);
});

/** One page, in a browser launched by the shared launcher but recording into `recorder`. */
async function visit(recorder: NetworkRecorder, path: string, how: 'newContext' | 'newPage'): Promise<void> {
  const browser = await launchBrowser(recorder);
  try {
    const p = how === 'newPage' ? await browser.newPage() : await (await browser.newContext()).newPage();
    await p.goto(`${app.origin}${path}`);
    await p.waitForFunction("document.title === 'done'");
  } finally {
    await browser.close();
  }
}

describe('the e2e network recorder', () => {
  it('passes pages that use only their own origin, their own blob: URLs and data: images', async () => {
    const recorder = new NetworkRecorder();
    recorder.allowOrigin(app.origin);
    await visit(recorder, '/clean', 'newContext');
    const urls = recorder.requests.map((r) => r.url);
    expect(urls).toContain(`${app.origin}/clean`);
    expect(urls.some((u) => u.startsWith(`blob:${app.origin}/`))).toBe(true);
    expect(recorder.foreign()).toEqual([]);
    expect(() => assertNoForeignRequests(recorder)).not.toThrow();
  });

  it('fails a page that reaches another origin, naming each request', async () => {
    const recorder = new NetworkRecorder();
    recorder.allowOrigin(app.origin);
    await visit(recorder, '/leaky', 'newContext');
    const foreign = recorder.foreign().map((r) => `${r.kind} ${r.url}`);
    expect(foreign).toEqual(
      expect.arrayContaining([
        `request ${elsewhere.origin}/tracker.png`,
        `request ${elsewhere.origin}/beacon`,
        `websocket ${elsewhere.origin.replace('http', 'ws')}/socket`,
      ]),
    );
    expect(() => assertNoForeignRequests(recorder)).toThrow(`request(s) outside the app's own origin:\n  request ${elsewhere.origin}/tracker.png (from ${app.origin}/leaky)`);
  });

  it('watches contexts that browser.newPage() makes for itself', async () => {
    const recorder = new NetworkRecorder();
    recorder.allowOrigin(app.origin);
    await visit(recorder, '/leaky', 'newPage');
    expect(recorder.contextsWatched).toBe(1);
    expect(recorder.foreign().map((r) => r.url)).toContain(`${elsewhere.origin}/tracker.png`);
  });

  it('counts an origin it was never told about as foreign, and a recorder that saw nothing as detached', async () => {
    const unaware = new NetworkRecorder();
    await visit(unaware, '/clean', 'newContext');
    expect(unaware.foreign().map((r) => r.url)).toContain(`${app.origin}/clean`);

    const detached = new NetworkRecorder();
    detached.watch({ on: () => undefined, pages: () => [] } as unknown as Parameters<NetworkRecorder['watch']>[0]);
    expect(() => assertNoForeignRequests(detached)).toThrow('the network recorder is not attached');
  });
});
