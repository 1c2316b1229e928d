import type { ServerResponse } from 'node:http';
import { stringifyJson } from '../../shared/numbers';
import { CONTENT_SECURITY_POLICY } from '../rendererAssets';

/**
 * The renderer is built by Vite into external .js/.css files, and React sets
 * `style` props through the CSSOM (which CSP does not govern), so no inline
 * script or style is needed: nothing here says 'unsafe-inline'.
 */
export { CONTENT_SECURITY_POLICY };

/** Sent on every response, refusals included: a 401 page is a page too. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

export type ExtraHeaders = Record<string, string | number | string[]>;

/** A refusal or failure: one sentence of plain text, never a stack. */
export function sendText(res: ServerResponse, status: number, sentence: string, headers: ExtraHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(`${sentence}\n`, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/** JSON written with the NaN codec, so non-finite numbers survive HTTP. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: ExtraHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(stringifyJson(value), 'utf8');
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}
