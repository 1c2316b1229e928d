/**
 * Cross-site request forgery against the serve host, from a real Chromium page
 * on another origin (attackerSite.ts) and from raw requests for the header
 * combinations no browser sends. Every state-changing route is tried: POST
 * /api/<every call in the contract> and the upload route /files. Each attempt
 * must be refused before the app sees it (a counting wrapper around dispatch and
 * uploads stays empty) and must leave the workspace as it was (every table row
 * and file compared before and after). The last test sends the same payloads
 * from the app's own page and sees them succeed, so the attacks were armed.
 */
import { ServerResponse, type IncomingHttpHeaders } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callNames } from '../../../shared/api/contract';
import { NetworkRecorder } from '../../e2e/network';
import { launchBrowser } from '../../e2e/pages';
import { TEST_PASSPHRASE } from '../../helpers/app';
import { startHarness, type Harness } from '../serve/harness';
import { autoSubmittingForms, scriptedRequests, startAttackerSite, type AttackerSite, type FormAttack, type FormEnctype, type ScriptedAttack } from './attackerSite';
import { workspaceSnapshot, type WorkspaceSnapshot } from './workspaceSnapshot';

const ENCTYPES: readonly FormEnctype[] = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** A valid engagement:create input. As a text/plain form it is sent byte for byte: name "…v", "=", value "1\"}". */
const ENGAGEMENT = { developer: 'Mallory Labs', model: 'Trojan', access_start: '2026-03-01', model_version: 'v=1' };
const ENGAGEMENT_JSON = JSON.stringify(ENGAGEMENT);
const ENGAGEMENT_FIELDS = [[ENGAGEMENT_JSON.slice(0, ENGAGEMENT_JSON.indexOf('=')), ENGAGEMENT_JSON.slice(ENGAGEMENT_JSON.indexOf('=') + 1)]] as const;

/** Inputs that would change the workspace if they reached the app. */
const ARMED: Record<string, string> = { 'engagement:create': ENGAGEMENT_JSON, 'workspace:lock': '{}' };
const body = (channel: string) => ARMED[channel] ?? '{}';

const UPLOAD = '/files?name=planted.txt';

/** A real browser on a shared two-core machine: room to finish, not a speed claim. */
const BROWSER_TIMEOUT = 90_000;

/** A request as the serve host received it, and the status it answered with. */
type Seen = { method: string; url: string; status: number; headers: IncomingHttpHeaders };

let h: Harness;
let site: AttackerSite;
let browser: Browser;
let before: WorkspaceSnapshot;
const dispatched: string[] = [];
const uploads: string[] = [];
/**
 * The browser cannot see every answer (Cross-Origin-Resource-Policy hides them
 * from no-cors fetches, X-Frame-Options from frames), so the serve host's own
 * answers are taken where Node writes them: a spy that calls through.
 */
const writeHeads = vi.spyOn(ServerResponse.prototype, 'writeHead');

/** Every answer the serve host gave on the routes under attack (a page's own /favicon.ico and assets are not attempts). */
function answered(): Seen[] {
  return writeHeads.mock.contexts.flatMap((res, i) => {
    const req = (res as ServerResponse).req as ServerResponse['req'] | undefined;
    const route = req?.url ?? '';
    if (req?.headers.host !== `127.0.0.1:${h.host.port}` || !(route.startsWith('/api/') || route.startsWith('/files'))) return [];
    return [{ method: req.method ?? '', url: route, status: Number(writeHeads.mock.calls[i]?.[0]), headers: req.headers }];
  });
}

const snapshot = () => workspaceSnapshot(h.dataDir, { uploads: h.tempRoot });

beforeAll(async () => {
  h = await startHarness({
    wrapApp: (app) => ({
      dispatch: (name, input) => {
        dispatched.push(String(name));
        return app.dispatch(name, input);
      },
      events: app.events,
      files: {
        receiveUpload: (name, stream, max) => {
          uploads.push(name);
          return app.files.receiveUpload(name, stream, max);
        },
        resolve: (ref, mode) => app.files.resolve(ref, mode),
      },
    }),
  });
  const created = await h.app.dispatch('workspace:create', { name: 'Ada Lovelace', org: 'AI Security Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE });
  if (!created.ok) throw new Error(created.error.message);
  const orion = await h.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' });
  if (!orion.ok) throw new Error(orion.error.message);
  site = await startAttackerSite();
  // A recorder of its own: this file is not under the e2e network check, and the attacker's origin is foreign by design.
  browser = await launchBrowser(new NetworkRecorder());
  before = snapshot();
}, 60_000);

afterAll(async () => {
  writeHeads.mockRestore();
  await browser?.close();
  await site?.close();
  await h?.close();
});

/** A browser profile that opened the printed link: it holds the session cookie, as the user's browser would. */
async function signedIn(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(h.host.url);
  expect(page.url()).toBe(`${h.host.origin}/`);
  return { context, page };
}

/** Opens an attacker page in `context`; returns the serve host's answers to it once `count` have been given. */
async function visitAttack(context: BrowserContext, origin: string, path: string, html: string, count: number): Promise<{ seen: Seen[]; page: Page }> {
  site.put(path, html);
  const start = answered().length;
  const page = await context.newPage();
  await page.goto(`${origin}${path}`);
  await expect.poll(() => answered().length - start, { timeout: 60_000, message: `answers of the serve host to ${path}` }).toBe(count);
  return { seen: answered().slice(start), page };
}

/** The armed calls and the upload in every enctype; the other calls in one each, taking the enctypes in turn. */
function enctypesFor(channel: string | null, index: number): readonly FormEnctype[] {
  return channel === null || channel in ARMED ? ENCTYPES : [ENCTYPES[index % ENCTYPES.length]!];
}

/** One form per route and enctype: POST /api/<channel> for each channel, then the upload route. */
function formsFor(channels: readonly string[], query = ''): FormAttack[] {
  const routes = [
    ...channels.map((channel) => ({ action: `${h.host.origin}/api/${channel}${query}`, channel })),
    { action: `${h.host.origin}${UPLOAD}${query ? `&${query.slice(1)}` : ''}`, channel: null },
  ];
  return routes.flatMap(({ action, channel }, i) =>
    enctypesFor(channel, i).map((enctype) => ({ action, enctype, fields: channel === 'engagement:create' ? ENGAGEMENT_FIELDS : [['{"id":"', '"}'] as const] })),
  );
}

async function workspaceState(): Promise<string> {
  const status = await h.app.dispatch('workspace:status', {});
  if (!status.ok) throw new Error(status.error.message);
  return (status.value as { state: string }).state;
}

async function expectNothingReachedTheApp(): Promise<void> {
  expect(dispatched).toEqual([]);
  expect(uploads).toEqual([]);
  expect(snapshot()).toEqual(before);
  // Unlocked is memory, not disk: workspace:lock would have changed only this.
  expect(await workspaceState()).toBe('unlocked');
}

const sessionCookie = /(^|;\s*)evalnotes_session=[A-Za-z0-9_-]{43}(;|$)/;

describe('cross-site form posts from a real browser', () => {
  it('are refused for every API call and the upload route, though the browser sends the session cookie', async () => {
    const { context } = await signedIn();
    const forms = formsFor(callNames);
    const { seen } = await visitAttack(context, site.sameSiteOrigin, '/every-route', autoSubmittingForms(forms), forms.length);
    expect(seen.filter((s) => s.method !== 'POST')).toEqual([]);
    for (const s of seen) {
      expect(s.status, s.url).toBe(403);
      // Other ports of 127.0.0.1 are the same site, so SameSite=Strict does not hold the cookie back: the guards must.
      expect(s.headers.cookie, s.url).toMatch(sessionCookie);
      expect(s.headers.origin).toBe(site.sameSiteOrigin);
      expect(s.headers['sec-fetch-site']).toBe('same-site');
    }
    expect(new Set(seen.map((s) => s.headers['content-type']?.split(';')[0]))).toEqual(new Set(ENCTYPES));
    expect(new Set(seen.map((s) => s.url)).size).toBe(callNames.length + 1);
    await context.close();
    await expectNothingReachedTheApp();
  }, BROWSER_TIMEOUT);

  it('are refused with Origin: null (a no-referrer page) and from another site', async () => {
    const { context } = await signedIn();
    const forms = formsFor(Object.keys(ARMED));
    const { seen: fromNull } = await visitAttack(context, site.sameSiteOrigin, '/no-referrer', autoSubmittingForms(forms, { referrer: 'no-referrer' }), forms.length);
    for (const s of fromNull) {
      expect(s.status, s.url).toBe(403);
      expect(s.headers.origin).toBe('null');
      expect(s.headers.referer).toBeUndefined();
      expect(s.headers.cookie).toMatch(sessionCookie);
    }
    const { seen: crossSite } = await visitAttack(context, site.crossSiteOrigin, '/cross-site', autoSubmittingForms(forms), forms.length);
    for (const s of crossSite) {
      expect(s.status, s.url).toBe(403);
      expect(s.headers.origin).toBe(site.crossSiteOrigin);
      expect(s.headers['sec-fetch-site']).toBe('cross-site');
      // From another site SameSite=Strict does hold the cookie back.
      expect(s.headers.cookie).toBeUndefined();
    }
    await context.close();
    await expectNothingReachedTheApp();
  }, BROWSER_TIMEOUT);

  it('are refused from a browser with no session, with or without the launch token in the address', async () => {
    const context = await browser.newContext();
    const forms = [...formsFor(Object.keys(ARMED)), ...formsFor(Object.keys(ARMED), `?token=${new URL(h.host.url).searchParams.get('token')}`)];
    const { seen } = await visitAttack(context, site.sameSiteOrigin, '/no-session', autoSubmittingForms(forms), forms.length);
    for (const s of seen) {
      expect(s.status, s.url).toBe(403);
      expect(s.headers.cookie).toBeUndefined();
    }
    expect(seen.filter((s) => s.url.includes('token=')).length).toBe(forms.length / 2);
    // The page got no session either.
    expect((await context.cookies(h.host.origin)).map((c) => c.name)).toEqual([]);
    await context.close();
    await expectNothingReachedTheApp();
  }, BROWSER_TIMEOUT);
});

describe('cross-site fetches from a real browser', () => {
  it('"simple" requests (no-cors POST with a form or text content type, no preflight) are refused for every call', async () => {
    const { context } = await signedIn();
    const attacks: ScriptedAttack[] = callNames.flatMap((c, i) =>
      enctypesFor(c, i).map((type) => ({ url: `${h.host.origin}/api/${c}`, init: { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': type }, body: body(c) } })),
    );
    const { seen, page } = await visitAttack(context, site.sameSiteOrigin, '/simple', scriptedRequests(attacks), attacks.length);
    await page.waitForFunction("document.title === 'done'");
    for (const s of seen) {
      expect(s.status, s.url).toBe(403);
      expect(s.headers.cookie).toMatch(sessionCookie);
    }
    // Cross-Origin-Resource-Policy keeps even the opaque answer from the page.
    expect(await page.evaluate('window.attackResults')).toEqual(attacks.map(() => 'refused: TypeError'));
    await context.close();
    await expectNothingReachedTheApp();
  }, BROWSER_TIMEOUT);

  it('requests that need a preflight (JSON, PUT) never get past it', async () => {
    const { context } = await signedIn();
    const attacks: ScriptedAttack[] = [
      ...Object.keys(ARMED).map((c) => ({ url: `${h.host.origin}/api/${c}`, init: { method: 'POST', mode: 'cors' as const, headers: { 'Content-Type': 'application/json' }, body: body(c) } })),
      { url: `${h.host.origin}${UPLOAD}`, init: { method: 'PUT', mode: 'cors', headers: { 'Content-Type': 'application/octet-stream' }, body: 'planted' } },
    ];
    site.put('/preflight', scriptedRequests(attacks));
    const page = await context.newPage();
    await page.goto(`${site.sameSiteOrigin}/preflight`);
    await page.waitForFunction("document.title === 'done'");
    expect(await page.evaluate('window.attackResults')).toEqual(attacks.map(() => 'refused: TypeError'));
    await context.close();
    await expectNothingReachedTheApp();
  }, BROWSER_TIMEOUT);
});

describe('forged requests no browser would send', () => {
  it('are refused for every call and the upload route', async () => {
    const cookie = await h.login();
    const foreign = site.sameSiteOrigin;
    const variants: Array<{ name: string; headers: Record<string, string>; status: number }> = [
      { name: 'cookie, no Origin, foreign Referer', headers: { cookie, referer: `${foreign}/cats` }, status: 403 },
      { name: 'cookie, no Origin, foreign Referer, same-site', headers: { cookie, referer: `${foreign}/cats`, 'sec-fetch-site': 'same-site' }, status: 403 },
      { name: 'cookie, no Origin, cross-site', headers: { cookie, 'sec-fetch-site': 'cross-site' }, status: 403 },
      { name: 'cookie, no Origin, no fetch metadata', headers: { cookie }, status: 403 },
      { name: 'cookie, foreign Origin, same-origin claimed', headers: { cookie, origin: foreign, 'sec-fetch-site': 'same-origin' }, status: 403 },
      { name: 'cookie, Origin null', headers: { cookie, origin: 'null' }, status: 403 },
      { name: 'token in the address, foreign Origin', headers: { origin: foreign }, status: 403 },
      { name: 'no cookie, same-origin claimed', headers: { origin: h.host.origin, 'sec-fetch-site': 'same-origin' }, status: 401 },
    ];
    const token = new URL(h.host.url).searchParams.get('token') ?? '';
    for (const v of variants) {
      const query = v.name.startsWith('token') ? `?token=${token}` : '';
      for (const c of callNames) {
        const reply = await h.send({ method: 'POST', path: `/api/${c}${query}`, headers: { ...v.headers, 'content-type': 'application/json' }, body: body(c) });
        expect(reply.status, `${v.name}: ${c}`).toBe(v.status);
      }
      const upload = await h.send({ method: 'PUT', path: `${UPLOAD}${query ? `&${query.slice(1)}` : ''}`, headers: v.headers, body: 'planted' });
      expect(upload.status, `${v.name}: upload`).toBe(v.status);
    }
    await expectNothingReachedTheApp();
  });
});

describe('the same payloads from the app itself', () => {
  it('go through, so the refusals above were of working attacks', async () => {
    const { context, page } = await signedIn();
    const results = await page.evaluate(
      async ({ engagement }) => {
        const post = (channel: string, json: string) =>
          fetch(`/api/${channel}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json }).then((r) => r.json() as Promise<{ ok: boolean }>);
        const created = await post('engagement:create', engagement);
        const locked = await post('workspace:lock', '{}');
        const uploaded = await fetch('/files?name=planted.txt', { method: 'PUT', body: 'planted' }).then((r) => r.json() as Promise<{ ok: boolean }>);
        return [created.ok, locked.ok, uploaded.ok];
      },
      { engagement: ENGAGEMENT_JSON },
    );
    expect(results).toEqual([true, true, true]);
    expect(dispatched).toEqual(['engagement:create', 'workspace:lock']);
    expect(uploads).toEqual(['planted.txt']);
    const after = snapshot();
    expect(after).not.toEqual(before);
    expect(Object.values(after.tables).some((rows) => rows.some((row) => row.includes('Mallory Labs')))).toBe(true);
    expect(Object.keys(after.files).some((name) => name.startsWith('uploads/'))).toBe(true);
    expect(await workspaceState()).toBe('locked');
    await context.close();
  }, BROWSER_TIMEOUT);
});
