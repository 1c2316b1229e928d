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
  | { page: 'run'; id: string; runId: string };

const ID = '([0-9a-f-]{36})';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '/engagements/new') return { page: 'new' };
  const run = new RegExp(`^/engagements/${ID}/runs/${ID}$`).exec(path);
  if (run?.[1] && run[2]) return { page: 'run', id: run[1], runId: run[2] };
  const sub = new RegExp(`^/engagements/${ID}/(edit|runs|thresholds)$`).exec(path);
  if (sub?.[1] && sub[2]) return { page: sub[2] as 'edit' | 'runs' | 'thresholds', id: sub[1] };
  const view = new RegExp(`^/engagements/${ID}$`).exec(path);
  if (view?.[1]) return { page: 'engagement', id: view[1] };
  return { page: 'home' };
}

export function routeHash(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'new':
      return '#/engagements/new';
    case 'engagement':
      return `#/engagements/${route.id}`;
    case 'edit':
    case 'runs':
    case 'thresholds':
      return `#/engagements/${route.id}/${route.page}`;
    case 'run':
      return `#/engagements/${route.id}/runs/${route.runId}`;
  }
}

/** The engagement a page belongs to, if any. */
export function routeEngagementId(route: Route): string | null {
  return 'id' in route ? route.id : null;
}
