import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may talk to the serve host. The host listens on 127.0.0.1, but any page
 * the user's browser opens can aim requests at 127.0.0.1, and any process on the
 * machine can connect. So every request must show the per-launch token or a
 * session cookie obtained with it, must name our host and port (DNS rebinding),
 * and must not come from a foreign origin (CSRF). Cookies do not isolate ports,
 * and SameSite counts other ports of 127.0.0.1 as the same site, so the Origin
 * checks are what keep other local web apps out.
 */

export const SESSION_COOKIE = 'evalnotes_session';

/** Enough for many tabs and browsers; the oldest session goes first. */
const MAX_SESSIONS = 256;

export type Refusal = { status: number; sentence: string };

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class SessionGate {
  /** 32 random bytes, base64url: printed once in the launch URL. */
  readonly token = randomBytes(32).toString('base64url');
  private readonly tokenDigest = sha256(this.token);
  /** Digests of session ids, so a lookup never compares secrets byte by byte. */
  private readonly sessions = new Set<string>();

  /** Constant time: both sides are hashed to 32 bytes first, so length leaks nothing either. */
  tokenMatches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.tokenDigest);
  }

  /** A new session id for a browser that showed the token. */
  startSession(): string {
    const id = randomBytes(32).toString('base64url');
    this.sessions.add(sha256(id).toString('hex'));
    if (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.values().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    return id;
  }

  /** True if any cookie of our name carries a live session id. */
  hasSession(cookieHeader: string | undefined): boolean {
    return sessionCookieValues(cookieHeader).some((value) => this.sessions.has(sha256(value).toString('hex')));
  }

  /** Plain http on loopback, so no Secure; HttpOnly keeps it from page scripts. */
  static cookie(sessionId: string): string {
    return `${SESSION_COOKIE}=${sessionId}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

/** Every value sent for our cookie name (another local app may have set one too). */
export function sessionCookieValues(cookieHeader: string | undefined): string[] {
  if (!cookieHeader) return [];
  const values: string[] = [];
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/** The Host header must name the loopback address and the port we bound, exactly. */
export function checkHost(req: IncomingMessage, port: number): Refusal | null {
  const host = req.headers.host;
  if (host === `127.0.0.1:${port}` || host === `localhost:${port}`) return null;
  return { status: 421, sentence: `This EvalNotes serve host answers only to 127.0.0.1:${port}.` };
}

/** Our origin as the browser sees it; only call after checkHost passed. */
export function originOf(req: IncomingMessage): string {
  return `http://${req.headers.host ?? ''}`;
}

/** Any Origin header must be ours: other sites, other ports and "null" are refused. */
export function checkOrigin(req: IncomingMessage): Refusal | null {
  const origin = req.headers.origin;
  if (origin === undefined || origin === originOf(req)) return null;
  return { status: 403, sentence: 'Requests from other web pages are refused.' };
}

/**
 * For the API, file and event endpoints: a browser that says the request was
 * started by another site (or another port of this one) is refused even when it
 * sent our cookie. Typing a URL into the address bar says "none" and is fine.
 */
export function checkFetchSite(req: IncomingMessage): Refusal | null {
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin' || site === 'none') return null;
  return { status: 403, sentence: 'Requests started by other web pages are refused.' };
}

/**
 * POST and PUT change state, so they must prove they come from our own page:
 * an Origin equal to ours (checkOrigin already refused any other), or, where a
 * browser sends none, Sec-Fetch-Site same-origin.
 */
export function checkStateChanging(req: IncomingMessage): Refusal | null {
  if (req.headers.origin !== undefined) return checkOrigin(req);
  if (req.headers['sec-fetch-site'] === 'same-origin') return null;
  return { status: 403, sentence: 'Changes are accepted only from the EvalNotes page itself.' };
}

/**
 * API calls must be JSON. HTML forms can only send urlencoded, multipart or
 * text/plain bodies, and a cross-site script that sets application/json needs a
 * CORS preflight this host never grants: together that rules out form-post CSRF.
 */
export function checkJsonContentType(req: IncomingMessage): Refusal | null {
  const type = (req.headers['content-type'] ?? '').toLowerCase().replace(/\s+/g, '');
  if (type === 'application/json' || type === 'application/json;charset=utf-8') return null;
  return { status: 415, sentence: 'API calls must be sent as Content-Type: application/json.' };
}
