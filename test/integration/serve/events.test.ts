import { createServer, request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyEvent } from '../../../main/app/eventBus';
import { EventBus } from '../../../main/app/eventBus';
import { streamEvents } from '../../../main/serve/sse';
import { num } from '../../../shared/numbers';
import { startHarness, type Harness } from './harness';

/** A raw Server-Sent Events reader: collects the stream's text and waits for patterns in it. */
type EventStream = {
  response: IncomingMessage;
  text(): string;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  ended: Promise<void>;
  close(): void;
};

function openEvents(h: Harness, cookie: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined = undefined;
    req = request(
      { host: '127.0.0.1', port: h.host.port, path: '/events', headers: { cookie, accept: 'text/event-stream' }, agent: false },
      (response) => {
        let text = '';
        const waiters: { pattern: RegExp; resolve(m: RegExpMatchArray): void }[] = [];
        const check = () => {
          for (const w of [...waiters]) {
            const match = text.match(w.pattern);
            if (match) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(match);
            }
          }
        };
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          check();
        });
        const ended = new Promise<void>((done) => response.on('close', () => done()));
        resolve({
          response,
          text: () => text,
          waitFor: (pattern) =>
            new Promise((res) => {
              waiters.push({ pattern, resolve: res });
              check();
            }),
          ended,
          close: () => req?.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The app's bus, counting live subscriptions so a test can see the host unsubscribe. */
function countingBus(bus: Harness['app']['events']) {
  let live = 0;
  return {
    live: () => live,
    subscribe(listener: (event: AnyEvent) => void) {
      live += 1;
      const off = bus.subscribe(listener);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        live -= 1;
        off();
      };
    },
  };
}

describe('GET /events', () => {
  let h: Harness;
  let cookie: string;
  let counter: ReturnType<typeof countingBus>;

  beforeAll(async () => {
    h = await startHarness({
      wrapApp: (app) => {
        counter = countingBus(app.events);
        return { dispatch: app.dispatch, files: app.files, events: counter };
      },
    });
    cookie = await h.login();
  });
  afterAll(() => h.close());

  it('streams each app event as a named Server-Sent Event', async () => {
    const stream = await openEvents(h, cookie);
    try {
      expect(stream.response.statusCode).toBe(200);
      expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(stream.response.headers['cache-control']).toBe('no-store');
      await stream.waitFor(/^: connected\n\n/);
      h.app.events.emit('records:changed', { types: ['engagement'] });
      const [frame] = await stream.waitFor(/event: records:changed\ndata: .*\n\n/);
      expect(frame).toBe('event: records:changed\ndata: {"types":["engagement"]}\n\n');
    } finally {
      stream.close();
    }
  });

  it('keeps NaN and infinities through the stream with the shared codec', async () => {
    const stream = await openEvents(h, cookie);
    try {
      await stream.waitFor(/: connected/);
      h.app.events.emit('job:finished', {
        job_id: 'job-0123456789abcdef',
        kind: 'import',
        status: 'succeeded',
        error: null,
        result: { score: Number.NaN, high: Infinity, low: -Infinity, plain: 0.5 },
      });
      const [, data] = (await stream.waitFor(/event: job:finished\ndata: (.*)\n\n/)) as unknown as [string, string];
      expect(data).toContain('"score":"NaN"');
      const decoded = z.object({ result: z.object({ score: num(), high: num(), low: num(), plain: num() }) }).parse(JSON.parse(data));
      expect(decoded.result.score).toBeNaN();
      expect(decoded.result.high).toBe(Infinity);
      expect(decoded.result.low).toBe(-Infinity);
      expect(decoded.result.plain).toBe(0.5);
    } finally {
      stream.close();
    }
  });

  it('unsubscribes from the app when the browser goes away', async () => {
    // Streams of earlier tests were closed by their clients; the host lets go of them too.
    await expect.poll(() => counter.live()).toBe(0);
    const stream = await openEvents(h, cookie);
    await stream.waitFor(/: connected/);
    expect(counter.live()).toBe(1);
    stream.close();
    await expect.poll(() => counter.live()).toBe(0);
  });

  it('ends open streams when the host closes', async () => {
    const other = await startHarness();
    const otherCookie = await other.login();
    const stream = await openEvents(other, otherCookie);
    await stream.waitFor(/: connected/);
    await other.close();
    await stream.ended;
    expect(stream.response.complete || stream.response.destroyed).toBe(true);
  });
});

describe('streamEvents', () => {
  it('sends a heartbeat comment while nothing happens, so idle streams stay open', async () => {
    const bus = new EventBus();
    const server = createServer((req, res) => {
      streamEvents(req, res, bus, 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          let seen = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            seen += chunk;
            if (seen.includes(': heartbeat\n\n')) {
              req.destroy();
              resolve(seen);
            }
          });
        });
        req.on('error', reject);
        req.end();
      });
      expect(text.startsWith(': connected\n\n')).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
