/**
 * What the browser benches (coldStart.ts, findingsTable.ts) measure inside
 * Chromium, and the plain pages they compare the app with. In-page code runs
 * in the browser, where this project's Node typings do not reach: each piece
 * names the few DOM members it uses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BrowserContext, Page } from 'playwright-core';

/** A frame is dropped when the gap between two animation frames exceeds 1.5 of a 60 Hz frame. */
export const FRAME_MS = 1000 / 60;
const DROP_GAP_MS = FRAME_MS * 1.5;

/**
 * Records, in the page, the wall-clock time of the first animation frame in
 * which an <h1> with this text is in the document: the frame that paints it.
 * Read it with renderedAt(). Set on the context, so it runs before any script of the page.
 */
export async function markFirstRender(context: BrowserContext, headingText: string): Promise<void> {
  await context.addInitScript({
    content: `(() => {
      const text = ${JSON.stringify(headingText)};
      window.__benchRenderedAt = null;
      let seen = false;
      const observer = new MutationObserver(() => {
        if (seen || ![...document.querySelectorAll('h1')].some((h) => h.textContent === text)) return;
        seen = true;
        observer.disconnect();
        requestAnimationFrame(() => (window.__benchRenderedAt = Date.now()));
      });
      observer.observe(document, { childList: true, subtree: true, characterData: true });
    })();`,
  });
}

/** The epoch milliseconds markFirstRender() recorded, once there are some. */
export async function renderedAt(page: Page, timeoutMs = 60_000): Promise<number> {
  const handle = await page.waitForFunction(() => (globalThis as unknown as { __benchRenderedAt: number | null }).__benchRenderedAt, undefined, { timeout: timeoutMs });
  return (await handle.jsonValue()) as number;
}

/**
 * The reference for a cold start: a plain Node http server, in a process of its
 * own, answering every request with a static "hello" page. Resolves when it
 * prints its address, as `evalnotes serve` prints its link.
 */
export async function startHelloServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const script = `require('node:http')
    .createServer((_q, s) => s.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>hello</title><h1>hello</h1></html>'))
    .listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port + '/'); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the hello server exited with ${code}`)));
  });
  return { url, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Resident memory of a process now (VmRSS), in bytes; null where /proc is missing. */
export function rssBytes(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s*(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** The page's live JS heap after a full garbage collection (what it holds, not what it has not yet freed). */
export async function jsHeapUsedBytes(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return usedSize;
  } finally {
    await cdp.detach();
  }
}

/**
 * In the page: sets location.hash and resolves with the milliseconds until the
 * animation frame in which an element matching `selector` is first in the
 * document. The caller starts from a screen without such an element.
 */
export function timeToElement(page: Page, hash: string, selector: string): Promise<number> {
  return page.evaluate(
    ({ hash, selector }) =>
      new Promise<number>((resolve, reject) => {
        const w = globalThis as unknown as {
          document: { body: object; querySelector(s: string): object | null };
          location: { hash: string };
          MutationObserver: new (cb: () => void) => { observe(target: object, opts: object): void; disconnect(): void };
          requestAnimationFrame(cb: () => void): void;
          setTimeout(cb: () => void, ms: number): void;
        };
        const t0 = performance.now();
        const observer = new w.MutationObserver(() => {
          if (!w.document.querySelector(selector)) return;
          observer.disconnect();
          w.requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        observer.observe(w.document.body, { childList: true, subtree: true });
        w.setTimeout(() => {
          observer.disconnect();
          reject(new Error(`${selector} did not appear within 60 s`));
        }, 60_000);
        w.location.hash = hash;
      }),
    { hash, selector },
  );
}

export type ScrollFrames = {
  /** Animation frames the page ran while scrolling. */
  frames: number;
  /** 60 Hz frames that did not happen: each gap over 1.5 frames counts round(gap / frame) - 1. */
  dropped: number;
  /** dropped / (frames + dropped), in %. */
  droppedPct: number;
  durationMs: number;
  medianGapMs: number;
  worstGapMs: number;
  distancePx: number;
};

/**
 * In the page: scrolls the element matching `selector` from its top to its
 * bottom over `seconds`, setting scrollTop in each animation frame to where the
 * clock says it should be (so a slow frame jumps further rather than slowing
 * the scroll, as dragging the scrollbar does), and counts the frames.
 */
export async function scrollFrames(page: Page, selector: string, seconds: number): Promise<ScrollFrames> {
  // A string, not a function: tsx would wrap the named inner callback in a helper the page does not have.
  const { stamps, distance } = await page.evaluate<{ stamps: number[]; distance: number }>(`new Promise((resolve, reject) => {
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!el) return reject(new Error('nothing matches ' + ${JSON.stringify(selector)}));
    const ms = ${seconds * 1000};
    const distance = el.scrollHeight - el.clientHeight;
    el.scrollTop = 0;
    const stamps = [];
    const step = (ts) => {
      stamps.push(ts);
      const done = Math.min(1, (ts - stamps[0]) / ms);
      el.scrollTop = done * distance;
      if (done < 1) requestAnimationFrame(step);
      else resolve({ stamps, distance });
    };
    // Start on a frame boundary, so the first gap is a whole frame.
    requestAnimationFrame(() => requestAnimationFrame(step));
  })`);
  return countFrames(stamps, distance);
}

export function countFrames(stamps: number[], distancePx: number): ScrollFrames {
  const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
  const dropped = gaps.filter((g) => g > DROP_GAP_MS).reduce((n, g) => n + Math.round(g / FRAME_MS) - 1, 0);
  const frames = stamps.length;
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    frames,
    dropped,
    droppedPct: frames + dropped === 0 ? 0 : (100 * dropped) / (frames + dropped),
    durationMs: stamps.length > 1 ? stamps.at(-1)! - stamps[0]! : 0,
    medianGapMs: sorted[sorted.length >> 1] ?? 0,
    worstGapMs: sorted.at(-1) ?? 0,
    distancePx,
  };
}

/**
 * In the page: lays a plain scroller over the element matching `over` (same
 * place, same size) holding one static div as tall as that element's content,
 * striped a row height apart so every frame of a scroll has pixels to paint.
 * Returns the selector of the new scroller; removeStaticScroller() takes it away.
 */
export async function addStaticScroller(page: Page, over: string, rowHeight: number): Promise<string> {
  await page.evaluate(
    ({ over, rowHeight }) => {
      type El = { style: Record<string, string>; id: string; appendChild(c: El): void; remove(): void; scrollHeight: number; getBoundingClientRect(): { top: number; left: number; width: number; height: number } };
      const w = globalThis as unknown as { document: { querySelector(s: string): El | null; createElement(tag: string): El; body: El } };
      const target = w.document.querySelector(over);
      if (!target) throw new Error(`nothing matches ${over}`);
      const box = target.getBoundingClientRect();
      const scroller = w.document.createElement('div');
      scroller.id = 'bench-static-scroller';
      Object.assign(scroller.style, { position: 'fixed', top: `${box.top}px`, left: `${box.left}px`, width: `${box.width}px`, height: `${box.height}px`, overflow: 'auto', zIndex: '2147483647', background: '#fff' });
      const tall = w.document.createElement('div');
      Object.assign(tall.style, { height: `${target.scrollHeight}px`, background: `repeating-linear-gradient(#fff 0 ${rowHeight - 1}px, #ccc ${rowHeight - 1}px ${rowHeight}px)` });
      scroller.appendChild(tall);
      w.document.body.appendChild(scroller);
    },
    { over, rowHeight },
  );
  return '#bench-static-scroller';
}

export async function removeStaticScroller(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { document: { getElementById(id: string): { remove(): void } | null } }).document.getElementById('bench-static-scroller')?.remove());
}
