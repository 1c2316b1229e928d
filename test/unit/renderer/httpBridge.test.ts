import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpBridge, LOST_CONNECTION, type EventSourceLike, type FetchLike } from '../../../renderer/lib/httpBridge';


type Sent = { url: string; init: RequestInit };

function fakeFetch(answer: (sent: Sent) => Response | Promise<Response>): FetchLike & { sent: Sent[] } {
  const sent: Sent[] = [];
  const fn = (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return Promise.resolve(answer({ url, init }));
  };
  return Object.assign(fn, { sent });
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

/** Stands in for the browser's EventSource; every instance is recorded. */
class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  readonly listeners = new Map<string, ((event: { data?: unknown }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  emit(type: string, data?: string): void {
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
}

const STATUS = { state: 'locked', identity: null, app_version: '1.0.0', data_dir: '/data', transport: 'browser' };

afterEach(() => {
  FakeEventSource.instances = [];
  vi.useRealTimers();
});

describe('calls', () => {
  it('POSTs JSON written with the NaN codec to /api/<name>', async () => {
    const fetch = fakeFetch(() => json({ ok: true, value: STATUS }));
    const bridge = createHttpBridge(fetch, FakeEventSource);
    const result = await bridge.calls['workspace:status']({});
    expect(result).toEqual({ ok: true, value: STATUS });
    const [call] = fetch.sent;
    expect(call?.url).toBe('/api/workspace%3Astatus');
    expect(call?.init).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'application/json' }, credentials: 'same-origin', body: '{}' });

    await bridge.calls['jobs:list']({ nan: Number.NaN } as never);
    expect(fetch.sent[1]?.init.body).toBe('{"nan":"NaN"}');
  });

  it('re-parses answers with the contract, refusing ones that break it', async () => {
    const bridge = createHttpBridge(fakeFetch(() => json({ ok: true, value: { ...STATUS, state: 'exploded' } })), FakeEventSource);
    const result = await bridge.calls['workspace:status']({});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    if (!result.ok) expect(result.error.message).toMatch(/^The serve host's answer to workspace:status does not match the contract \(state: /);
  });

  it('passes error envelopes through unchanged', async () => {
    const error = { code: 'LOCKED', message: 'Unlock the workspace first.' };
    const bridge = createHttpBridge(fakeFetch(() => json({ ok: false, error })), FakeEventSource);
    expect(await bridge.calls['workspace:lock']({})).toEqual({ ok: false, error });
  });

  it('turns plain-text refusals into envelopes carrying their sentence', async () => {
    const cases: [number, string][] = [
      [401, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
      [413, 'INVALID_INPUT'],
      [415, 'INVALID_INPUT'],
      [500, 'INTERNAL'],
    ];
    for (const [status, code] of cases) {
      const bridge = createHttpBridge(fakeFetch(() => new Response('One sentence.\n', { status, headers: { 'content-type': 'text/plain' } })), FakeEventSource);
      expect(await bridge.calls['workspace:status']({})).toEqual({ ok: false, error: { code, message: 'One sentence.' } });
    }
  });

  it('reports answers it cannot read, and lost connections, in one sentence', async () => {
    const garbled = createHttpBridge(fakeFetch(() => new Response('{"ok":tr', { headers: { 'content-type': 'application/json' } })), FakeEventSource);
    expect(await garbled.calls['workspace:status']({})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const strange = createHttpBridge(fakeFetch(() => json({ ok: false, error: { code: 'NOPE', message: 1 } })), FakeEventSource);
    expect(await strange.calls['workspace:status']({})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const gone = createHttpBridge(() => Promise.reject(new TypeError('Failed to fetch')), FakeEventSource);
    expect(await gone.calls['workspace:status']({})).toEqual({ ok: false, error: { code: 'INTERNAL', message: LOST_CONNECTION } });
  });
});

describe('events', () => {
  const changed = (types: string[]) => JSON.stringify({ types });

  it('opens one EventSource lazily, shares it, and closes it with the last listener', () => {
    const bridge = createHttpBridge(fakeFetch(() => json({})), FakeEventSource);
    expect(FakeEventSource.instances).toHaveLength(0);
    const a = vi.fn();
    const b = vi.fn();
    const offA = bridge.events['records:changed'](a);
    const offB = bridge.events['job:progress'](b);
    expect(FakeEventSource.instances).toHaveLength(1);
    const source = FakeEventSource.instances[0]!;
    expect(source.url).toBe('/events');

    source.emit('records:changed', changed(['engagement']));
    expect(a).toHaveBeenCalledWith({ types: ['engagement'] });
    expect(b).not.toHaveBeenCalled();

    offA();
    offA(); // a second call must not remove someone else's subscription
    expect(source.closed).toBe(false);
    offB();
    expect(source.closed).toBe(true);

    bridge.events['records:changed'](a);
    expect(FakeEventSource.instances).toHaveLength(2);
  });

  it('validates payloads against the contract and drops the ones that break it', () => {
    const bridge = createHttpBridge(fakeFetch(() => json({})), FakeEventSource);
    const listener = vi.fn();
    bridge.events['job:progress'](listener);
    const source = FakeEventSource.instances[0]!;
    source.emit('job:progress', JSON.stringify({ job_id: 'not-a-job', kind: 'x', done: 1, total: 2, message: '' }));
    source.emit('job:progress', 'not json');
    expect(listener).not.toHaveBeenCalled();
    const progress = { job_id: 'job-0123456789abcdef', kind: 'import', done: 1, total: null, message: 'Reading' };
    source.emit('job:progress', JSON.stringify(progress));
    expect(listener).toHaveBeenCalledWith(progress);
  });

  it('counts each subscription separately, even of the same function', () => {
    const bridge = createHttpBridge(fakeFetch(() => json({})), FakeEventSource);
    const listener = vi.fn();
    const off1 = bridge.events['records:changed'](listener);
    bridge.events['records:changed'](listener);
    off1();
    FakeEventSource.instances[0]!.emit('records:changed', changed(['note']));
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps delivering to other listeners when one throws', () => {
    vi.useFakeTimers();
    const bridge = createHttpBridge(fakeFetch(() => json({})), FakeEventSource);
    const after = vi.fn();
    bridge.events['records:changed'](() => {
      throw new Error('a broken view');
    });
    bridge.events['records:changed'](after);
    FakeEventSource.instances[0]!.emit('records:changed', changed(['note']));
    expect(after).toHaveBeenCalledTimes(1);
    // The error is rethrown on a timer so the browser reports it.
    expect(vi.getTimerCount()).toBe(1);
    vi.clearAllTimers();
  });

  it('opens a new stream after the browser gave up on the old one, if anyone still listens', () => {
    vi.useFakeTimers();
    const bridge = createHttpBridge(fakeFetch(() => json({})), FakeEventSource);
    const listener = vi.fn();
    bridge.events['records:changed'](listener);
    const first = FakeEventSource.instances[0]!;
    first.readyState = 2;
    first.emit('error');
    vi.advanceTimersByTime(5_000);
    expect(FakeEventSource.instances).toHaveLength(2);
    FakeEventSource.instances[1]!.emit('records:changed', changed(['run']));
    expect(listener).toHaveBeenCalledWith({ types: ['run'] });
  });
});
