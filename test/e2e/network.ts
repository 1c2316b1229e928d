/**
 * What the e2e tests' Chromium asked for. The shared launcher (launchBrowser in
 * pages.ts) hands every browser context to a recorder, and test/setup/e2e.ts
 * fails a test file whose pages reached outside the app's own origin, so a new
 * e2e test is covered without opting in.
 *
 * What counts as the app's own: http(s) URLs of an origin a serve host was
 * started on (startServe registers it), and blob: URLs those pages minted
 * (their origin is the page's). data: URLs are not counted: Playwright does not
 * even report them (Chromium decodes them in the renderer, no connection is
 * made), their bytes are in the URL so they cannot carry anything out, and the
 * CSP admits them only for images and fonts; should a later Playwright report
 * them, they pass as own. Anything else, WebSockets to any origin included, is
 * foreign.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

export type RecordedRequest = {
  url: string;
  kind: 'request' | 'websocket';
  /** The page or frame that asked, to find the culprit. */
  from: string;
};

export class NetworkRecorder {
  private readonly appOrigins = new Set<string>();
  private readonly recorded: RecordedRequest[] = [];
  private contexts = 0;

  /** An origin the app is served from: its traffic is the app's own. */
  allowOrigin(origin: string): void {
    this.appOrigins.add(new URL(origin).origin);
  }

  /** Records every request and WebSocket of the context's pages, workers and popups. */
  watch(context: BrowserContext): void {
    this.contexts += 1;
    context.on('request', (request) => {
      let from = 'a navigation';
      try {
        if (!request.isNavigationRequest()) from = request.frame().url();
      } catch {
        // Service-worker requests belong to no frame.
        from = 'a worker';
      }
      this.recorded.push({ url: request.url(), kind: 'request', from });
    });
    const watchPage = (page: Page): void => {
      page.on('websocket', (ws) => this.recorded.push({ url: ws.url(), kind: 'websocket', from: page.url() }));
    };
    for (const page of context.pages()) watchPage(page);
    context.on('page', watchPage);
  }

  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  get contextsWatched(): number {
    return this.contexts;
  }

  /** Everything recorded that was not the app's own traffic. */
  foreign(): RecordedRequest[] {
    return this.recorded.filter((r) => !isOwnTraffic(r, this.appOrigins));
  }
}

export function isOwnTraffic(r: RecordedRequest, appOrigins: ReadonlySet<string>): boolean {
  if (r.kind === 'websocket') return false;
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    return false;
  }
  if (url.protocol === 'data:') return true;
  // For blob: URLs, URL.origin is the origin that created them.
  return appOrigins.has(url.origin);
}

/** Every context this browser opens, newPage's own included, is watched from its first request. */
export function recordContexts(browser: Browser, recorder: NetworkRecorder): Browser {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    recorder.watch(context);
    return context;
  };
  return browser;
}

/** Throws, listing each request, if anything left the app's origin; also if a watched browser recorded nothing at all. */
export function assertNoForeignRequests(recorder: NetworkRecorder): void {
  const foreign = recorder.foreign();
  if (foreign.length > 0) {
    const lines = foreign.map((r) => `  ${r.kind} ${r.url} (from ${r.from || 'a page with no URL yet'})`);
    throw new Error(`This file's pages made ${foreign.length} request(s) outside the app's own origin:\n${lines.join('\n')}`);
  }
  if (recorder.contextsWatched > 0 && recorder.requests.length === 0) {
    throw new Error(`${recorder.contextsWatched} browser context(s) were opened but no request was recorded: the network recorder is not attached.`);
  }
}

/** The recorder of the e2e test file that is running (each file gets its own module instance). */
export const e2eNetwork = new NetworkRecorder();
