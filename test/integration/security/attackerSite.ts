import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A hostile web site on another port of the same machine: the pages a CSRF
 * attacker would get an EvalNotes user to open. It serves whatever HTML the test
 * puts at a path, with no CSP, so its inline scripts run.
 */
export type AttackerSite = {
  /** http://127.0.0.1:<port>: another origin, but the same site as the serve host (cookies are sent). */
  sameSiteOrigin: string;
  /** http://localhost:<port>: another site altogether. */
  crossSiteOrigin: string;
  put(path: string, html: string): void;
  close(): Promise<void>;
};

export async function startAttackerSite(): Promise<AttackerSite> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const html = pages.get(req.url ?? '');
    res.writeHead(html === undefined ? 404 : 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html ?? 'no such page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    sameSiteOrigin: `http://127.0.0.1:${port}`,
    crossSiteOrigin: `http://localhost:${port}`,
    put: (path, html) => void pages.set(path, html),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export type FormEnctype = 'application/x-www-form-urlencoded' | 'multipart/form-data' | 'text/plain';

export type FormAttack = { action: string; enctype: FormEnctype; fields: ReadonlyArray<readonly [string, string]> };

/**
 * A page that submits every form at once as soon as it loads, each into an
 * iframe of its own, as a drive-by page would. `referrer: 'no-referrer'` makes
 * the browser send `Origin: null`.
 */
export function autoSubmittingForms(forms: readonly FormAttack[], opts: { referrer?: 'no-referrer' } = {}): string {
  const body = forms
    .map((f, i) => {
      const inputs = f.fields.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
      return `<iframe name="f${i}"></iframe><form method="POST" action="${escapeHtml(f.action)}" enctype="${f.enctype}" target="f${i}">${inputs}</form>`;
    })
    .join('\n');
  const meta = opts.referrer ? `<meta name="referrer" content="${opts.referrer}">` : '';
  return `<!doctype html><html><head><meta charset="utf-8">${meta}<title>Cute cats</title></head><body>${body}
<script>for (const form of document.forms) form.submit();</script></body></html>`;
}

export type ScriptedAttack = { url: string; init: { method: string; mode: 'no-cors' | 'cors'; headers: Record<string, string>; body: string } };

/**
 * A page that fires fetches with the user's cookies (credentials: 'include') and
 * records how each ended in window.attackResults; its title becomes "done" then.
 * mode 'no-cors' with a CORS-safelisted content type is a "simple" request: no
 * preflight, the browser just sends it.
 */
export function scriptedRequests(attacks: readonly ScriptedAttack[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>loading</title></head><body><script>
const attacks = ${JSON.stringify(attacks).replace(/</g, '\\u003c')};
Promise.all(attacks.map((a) => fetch(a.url, { ...a.init, credentials: 'include' }).then((r) => r.type, (e) => 'refused: ' + e.name)))
  .then((results) => { window.attackResults = results; document.title = 'done'; });
</script></body></html>`;
}
