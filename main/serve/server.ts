import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../shared/result';
import type { Dispatch, Logger } from '../api/dispatch';
import { BodyAborted, BodyTooLarge, drainThen, hopelesslyLarge, readBody } from './body';
import { receiveUpload, sendDownload, type ServeFiles } from './files';
import {
  checkFetchSite,
  checkHost,
  checkJsonContentType,
  checkOrigin,
  checkStateChanging,
  SessionGate,
  type Refusal,
} from './guards';
import { sendJson, sendText, setSecurityHeaders } from './respond';
import { streamEvents, type EventSourceBus } from './sse';
import { StaticFiles } from './static';

/**
 * The loopback serve host (DESIGN.md, "Serve host (browser mode)"): the same
 * dispatch the desktop's IPC uses, carried over HTTP on 127.0.0.1, plus file
 * upload/download, Server-Sent Events and the built renderer. It holds no
 * product logic; everything past the guards is the app's.
 */

/** What the host needs from the app; EvalNotesApp has all of it. */
export type ServeApp = {
  readonly dispatch: Dispatch;
  readonly events: EventSourceBus;
  readonly files: ServeFiles;
};

export type ServeHostOptions = {
  app: ServeApp;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 or absent: a free port chosen by the system. */
  port?: number;
  /** Loopback only, by type: the host must never listen on another interface. */
  host?: '127.0.0.1';
  log: Logger;
  /** Largest upload accepted by PUT /files; default 4 GiB. */
  maxUploadBytes?: number;
  /** Largest JSON body accepted by POST /api/*; default 1 MiB. */
  maxJsonBytes?: number;
};

export type ServeHost = {
  /** Open this in a browser: it carries the per-launch token. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
};

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
export const DEFAULT_MAX_JSON_BYTES = 1024 ** 2;

const LOOPBACK = '127.0.0.1';

const SENTENCES = {
  notSignedIn: 'Open EvalNotes with the link the serve host printed; this browser has not shown its access token.',
  badToken: 'That link does not carry the access token of this serve host; use the link it printed when it started.',
  absoluteTarget: 'Only paths on this host can be requested.',
  internal: 'Something went wrong inside the EvalNotes serve host; the log has details.',
} as const;

function refuse(res: ServerResponse, refusal: Refusal): void {
  sendText(res, refusal.status, refusal.sentence);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendText(res, 405, `Use ${allow} for this address.`, { Allow: allow });
}

/** The client went away mid-stream: nothing to answer and nothing to log. */
function isClientGone(error: unknown): boolean {
  if (error instanceof BodyAborted) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** Listening failures a person can fix become one sentence; the rest pass through. */
function listenError(error: Error, port: number): Error {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') return new AppError('CONFLICT', `Port ${port} on ${LOOPBACK} is already in use; choose another port.`);
  if (code === 'EACCES') return new AppError('FORBIDDEN', `This user may not listen on port ${port}; choose a port above 1023.`);
  return error;
}

export async function startServeHost(opts: ServeHostOptions): Promise<ServeHost> {
  const { app, log } = opts;
  const maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const maxJsonBytes = opts.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const gate = new SessionGate();
  const staticFiles = new StaticFiles(opts.rendererDir);
  const eventStreams = new Set<() => void>();
  let port = 0;

  async function handleApi(req: IncomingMessage, res: ServerResponse, rawChannel: string): Promise<void> {
    const refusal = checkJsonContentType(req);
    if (refusal) return refuse(res, refusal);
    const tooLarge = `The request body is larger than the ${maxJsonBytes} bytes an API call may send.`;
    if (hopelesslyLarge(req, maxJsonBytes)) return sendText(res, 413, tooLarge, { Connection: 'close' });

    let body: Buffer;
    try {
      body = await readBody(req, maxJsonBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        drainThen(req, (closeAfter) => sendText(res, 413, tooLarge, closeAfter ? { Connection: 'close' } : {}));
        return;
      }
      throw error;
    }
    let input: unknown;
    try {
      input = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      return sendJson(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: 'The request body is not valid JSON.' } });
    }
    let channel: string;
    try {
      channel = decodeURIComponent(rawChannel);
    } catch {
      channel = rawChannel;
    }
    // dispatch checks the name and the input against the contract and never throws.
    sendJson(res, 200, await app.dispatch(channel, input));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams): Promise<void> {
    const refusal = checkHost(req, port) ?? checkOrigin(req);
    if (refusal) return refuse(res, refusal);

    const method = req.method ?? 'GET';
    if (method === 'GET' && rawPath === '/' && query.has('token')) {
      if (!gate.tokenMatches(query.get('token') ?? '')) return sendText(res, 401, SENTENCES.badToken);
      // 303 to "/" so the token leaves the address bar (and history) at once.
      res.writeHead(303, { Location: '/', 'Set-Cookie': SessionGate.cookie(gate.startSession()), 'Cache-Control': 'no-store', 'Content-Length': 0 });
      res.end();
      return;
    }
    if (!gate.hasSession(req.headers.cookie)) return sendText(res, 401, SENTENCES.notSignedIn);

    if (rawPath.startsWith('/api/')) {
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      const csrf = checkFetchSite(req) ?? checkStateChanging(req);
      if (csrf) return refuse(res, csrf);
      return handleApi(req, res, rawPath.slice('/api/'.length));
    }
    if (rawPath === '/files') {
      if (method !== 'PUT') return methodNotAllowed(res, 'PUT');
      const csrf = checkFetchSite(req) ?? checkStateChanging(req);
      if (csrf) return refuse(res, csrf);
      return receiveUpload(req, res, app.files, query.get('name'), maxUploadBytes);
    }
    if (rawPath.startsWith('/files/')) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      const crossSite = checkFetchSite(req);
      if (crossSite) return refuse(res, crossSite);
      return sendDownload(res, app.files, rawPath.slice('/files/'.length));
    }
    if (rawPath === '/events') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      const crossSite = checkFetchSite(req);
      if (crossSite) return refuse(res, crossSite);
      const end = streamEvents(req, res, app.events);
      eventStreams.add(end);
      res.on('close', () => eventStreams.delete(end));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET');
    return staticFiles.serve(req, res, rawPath);
  }

  const server = createServer(
    {
      // Uploads of several GiB from a browser can take longer than Node's default
      // 5 minutes per request; headers must still arrive within headersTimeout.
      requestTimeout: 0,
      headersTimeout: 60_000,
    },
    (req, res) => {
      setSecurityHeaders(res);
      const target = req.url ?? '';
      if (!target.startsWith('/')) {
        sendText(res, 400, SENTENCES.absoluteTarget);
        return;
      }
      const q = target.indexOf('?');
      const rawPath = q < 0 ? target : target.slice(0, q);
      const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
      handle(req, res, rawPath, query).catch((error: unknown) => {
        if (isClientGone(error)) {
          res.destroy();
          return;
        }
        // Never the query string: it may hold the token.
        log.error(`serve host: ${req.method ?? '?'} ${rawPath} failed`, error);
        if (res.headersSent) res.destroy();
        else sendText(res, 500, SENTENCES.internal, { Connection: 'close' });
      });
    },
  );

  const requestedPort = opts.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(listenError(error, requestedPort));
    server.once('error', onError);
    server.listen({ host: opts.host ?? LOOPBACK, port: requestedPort, exclusive: true }, () => {
      server.off('error', onError);
      // Set before any request can be handled: checkHost compares against it.
      port = (server.address() as AddressInfo).port;
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  if (address.address !== LOOPBACK) {
    server.close();
    throw new Error(`The serve host bound ${address.address} instead of ${LOOPBACK}.`);
  }
  server.on('error', (error) => log.error('serve host: server error', error));

  const origin = `http://${LOOPBACK}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${gate.token}`,
    origin,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const end of eventStreams) end();
        eventStreams.clear();
        server.close(() => resolve());
        // Event streams and half-done uploads would otherwise hold the port open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
