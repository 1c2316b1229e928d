import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringifyJson } from '../../shared/numbers';
import type { AnyEvent } from '../app/eventBus';

export const HEARTBEAT_MS = 15_000;

/**
 * A client that stops reading would otherwise make us buffer events forever;
 * past this many unsent bytes we drop the connection and EventSource reconnects.
 */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export type EventSourceBus = { subscribe(listener: (event: AnyEvent) => void): () => void };

/** One event in Server-Sent Events framing. stringifyJson writes no raw newlines, so one data line suffices. */
export function formatEvent(event: AnyEvent): string {
  return `event: ${event.name}\ndata: ${stringifyJson(event.payload)}\n\n`;
}

/**
 * Streams every app event to one browser tab until it goes away. Returns a
 * function that ends the stream (used when the host shuts down).
 */
export function streamEvents(req: IncomingMessage, res: ServerResponse, bus: EventSourceBus, heartbeatMs = HEARTBEAT_MS): () => void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  // The comment flushes headers at once, so the browser's `open` fires promptly.
  res.write(': connected\n\n');

  const send = (text: string): void => {
    if (res.writableEnded || res.destroyed) return;
    res.write(text);
    if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
  };
  const unsubscribe = bus.subscribe((event) => send(formatEvent(event)));
  const heartbeat = setInterval(() => send(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref();

  let closed = false;
  const stop = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.on('close', stop);
  res.on('close', stop);
  return () => {
    stop();
    if (!res.writableEnded) res.end();
  };
}
