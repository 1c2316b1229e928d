import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../main/serve/respond';
import { startServeHost } from '../../../main/serve/server';
import { AppError } from '../../../shared/result';
import { callApi, cookieFrom, startHarness, type Harness, type Reply } from './harness';

let h: Harness;
let cookie: string;

beforeAll(async () => {
  h = await startHarness();
  cookie = await h.login();
});
afterAll(() => h.close());

function expectOneSentence(reply: Reply): void {
  expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
  expect(reply.text.trim()).not.toBe('');
  expect(reply.text.trim()).not.toContain('\n');
  expect(reply.text).not.toMatch(/\bat .*:\d+:\d+/); // no stack frames
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('where the serve host listens', () => {
  it('binds 127.0.0.1 and nothing else', async () => {
    expect(h.host.origin).toBe(`http://127.0.0.1:${h.host.port}`);
    expect(h.host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${h.host.port}/\\?token=[A-Za-z0-9_-]{43}$`));
    expect(await connects('127.0.0.1', h.host.port)).toBe(true);
    // A wildcard bind would accept these too: all of 127/8 reaches the loopback device, and ::1 is loopback over IPv6.
    expect(await connects('127.0.0.2', h.host.port)).toBe(false);
    expect(await connects('::1', h.host.port)).toBe(false);
  });
});

describe('starting on a port that is taken', () => {
  it('refuses with one sentence', async () => {
    const second = startServeHost({ app: h.app, rendererDir: h.rendererDir, port: h.host.port, host: '127.0.0.1', log: { error: () => {}, warn: () => {} } });
    await expect(second).rejects.toBeInstanceOf(AppError);
    await expect(second).rejects.toMatchObject({ code: 'CONFLICT', message: `Port ${h.host.port} on 127.0.0.1 is already in use; choose another port.` });
  });
});

describe('signing in with the launch token', () => {
  it('refuses every path without the token or a session cookie', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/api/workspace:status', '/events', '/files/AAAAAAAAAAAAAAAAAAAAAA']) {
      const reply = await h.send({ path });
      expect(reply.status, path).toBe(401);
      expectOneSentence(reply);
    }
    const post = await h.send({ method: 'POST', path: '/api/workspace:status', headers: { origin: h.host.origin, 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(401);
  });

  it('refuses a wrong token and sets no cookie', async () => {
    const wrongToken = await h.send({ path: '/?token=' + 'A'.repeat(43) });
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.headers['set-cookie']).toBeUndefined();
    expectOneSentence(wrongToken);
    const emptyToken = await h.send({ path: '/?token=' });
    expect(emptyToken.status).toBe(401);
  });

  it('trades the token for an HttpOnly, SameSite=Strict cookie and a 303 to a clean address', async () => {
    const reply = await h.send({ path: new URL(h.host.url).pathname + new URL(h.host.url).search });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    const setCookie = reply.headers['set-cookie']?.[0] ?? '';
    const attributes = setCookie.split(';').map((s) => s.trim());
    expect(attributes[0]).toMatch(/^evalnotes_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toContain('HttpOnly');
    expect(attributes).toContain('SameSite=Strict');
    expect(attributes).toContain('Path=/');
    // The session id is not the token: the token stays out of the cookie jar.
    expect(attributes[0]).not.toContain(new URL(h.host.url).searchParams.get('token'));

    const page = await h.send({ path: '/', headers: { cookie: cookieFrom(reply) } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="root">');
  });

  it('refuses a made-up session cookie, and finds ours among other cookies', async () => {
    const forged = await h.send({ path: '/', headers: { cookie: 'evalnotes_session=' + 'B'.repeat(43) } });
    expect(forged.status).toBe(401);
    const mixed = await h.send({ path: '/', headers: { cookie: `theme=dark; evalnotes_session=stale; ${cookie}` } });
    expect(mixed.status).toBe(200);
  });
});

describe('DNS rebinding: the Host header must name us', () => {
  it('refuses foreign host names and other ports, even with a valid session', async () => {
    for (const host of [`evil.example:${h.host.port}`, `127.0.0.1:${h.host.port + 1}`, '127.0.0.1', `localhost.evil.example:${h.host.port}`, `[::1]:${h.host.port}`]) {
      const reply = await h.send({ path: '/', headers: { host, cookie } });
      expect(reply.status, host).toBe(421);
      expectOneSentence(reply);
    }
  });

  it('does not hand out a session to a rebound name even with the right token', async () => {
    const reply = await h.send({ path: new URL(h.host.url).pathname + new URL(h.host.url).search, headers: { host: `evil.example:${h.host.port}` } });
    expect(reply.status).toBe(421);
    expect(reply.headers['set-cookie']).toBeUndefined();
  });

  it('answers to localhost with our port', async () => {
    const reply = await h.send({ path: '/', headers: { host: `localhost:${h.host.port}`, cookie } });
    expect(reply.status).toBe(200);
  });

  it('refuses an absolute request target', async () => {
    const reply = await h.send({ path: `http://evil.example/`, headers: { cookie } });
    expect(reply.status).toBe(400);
  });
});

describe('cross-origin and CSRF', () => {
  it('refuses any foreign Origin, including other local ports and "null"', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${h.host.port + 1}`, `https://127.0.0.1:${h.host.port}`, 'null']) {
      const get = await h.send({ path: '/', headers: { cookie, origin } });
      expect(get.status, origin).toBe(403);
      expectOneSentence(get);
      const post = await h.send({ method: 'POST', path: '/api/workspace:status', headers: { cookie, origin, 'content-type': 'application/json' }, body: '{}' });
      expect(post.status, origin).toBe(403);
    }
  });

  it('refuses form-style posts (text/plain, urlencoded, multipart) and never runs them', async () => {
    const create = JSON.stringify({ name: 'Mallory', org: 'Evil', role: 'evaluator', passphrase: 'correct horse battery staple' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json']) {
      const reply = await h.send({
        method: 'POST',
        path: '/api/workspace:create',
        headers: h.sameOrigin(cookie, { 'content-type': type }),
        body: create,
      });
      expect(reply.status, type).toBe(415);
      expectOneSentence(reply);
    }
    const noType = await h.send({ method: 'POST', path: '/api/workspace:create', headers: h.sameOrigin(cookie), body: create });
    expect(noType.status).toBe(415);
    const status = await callApi(h, cookie, 'workspace:status', '{}');
    expect(JSON.parse(status.text)).toMatchObject({ ok: true, value: { state: 'uninitialized' } });
  });

  it('requires state-changing requests to prove they come from our page', async () => {
    const bare = { cookie, 'content-type': 'application/json' };
    const noProof = await h.send({ method: 'POST', path: '/api/workspace:status', headers: bare, body: '{}' });
    expect(noProof.status).toBe(403);
    const sameSite = await h.send({ method: 'POST', path: '/api/workspace:status', headers: { ...bare, 'sec-fetch-site': 'same-site' }, body: '{}' });
    expect(sameSite.status).toBe(403);
    const fetchSiteOnly = await h.send({ method: 'POST', path: '/api/workspace:status', headers: { ...bare, 'sec-fetch-site': 'same-origin' }, body: '{}' });
    expect(fetchSiteOnly.status).toBe(200);
    const originOnly = await h.send({ method: 'POST', path: '/api/workspace:status', headers: { ...bare, origin: h.host.origin }, body: '{}' });
    expect(originOnly.status).toBe(200);
    const upload = await h.send({ method: 'PUT', path: '/files?name=a.txt', headers: { cookie }, body: 'x' });
    expect(upload.status).toBe(403);
  });

  it('refuses API, file and event requests that another site started', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const events = await h.send({ path: '/events', headers: { cookie, 'sec-fetch-site': site } });
      expect(events.status, site).toBe(403);
      const file = await h.send({ path: '/files/AAAAAAAAAAAAAAAAAAAAAA', headers: { cookie, 'sec-fetch-site': site } });
      expect(file.status, site).toBe(403);
      const api = await h.send({ method: 'POST', path: '/api/workspace:status', headers: { cookie, origin: h.host.origin, 'sec-fetch-site': site, 'content-type': 'application/json' }, body: '{}' });
      expect(api.status, site).toBe(403);
    }
  });

  it('allows only the methods each address needs', async () => {
    expect((await h.send({ method: 'GET', path: '/api/workspace:status', headers: { cookie } })).status).toBe(405);
    expect((await h.send({ method: 'DELETE', path: '/', headers: h.sameOrigin(cookie) })).status).toBe(405);
    expect((await h.send({ method: 'POST', path: '/events', headers: h.sameOrigin(cookie) })).status).toBe(405);
    expect((await h.send({ method: 'OPTIONS', path: '/api/workspace:status', headers: { cookie } })).status).toBe(405);
  });
});

describe('security headers', () => {
  it('are on every answer: pages, API answers and refusals alike', async () => {
    const replies = [
      await h.send({ path: '/' }),
      await h.send({ path: '/', headers: { cookie } }),
      await h.send({ path: '/assets/app.js', headers: { cookie } }),
      await callApi(h, cookie, 'workspace:status', '{}'),
      await h.send({ path: '/', headers: { host: 'evil.example' } }),
    ];
    for (const reply of replies) {
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(reply.headers['x-frame-options']).toBe('DENY');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
      expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(reply.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
    }
    // No remote origin, no inline script or style, no eval, no framing.
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|unsafe-inline|unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });
});
