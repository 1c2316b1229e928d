import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DRAIN_LIMIT } from '../../../main/serve/body';
import { DEFAULT_MAX_JSON_BYTES } from '../../../main/serve/server';
import { num, stringifyJson } from '../../../shared/numbers';
import { TEST_PASSPHRASE } from '../../helpers/app';
import { callApi, startHarness, type Harness } from './harness';

describe('POST /api/<channel> against the real app', () => {
  let h: Harness;
  let cookie: string;

  beforeAll(async () => {
    h = await startHarness();
    cookie = await h.login();
  });
  afterAll(() => h.close());

  it('round-trips workspace:status as a JSON envelope', async () => {
    const reply = await callApi(h, cookie, 'workspace:status', '{}');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(reply.text)).toMatchObject({ ok: true, value: { state: 'uninitialized', identity: null, transport: 'browser' } });
  });

  it('carries a real change: create a workspace, then its status shows it unlocked', async () => {
    const created = await callApi(
      h,
      cookie,
      'workspace:create',
      JSON.stringify({ name: 'Ada Lovelace', org: 'Evaluation Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE }),
    );
    expect(JSON.parse(created.text)).toMatchObject({ ok: true, value: { state: 'unlocked' } });
    const status = await callApi(h, cookie, 'workspace:status', '{}');
    expect(JSON.parse(status.text)).toMatchObject({ ok: true, value: { state: 'unlocked', identity: { name: 'Ada Lovelace' } } });
  });

  it('answers an unknown channel with UNKNOWN_CALL', async () => {
    const reply = await callApi(h, cookie, 'workspace:selfDestruct', '{}');
    expect(JSON.parse(reply.text)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    const encoded = await callApi(h, cookie, 'workspace%3Astatus', '{}');
    expect(JSON.parse(encoded.text)).toMatchObject({ ok: true, value: { state: 'unlocked' } });
  });

  it('answers input that breaks the contract with INVALID_INPUT', async () => {
    const reply = await callApi(h, cookie, 'engagement:get', JSON.stringify({ id: '../../etc/passwd' }));
    const envelope = JSON.parse(reply.text) as { ok: boolean; error: { code: string; message: string } };
    expect(envelope).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(envelope.error.message).not.toContain('\n');
  });

  it('answers a body that is not JSON with 400 and INVALID_INPUT', async () => {
    for (const body of ['{"unclosed": ', '', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
      const reply = await h.send({ method: 'POST', path: '/api/workspace:status', headers: h.sameOrigin(cookie, { 'content-type': 'application/json' }), body });
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.text)).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'The request body is not valid JSON.' } });
    }
  });

  it('refuses a body over 1 MiB with 413 and a sentence, and keeps serving', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(DEFAULT_MAX_JSON_BYTES) });
    const reply = await callApi(h, cookie, 'workspace:status', big);
    expect(reply.status).toBe(413);
    expect(reply.text.trim()).toMatch(/^The request body is larger than the 1048576 bytes an API call may send\.$/);

    const chunked = await h.send({
      method: 'POST',
      path: '/api/workspace:status',
      headers: h.sameOrigin(cookie, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
      body: big,
    });
    expect(chunked.status).toBe(413);

    // A declared length far beyond the limit is refused before a byte of the body arrives.
    const declared = await h.send({
      method: 'POST',
      path: '/api/workspace:status',
      headers: h.sameOrigin(cookie, { 'content-type': 'application/json', 'content-length': DEFAULT_MAX_JSON_BYTES + DRAIN_LIMIT + 1 }),
      headersOnly: true,
    });
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');

    expect((await callApi(h, cookie, 'workspace:status', '{}')).status).toBe(200);
  });
});

describe('the JSON codec over HTTP', () => {
  it('keeps NaN and infinities in both directions', async () => {
    let received: unknown;
    const h = await startHarness({
      wrapApp: (app) => ({
        events: app.events,
        files: app.files,
        dispatch: (_name, input) => {
          received = input;
          return Promise.resolve({ ok: true, value: { echo: input, computed: Number.NaN, ratio: -Infinity } });
        },
      }),
    });
    try {
      const cookie = await h.login();
      const reply = await callApi(h, cookie, 'workspace:status', stringifyJson({ score: Number.NaN, high: Infinity }));
      expect(received).toEqual({ score: 'NaN', high: 'Infinity' });
      expect(reply.text).toBe('{"ok":true,"value":{"echo":{"score":"NaN","high":"Infinity"},"computed":"NaN","ratio":"-Infinity"}}');
      const decoded = z
        .object({ value: z.object({ echo: z.object({ score: num(), high: num() }), computed: num(), ratio: num() }) })
        .parse(JSON.parse(reply.text));
      expect(decoded.value.echo.score).toBeNaN();
      expect(decoded.value.echo.high).toBe(Infinity);
      expect(decoded.value.computed).toBeNaN();
      expect(decoded.value.ratio).toBe(-Infinity);
    } finally {
      await h.close();
    }
  });
});

describe('unexpected failures', () => {
  it('answer 500 with one sentence, never a stack, and go to the log', async () => {
    const h = await startHarness({
      wrapApp: (app) => ({
        events: app.events,
        files: app.files,
        dispatch: () => Promise.reject(new Error('secret internals at /home/user/project/file.ts:12:3')),
      }),
    });
    try {
      const cookie = await h.login();
      const reply = await callApi(h, cookie, 'workspace:status', '{}');
      expect(reply.status).toBe(500);
      expect(reply.text).toBe('Something went wrong inside the EvalNotes serve host; the log has details.\n');
      expect(h.logged).toHaveLength(1);
      expect(h.logged[0]?.message).toBe('serve host: POST /api/workspace:status failed');
    } finally {
      await h.close();
    }
  });
});
