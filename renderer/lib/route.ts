import { Severity, ShownStatus } from '../../shared/domain/finding';

/**
 * Where the reviewer is, kept in the URL hash so a reload (or the desktop
 * window restoring) lands on the same screen. The hash never reaches a server.
 * Every page inside an engagement carries its `id`, so the shell can frame it
 * with that engagement's marking.
 */
export type Route =
  | { page: 'home' }
  | { page: 'new' }
  | { page: 'engagement'; id: string }
  | { page: 'edit'; id: string }
  | { page: 'runs'; id: string }
  | { page: 'thresholds'; id: string }
  | { page: 'run'; id: string; runId: string; sampleId?: string }
  | { page: 'findings'; id: string; severity?: Severity; status?: ShownStatus }
  | { page: 'newFinding'; id: string }
  | { page: 'finding'; id: string; findingId: string; revision?: number }
  | { page: 'journal'; id: string }
  | { page: 'bundles' }
  | { page: 'keys' }
  | { page: 'dashboard' }
  | { page: 'determination'; id: string };

const ID = '([0-9a-f-]{36})';

/**
 * The findings list opened already filtered (from a dashboard count): `?severity=high&status=submitted`.
 * Unknown or repeated keys, or values outside the enums, make the whole address a non-match.
 */
function findingsFilter(query: string): { severity?: Severity; status?: ShownStatus } | null {
  const params = new URLSearchParams(query);
  const out: { severity?: Severity; status?: ShownStatus } = {};
  for (const [key, value] of params) {
    if (key === 'severity' && !out.severity && Severity.safeParse(value).success) out.severity = value as Severity;
    else if (key === 'status' && !out.status && ShownStatus.safeParse(value).success) out.status = value as ShownStatus;
    else return null;
  }
  return out;
}

/** Each pattern with the route it means; the first match wins. */
const PATTERNS: [RegExp, (m: RegExpExecArray) => Route | null][] = [
  [/^\/engagements\/new$/, () => ({ page: 'new' })],
  [/^\/bundles$/, () => ({ page: 'bundles' })],
  [/^\/keys$/, () => ({ page: 'keys' })],
  [/^\/dashboard$/, () => ({ page: 'dashboard' })],
  [new RegExp(`^/engagements/${ID}/determination$`), (m) => ({ page: 'determination', id: m[1]! })],
  [
    new RegExp(`^/engagements/${ID}/findings\\?([^#]+)$`),
    (m) => {
      const filter = findingsFilter(m[2]!);
      // A filter this version does not know opens the whole list rather than nothing.
      return { page: 'findings', id: m[1]!, ...(filter ?? {}) };
    },
  ],
  [new RegExp(`^/engagements/${ID}/runs/${ID}/samples/${ID}$`), (m) => ({ page: 'run', id: m[1]!, runId: m[2]!, sampleId: m[3]! })],
  [new RegExp(`^/engagements/${ID}/runs/${ID}$`), (m) => ({ page: 'run', id: m[1]!, runId: m[2]! })],
  [new RegExp(`^/engagements/${ID}/findings/new$`), (m) => ({ page: 'newFinding', id: m[1]! })],
  [
    new RegExp(`^/engagements/${ID}/findings/${ID}/revisions/([1-9]\\d{0,8})$`),
    (m) => ({ page: 'finding', id: m[1]!, findingId: m[2]!, revision: Number(m[3]) }),
  ],
  [new RegExp(`^/engagements/${ID}/findings/${ID}$`), (m) => ({ page: 'finding', id: m[1]!, findingId: m[2]! })],
  [new RegExp(`^/engagements/${ID}/(edit|runs|thresholds|findings|journal)$`), (m) => ({ page: m[2] as 'edit', id: m[1]! })],
  [new RegExp(`^/engagements/${ID}$`), (m) => ({ page: 'engagement', id: m[1]! })],
];

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  for (const [pattern, toRoute] of PATTERNS) {
    const m = pattern.exec(path);
    const route = m ? toRoute(m) : null;
    if (route) return route;
  }
  return { page: 'home' };
}

export function routeHash(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'new':
      return '#/engagements/new';
    case 'bundles':
      return '#/bundles';
    case 'keys':
      return '#/keys';
    case 'dashboard':
      return '#/dashboard';
    case 'determination':
      return `#/engagements/${route.id}/determination`;
    case 'findings': {
      const query = new URLSearchParams();
      if (route.severity) query.set('severity', route.severity);
      if (route.status) query.set('status', route.status);
      const q = query.toString();
      return `#/engagements/${route.id}/findings${q ? `?${q}` : ''}`;
    }
    case 'engagement':
      return `#/engagements/${route.id}`;
    case 'edit':
    case 'runs':
    case 'thresholds':
    case 'journal':
      return `#/engagements/${route.id}/${route.page}`;
    case 'run':
      return `#/engagements/${route.id}/runs/${route.runId}${route.sampleId ? `/samples/${route.sampleId}` : ''}`;
    case 'newFinding':
      return `#/engagements/${route.id}/findings/new`;
    case 'finding':
      return `#/engagements/${route.id}/findings/${route.findingId}${route.revision ? `/revisions/${route.revision}` : ''}`;
  }
}

/** The engagement a page belongs to, if any. */
export function routeEngagementId(route: Route): string | null {
  return 'id' in route ? route.id : null;
}
