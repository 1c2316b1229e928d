import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/**
 * Request bodies with a size limit. When a body is too large the answer (413)
 * should still reach the client: a server that stops reading and closes the
 * socket leaves unread bytes behind, the kernel answers with a reset, and the
 * client sees "connection reset" instead of the sentence. So after the limit we
 * keep reading and discarding up to DRAIN_LIMIT more bytes; past that we answer
 * at once and close.
 */
export const DRAIN_LIMIT = 16 * 1024 * 1024;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than the ${limit} bytes allowed.`);
    this.name = 'BodyTooLarge';
  }
}

export class BodyAborted extends Error {
  constructor() {
    super('The client stopped sending the request body.');
    this.name = 'BodyAborted';
  }
}

/** Declared length, or null when the body is chunked or the header is absent. */
export function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return null;
  return Number(header);
}

/** Too large to be worth draining: answer straight away and close. */
export function hopelesslyLarge(req: IncomingMessage, limit: number): boolean {
  const length = declaredLength(req);
  return length !== null && length > limit + DRAIN_LIMIT;
}

/**
 * The request body as a stream that errors with BodyTooLarge before passing on
 * a byte beyond the limit, and with BodyAborted if the client goes away. The
 * request itself is never destroyed here, so the caller can still answer.
 */
export function limitedBody(req: IncomingMessage, limit: number): Readable {
  let seen = 0;
  let finished = false;
  const onData = (chunk: Buffer): void => {
    seen += chunk.length;
    if (seen > limit) {
      stop(new BodyTooLarge(limit));
      return;
    }
    if (!out.push(chunk)) req.pause();
  };
  const onEnd = (): void => {
    finished = true;
    detach();
    out.push(null);
  };
  const onClose = (): void => {
    if (!finished && !req.complete) stop(new BodyAborted());
  };
  const onError = (): void => stop(new BodyAborted());
  const detach = (): void => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
    req.off('error', onError);
  };
  const stop = (error: Error): void => {
    if (finished) return;
    finished = true;
    detach();
    out.destroy(error);
  };
  const out = new Readable({
    read: () => {
      req.resume();
    },
    destroy: (error, callback) => {
      // A consumer that gives up early (its own error) must not leave the request half-read and paused.
      if (!finished) {
        finished = true;
        detach();
      }
      callback(error);
    },
  });
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('close', onClose);
  req.on('error', onError);
  req.pause();
  return out;
}

/** The whole body in memory, for JSON calls; rejects with BodyTooLarge or BodyAborted. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of limitedBody(req, limit)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads and discards the rest of a refused body, then calls answer(closeAfter).
 * closeAfter is true when the client sent more than DRAIN_LIMIT extra bytes: the
 * caller then answers with Connection: close.
 */
export function drainThen(req: IncomingMessage, answer: (closeAfter: boolean) => void): void {
  if (req.complete || req.destroyed) {
    answer(false);
    return;
  }
  let discarded = 0;
  let answered = false;
  const finish = (closeAfter: boolean): void => {
    if (answered) return;
    answered = true;
    req.off('data', onData);
    answer(closeAfter);
  };
  const onData = (chunk: Buffer): void => {
    discarded += chunk.length;
    if (discarded > DRAIN_LIMIT) finish(true);
  };
  req.on('data', onData);
  req.once('end', () => finish(false));
  req.resume();
}
